#include "models/compression/compression_work.h"

#include <cmath>

#include "models/compression/wire_size.h"

namespace sim::models {
namespace {

// x ln(n / x), 0 at x = 0 (its limit).
double EntropyTerm(double x, double n) { return x > 0.0 ? x * std::log(n / x) : 0.0; }

Bytes Times(double count) { return Bytes{static_cast<std::int64_t>(std::llround(count))}; }

}  // namespace

double SelectionComparisons(double n, double k) noexcept {
  return 2.0 * n + 2.0 * EntropyTerm(k, n) + 2.0 * EntropyTerm(n - k, n);
}

CompressionWork WorkOf(const CompressionOptions& options, Eigen::Index parameters,
                       std::span<const MatrixShape> shapes) {
  const double n = static_cast<double>(parameters);
  const double encoded = static_cast<double>(EncodedSize(options, parameters, shapes).total().count);
  CompressionWork w;
  switch (options.scheme) {
    case CompressionScheme::kNone: w.decompress = {Flops{n}, Times(12.0 * n)}; break;
    case CompressionScheme::kTopK:
    case CompressionScheme::kRandomK: {
      const double k = static_cast<double>(KeptEntries(options.ratio, parameters));
      if (options.scheme == CompressionScheme::kTopK) {
        w.compress = {Flops{n + SelectionComparisons(n, k)}, Times(4.0 * n + 8.0 * k)};
      } else {
        w.compress = {Flops{options.error_feedback ? k : 2.0 * k}, Times(12.0 * k)};
      }
      w.decompress = {Flops{k}, Times(16.0 * k)};
      break;
    }
    case CompressionScheme::kQsgd:
      w.compress = {Flops{6.0 * n}, Times(8.0 * n + encoded)};
      w.decompress = {Flops{2.0 * n}, Times(encoded + 8.0 * n)};
      break;
    case CompressionScheme::kInt8:
      w.compress = {Flops{5.0 * n}, Times(8.0 * n + encoded)};
      w.decompress = {Flops{2.0 * n}, Times(encoded + 8.0 * n)};
      break;
    case CompressionScheme::kScaledSign:
      w.compress = {Flops{3.0 * n}, Times(8.0 * n + encoded)};
      w.decompress = {Flops{2.0 * n}, Times(encoded + 8.0 * n)};
      break;
    case CompressionScheme::kPowerSgd: {
      double compress = 0.0, touched = 0.0, decompress = 0.0;
      const double r = options.rank;
      for (const MatrixShape& m : shapes) {
        const double mc = static_cast<double>(m.size()), rows = static_cast<double>(m.rows);
        compress += options.power_iterations * (4.0 * mc * r + 4.0 * rows * r * r);
        touched += options.power_iterations * 8.0 * mc;
        decompress += 2.0 * mc * r;
      }
      const double outside = static_cast<double>(EntriesOutsideMatrices(shapes, parameters));
      w.compress = {Flops{compress}, Times(touched)};
      w.decompress = {Flops{decompress + outside}, Times(4.0 * (n - outside) + 12.0 * outside)};
      break;
    }
  }
  if (options.error_feedback && options.scheme != CompressionScheme::kNone) {
    // PowerSGD keeps no residual outside its matrices: those entries are sent whole.
    const double corrected = options.scheme == CompressionScheme::kPowerSgd
                                 ? n - static_cast<double>(EntriesOutsideMatrices(shapes, parameters))
                                 : n;
    w.compress.flops.count += 2.0 * corrected;
    w.compress.touched = w.compress.touched + Times(24.0 * corrected);
  }
  return w;
}

}  // namespace sim::models
