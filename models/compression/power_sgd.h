// PowerSGD (Vogels, Karimireddy & Jaggi 2019, Algorithms 1 and 2): rank-r
// compression of each weight matrix by power iteration, reduced across the
// workers in the compressed domain.
//
// Per step, for each matrix M_w (worker w's gradient plus its residual when
// error feedback is on), starting from the previous step's Q (warm start;
// the first Q is i.i.d. N(0, 1), the same on every worker):
//   repeat power_iterations times:
//     P = sum_w M_w Q                 all-reduce of the P factors
//     P = orthonormalise(P)           Gram-Schmidt, column by column
//     Q = (1/W) sum_w M_w^T P         all-reduce of the Q factors
//   applied = P Q^T                   the same on every worker
//   e_w = M_w - P Q^T                 error feedback
// (A column of Q that comes out 0 is given its previous value back for the
// next step's warm start, or it would stay 0 for good.)
// P Q^T = (1/W) sum_w P P^T M_w: the mean of the workers' projections, which
// is why the factors can be summed before decompressing (M -> M Q and
// M -> M^T P are linear). The residual is taken against the reduced
// approximation, as the authors' code and PyTorch's powerSGD_hook do, so the
// mean of the residuals carries what the mean gradient lost. Entries outside
// the matrices (biases) are averaged exactly, with no residual.
//
// All workers' gradients are reduced in one call, in rank order, as the
// simulator's synchronous strategies reduce (models/nn/global_batch.h).
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "models/compression/compressor.h"
#include "models/compression/matrix_shapes.h"
#include "sim/core/random.h"

namespace sim::models {

class PowerSgd {
 public:
  // options.scheme must be kPowerSgd. `init` draws the first Q of every
  // matrix, in the order of `shapes`, column by column: one stream for the
  // group, since every worker starts from the same Q. Throws
  // std::invalid_argument listing every bad option or shape.
  PowerSgd(const CompressionOptions& options, Eigen::Index parameters, std::vector<MatrixShape> shapes,
           std::uint32_t workers, RandomStream init);

  // `gradients` in rank order, workers() of them, parameters() entries each;
  // `applied` (not one of them) receives the reduced gradient, the mean over
  // the workers of what each contributes. Returns one worker's wire size and
  // work. Throws std::invalid_argument for a wrong count, size or alias.
  CompressedGradient reduce(std::span<const Eigen::VectorXf* const> gradients, Eigen::VectorXf& applied);

  [[nodiscard]] Eigen::Index parameters() const noexcept { return parameters_; }
  [[nodiscard]] std::uint32_t workers() const noexcept { return workers_; }
  [[nodiscard]] const std::vector<MatrixShape>& shapes() const noexcept { return shapes_; }
  // Worker w's residual (zeros outside the matrices and without error feedback).
  [[nodiscard]] const Eigen::VectorXf& residual(std::uint32_t worker) const { return residuals_.at(worker); }
  // The current Q of matrix j (cols x rank), the next step's warm start.
  [[nodiscard]] const Eigen::MatrixXf& q(std::size_t matrix) const { return q_.at(matrix); }
  // Forgets the residuals; Q keeps its warm start.
  void reset() noexcept;

 private:
  CompressionOptions options_;
  Eigen::Index parameters_;
  std::vector<MatrixShape> shapes_;
  std::uint32_t workers_;
  CompressedGradient cost_;
  // The ranges outside the matrices, sent whole.
  std::vector<std::pair<Eigen::Index, Eigen::Index>> outside_;
  std::vector<Eigen::MatrixXf> q_;          // per matrix, cols x rank
  std::vector<Eigen::VectorXf> residuals_;  // per worker
  std::vector<Eigen::VectorXf> corrected_;  // per worker, M_w (workspace)
  Eigen::MatrixXf p_;                       // workspace
  Eigen::MatrixXf warm_start_;              // workspace: Q at the start of the step
};

// Orthonormalises the columns of `m` in place, in order (modified
// Gram-Schmidt). A column that is 0 after the projections stays 0.
void OrthonormaliseColumns(Eigen::MatrixXf& m);

}  // namespace sim::models
