#include "models/compression/wire_size.h"

#include <bit>
#include <cstdint>

namespace sim::models {
namespace {

constexpr std::int64_t kFloatBytes = 4;

std::int64_t CeilDiv(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

}  // namespace

std::int64_t IndexBytes(Eigen::Index parameters) noexcept { return parameters <= (std::int64_t{1} << 32) ? 4 : 8; }

WireSize EncodedSize(const CompressionOptions& options, Eigen::Index parameters, std::span<const MatrixShape> shapes) {
  const std::int64_t n = parameters;
  const Bytes scales{kFloatBytes * Buckets(options.bucket_size, parameters)};
  WireSize size;
  switch (options.scheme) {
    case CompressionScheme::kNone: size.values = Bytes{kFloatBytes * n}; break;
    case CompressionScheme::kTopK:
    case CompressionScheme::kRandomK: {
      const std::int64_t k = KeptEntries(options.ratio, parameters);
      size.values = Bytes{kFloatBytes * k};
      size.indices = Bytes{IndexBytes(parameters) * k};
      break;
    }
    case CompressionScheme::kQsgd: {
      const std::int64_t bits = 1 + static_cast<std::int64_t>(std::bit_width(options.levels));
      size.values = Bytes{CeilDiv(n * bits, 8)};
      size.scales = scales;
      break;
    }
    case CompressionScheme::kInt8:
      size.values = Bytes{n};
      size.scales = scales;
      break;
    case CompressionScheme::kScaledSign:
      size.values = Bytes{CeilDiv(n, 8)};
      size.scales = scales;
      break;
    case CompressionScheme::kPowerSgd: {
      std::int64_t factor_entries = 0;
      for (const MatrixShape& m : shapes) factor_entries += static_cast<std::int64_t>(options.rank) * (m.rows + m.cols);
      const std::int64_t outside = EntriesOutsideMatrices(shapes, parameters);
      size.values =
          Bytes{kFloatBytes * (static_cast<std::int64_t>(options.power_iterations) * factor_entries + outside)};
      break;
    }
  }
  return size;
}

}  // namespace sim::models
