// What is trained: a differentiable model whose parameters are ONE flat
// vector. The same vector is what a simulated worker sends (4 bytes per float
// parameter), what an MPI run sends, and what the optimizer updates, so the
// bytes on the wire and the numerics always agree.
//
// The interface is a template over the scalar type only so that the gradient
// tests can run the very same code in double precision against finite
// differences; the simulator uses Model = BasicModel<float>.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <Eigen/Core>

#include "models/data/batch.h"
#include "models/data/dataset.h"
#include "sim/core/random.h"
#include "sim/core/units.h"

namespace sim::models {

enum class Task { kClassification, kRegression };

struct Evaluation {
  // Mean loss over the scored samples (cross-entropy in nats, or squared error).
  double loss = 0.0;
  // Fraction of scored samples whose arg-max class is the label; absent for
  // regression models.
  std::optional<double> accuracy;
  Eigen::Index samples = 0;
};

template <typename Scalar>
class BasicModel {
 public:
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  virtual ~BasicModel() = default;

  // "linear_regression", "softmax_regression", "mlp".
  [[nodiscard]] virtual std::string name() const = 0;
  [[nodiscard]] virtual Task task() const noexcept = 0;
  [[nodiscard]] virtual Eigen::Index parameter_count() const noexcept = 0;
  [[nodiscard]] virtual Eigen::Index input_features() const noexcept = 0;
  // Classes of the output layer; 0 for regression.
  [[nodiscard]] virtual std::int32_t classes() const noexcept = 0;
  // Forward + backward floating-point operations for one sample; each model
  // states its formula beside its implementation.
  [[nodiscard]] virtual Flops flops_per_sample() const noexcept = 0;

  // Fresh parameters drawn from `rng` (Glorot or He, see each model).
  [[nodiscard]] virtual Vector initial_parameters(RandomStream& rng) const = 0;

  // Mean loss over the batch; `grad` receives the mean gradient (resized to
  // parameter_count()). Not thread-safe: a model reuses its own workspaces so
  // that repeated calls do not allocate. Use clone() for another thread.
  virtual double loss_and_gradient(const Vector& params, const Batch& batch, Vector& grad) = 0;

  // Loss and accuracy on the first `max_samples` samples of `test` (all when
  // 0), forward pass only.
  virtual Evaluation evaluate(const Vector& params, const Dataset& test, Eigen::Index max_samples = 0) = 0;

  // The same architecture with workspaces of its own.
  [[nodiscard]] virtual std::unique_ptr<BasicModel> clone() const = 0;

  // Size of the parameter (or gradient) vector on the wire.
  [[nodiscard]] Bytes parameter_bytes() const noexcept {
    return Bytes{static_cast<std::int64_t>(parameter_count()) * static_cast<std::int64_t>(sizeof(Scalar))};
  }
};

using Model = BasicModel<float>;

}  // namespace sim::models
