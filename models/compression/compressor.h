// One worker's gradient compressor: what the worker sends, and what the
// receivers apply after decompressing it.
//
// compress(g, applied) writes the decompressed gradient, the one every
// receiver adds to its sum, and returns the wire size and the work
// (wire_size.h, compression_work.h). With error feedback the worker keeps
// the residual of what was not sent and adds it to its next gradient:
//   p = g + e;  applied = C(p);  e = p - applied       (e starts at 0)
// so that the sum of everything applied plus the final residual is the sum of
// the raw gradients (Stich et al. 2018; Karimireddy et al. 2019).
//
// One Compressor per worker: the residual and the random stream are that
// worker's (NamedStream(seed, "compression/worker/<rank>") for instance).
// PowerSGD is not one of these: its factors are all-reduced, so what a worker
// applies depends on every worker's gradient (power_sgd.h).
#pragma once

#include <string>

#include <Eigen/Core>

#include "models/compression/compression_options.h"
#include "models/compression/compression_work.h"
#include "models/compression/wire_size.h"

namespace sim::models {

struct CompressedGradient {
  WireSize wire;         // bytes this worker sends
  CompressionWork work;  // compressing here; decompressing at each receiver
};

// `options`, after checking that they are for `scheme` (std::invalid_argument
// otherwise); for the constructors of the schemes.
const CompressionOptions& RequireScheme(const CompressionOptions& options, CompressionScheme scheme);

class Compressor {
 public:
  virtual ~Compressor() = default;

  // Name(options().scheme).
  [[nodiscard]] std::string name() const { return std::string(Name(options_.scheme)); }

  // `gradient` must have parameters() entries and `applied` be another
  // vector (std::invalid_argument otherwise); `applied` is resized to match.
  CompressedGradient compress(const Eigen::VectorXf& gradient, Eigen::VectorXf& applied);

  [[nodiscard]] Eigen::Index parameters() const noexcept { return parameters_; }
  [[nodiscard]] const CompressionOptions& options() const noexcept { return options_; }
  // e: zeros until the first compression, and always without error feedback.
  [[nodiscard]] const Eigen::VectorXf& residual() const noexcept { return residual_; }
  // Forgets the residual.
  void reset() noexcept { residual_.setZero(); }

 protected:
  // Throws std::invalid_argument listing every bad option.
  Compressor(const CompressionOptions& options, Eigen::Index parameters);

  // applied = decompress(compress(input)); both have parameters() entries.
  virtual void round_trip(const Eigen::VectorXf& input, Eigen::VectorXf& applied) = 0;

 private:
  CompressionOptions options_;
  Eigen::Index parameters_;
  CompressedGradient cost_;    // fixed by the options and the size
  Eigen::VectorXf residual_;   // e
  Eigen::VectorXf corrected_;  // p = g + e (workspace)
};

}  // namespace sim::models
