#include "models/compression/compressed_exchange.h"

#include "models/compression/wire_size.h"

namespace sim::models {

std::vector<ExchangeCollective> CollectivesFor(CompressionScheme scheme) {
  switch (scheme) {
    case CompressionScheme::kNone: return {ExchangeCollective::kAllReduce, ExchangeCollective::kParameterServer};
    case CompressionScheme::kPowerSgd: return {ExchangeCollective::kAllReduce};
    case CompressionScheme::kTopK:
    case CompressionScheme::kRandomK:
    case CompressionScheme::kQsgd:
    case CompressionScheme::kInt8:
    case CompressionScheme::kScaledSign: return {ExchangeCollective::kAllGather, ExchangeCollective::kParameterServer};
  }
  return {};
}

Bytes AllGatherBytesSent(Bytes piece, std::uint32_t workers) noexcept {
  return Bytes{piece.count * (static_cast<std::int64_t>(workers) - 1)};
}

Bytes AllReduceBytesSent(Bytes vector, std::uint32_t workers) noexcept {
  const std::int64_t p = workers;
  return Bytes{(2 * (p - 1) * vector.count + p - 1) / p};
}

std::vector<ExchangePhase> ExchangePhases(const CompressionOptions& options, Eigen::Index parameters,
                                          std::span<const MatrixShape> shapes, std::uint32_t workers) {
  const auto all_reduce = [workers](Bytes m) {
    return ExchangePhase{ExchangeCollective::kAllReduce, m, AllReduceBytesSent(m, workers)};
  };
  switch (options.scheme) {
    case CompressionScheme::kNone: return {all_reduce(EncodedSize(options, parameters).total())};
    case CompressionScheme::kPowerSgd: {
      std::int64_t p_entries = 0, q_entries = 0;
      for (const MatrixShape& m : shapes) {
        p_entries += static_cast<std::int64_t>(options.rank) * m.rows;
        q_entries += static_cast<std::int64_t>(options.rank) * m.cols;
      }
      const std::int64_t outside = EntriesOutsideMatrices(shapes, parameters);
      std::vector<ExchangePhase> phases;
      for (std::uint32_t it = 0; it < options.power_iterations; ++it) {
        phases.push_back(all_reduce(Bytes{4 * (p_entries + (it == 0 ? outside : 0))}));
        phases.push_back(all_reduce(Bytes{4 * q_entries}));
      }
      return phases;
    }
    case CompressionScheme::kTopK:
    case CompressionScheme::kRandomK:
    case CompressionScheme::kQsgd:
    case CompressionScheme::kInt8:
    case CompressionScheme::kScaledSign: {
      const Bytes piece = EncodedSize(options, parameters).total();
      return {ExchangePhase{ExchangeCollective::kAllGather, piece, AllGatherBytesSent(piece, workers)}};
    }
  }
  return {};
}

}  // namespace sim::models
