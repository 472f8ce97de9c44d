#include "models/compression/make_compressor.h"

#include <stdexcept>

#include "models/compression/int8.h"
#include "models/compression/qsgd.h"
#include "models/compression/random_k.h"
#include "models/compression/scaled_sign.h"
#include "models/compression/top_k.h"

namespace sim::models {
namespace {

class Uncompressed final : public Compressor {
 public:
  Uncompressed(const CompressionOptions& options, Eigen::Index parameters)
      : Compressor(RequireScheme(options, CompressionScheme::kNone), parameters) {}

 private:
  void round_trip(const Eigen::VectorXf& input, Eigen::VectorXf& applied) override { applied = input; }
};

}  // namespace

std::unique_ptr<Compressor> MakeCompressor(const CompressionOptions& options, Eigen::Index parameters,
                                           RandomStream rng) {
  switch (options.scheme) {
    case CompressionScheme::kNone: return std::make_unique<Uncompressed>(options, parameters);
    case CompressionScheme::kTopK: return std::make_unique<TopK>(options, parameters);
    case CompressionScheme::kRandomK: return std::make_unique<RandomK>(options, parameters, rng);
    case CompressionScheme::kQsgd: return std::make_unique<Qsgd>(options, parameters, rng);
    case CompressionScheme::kInt8: return std::make_unique<Int8>(options, parameters, rng);
    case CompressionScheme::kScaledSign: return std::make_unique<ScaledSign>(options, parameters);
    case CompressionScheme::kPowerSgd:
      throw std::invalid_argument(
          "power_sgd reduces every worker's gradient at once: use PowerSgd, not a "
          "per-worker compressor");
  }
  throw std::invalid_argument("compression: unknown scheme");
}

}  // namespace sim::models
