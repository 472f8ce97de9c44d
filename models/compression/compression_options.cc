#include "models/compression/compression_options.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sim::models {

std::string_view Name(CompressionScheme scheme) noexcept {
  switch (scheme) {
    case CompressionScheme::kNone: return "none";
    case CompressionScheme::kTopK: return "top_k";
    case CompressionScheme::kRandomK: return "random_k";
    case CompressionScheme::kQsgd: return "qsgd";
    case CompressionScheme::kInt8: return "int8";
    case CompressionScheme::kScaledSign: return "scaled_sign";
    case CompressionScheme::kPowerSgd: return "power_sgd";
  }
  return "?";
}

std::vector<std::string> CompressionProblems(const CompressionOptions& o, Eigen::Index parameters,
                                             std::span<const MatrixShape> shapes) {
  std::vector<std::string> problems;
  const std::string scheme(Name(o.scheme));
  if (parameters < 1) {
    problems.push_back("compression of a vector of " + std::to_string(parameters) + " entries (needs >= 1)");
  }
  switch (o.scheme) {
    case CompressionScheme::kNone: break;
    case CompressionScheme::kTopK:
    case CompressionScheme::kRandomK:
      if (!(o.ratio > 0.0 && o.ratio <= 1.0)) {
        problems.push_back("strategy.compression.ratio must be in (0, 1] for " + scheme + ", got " +
                           std::to_string(o.ratio));
      }
      break;
    case CompressionScheme::kQsgd:
      if (o.levels == 0) problems.push_back("strategy.compression.levels must be >= 1 for qsgd, got 0");
      [[fallthrough]];
    case CompressionScheme::kInt8:
    case CompressionScheme::kScaledSign:
      if (o.bucket_size < 0) {
        problems.push_back("strategy.compression.bucket_size must be >= 0 (0: one bucket) for " + scheme + ", got " +
                           std::to_string(o.bucket_size));
      }
      break;
    case CompressionScheme::kPowerSgd: {
      if (o.rank == 0) problems.push_back("strategy.compression.rank must be >= 1 for power_sgd, got 0");
      if (o.power_iterations == 0) {
        problems.push_back("strategy.compression.power_iterations must be >= 1 for power_sgd, got 0");
      }
      for (const std::string& p : MatrixShapeProblems(shapes, parameters)) problems.push_back("power_sgd: " + p);
      for (std::size_t i = 0; i < shapes.size(); ++i) {
        const Eigen::Index smaller = std::min(shapes[i].rows, shapes[i].cols);
        if (smaller >= 1 && static_cast<Eigen::Index>(o.rank) > smaller) {
          problems.push_back("strategy.compression.rank " + std::to_string(o.rank) + " exceeds the smaller dimension " +
                             std::to_string(smaller) + " of weight matrix " + std::to_string(i) + " (" +
                             std::to_string(shapes[i].rows) + " x " + std::to_string(shapes[i].cols) + ")");
        }
      }
      break;
    }
  }
  return problems;
}

void CheckCompressionOptions(const CompressionOptions& options, Eigen::Index parameters,
                             std::span<const MatrixShape> shapes) {
  const std::vector<std::string> problems = CompressionProblems(options, parameters, shapes);
  if (problems.empty()) return;
  std::string message = "compression:";
  for (const auto& p : problems) message += " " + p + ";";
  message.pop_back();
  throw std::invalid_argument(message);
}

Eigen::Index KeptEntries(double ratio, Eigen::Index parameters) noexcept {
  const auto k = static_cast<Eigen::Index>(std::llround(ratio * static_cast<double>(parameters)));
  return std::clamp<Eigen::Index>(k, std::min<Eigen::Index>(1, parameters), parameters);
}

Eigen::Index Buckets(std::int64_t bucket_size, Eigen::Index parameters) noexcept {
  if (bucket_size <= 0) return 1;
  return (parameters + bucket_size - 1) / bucket_size;
}

}  // namespace sim::models
