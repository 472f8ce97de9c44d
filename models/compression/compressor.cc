#include "models/compression/compressor.h"

#include <stdexcept>

namespace sim::models {

const CompressionOptions& RequireScheme(const CompressionOptions& options, CompressionScheme scheme) {
  if (options.scheme != scheme) {
    throw std::invalid_argument(std::string(Name(scheme)) + ": given options for " + std::string(Name(options.scheme)));
  }
  return options;
}

Compressor::Compressor(const CompressionOptions& options, Eigen::Index parameters)
    : options_(options), parameters_(parameters) {
  CheckCompressionOptions(options, parameters);
  cost_ = {EncodedSize(options, parameters), WorkOf(options, parameters)};
  residual_ = Eigen::VectorXf::Zero(parameters);
}

CompressedGradient Compressor::compress(const Eigen::VectorXf& gradient, Eigen::VectorXf& applied) {
  if (gradient.size() != parameters_) {
    throw std::invalid_argument(name() + ": gradient has " + std::to_string(gradient.size()) +
                                " entries, the compressor " + std::to_string(parameters_));
  }
  if (&applied == &gradient) throw std::invalid_argument(name() + ": applied must be another vector than gradient");
  applied.resize(parameters_);
  if (!options_.error_feedback) {
    round_trip(gradient, applied);
    return cost_;
  }
  corrected_ = gradient + residual_;
  round_trip(corrected_, applied);
  residual_ = corrected_ - applied;
  return cost_;
}

}  // namespace sim::models
