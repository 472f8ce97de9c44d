// What an MLP is whatever computes it: its shape (inputs -> hidden[0] -> ...
// -> classes, ReLU or tanh between the dense layers, a softmax cross-entropy
// output), where each layer sits in the flat parameter vector, how the
// parameters are initialised, and its FLOPs. MlpT computes it on one device;
// PipelineParallelMlpT and TensorParallelMlpT compute the same function split
// over stages or shards. Deriving from this class is what makes one
// parameter vector serve all three.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/nn/activation.h"
#include "models/nn/dense_layers.h"
#include "models/nn/model.h"

namespace sim::models {

template <typename Scalar>
class MlpArchitecture : public BasicModel<Scalar> {
 public:
  using typename BasicModel<Scalar>::Vector;

  [[nodiscard]] Task task() const noexcept override { return Task::kClassification; }
  [[nodiscard]] Eigen::Index parameter_count() const noexcept override { return layers_.back().end(); }
  [[nodiscard]] Eigen::Index input_features() const noexcept override { return layers_.front().in; }
  [[nodiscard]] std::int32_t classes() const noexcept override { return static_cast<std::int32_t>(layers_.back().out); }
  // The sum of DenseLayerTrainingFlops over the layers (dense_layers.h).
  [[nodiscard]] Flops flops_per_sample() const noexcept override;
  [[nodiscard]] Vector initial_parameters(RandomStream& rng) const override;

  [[nodiscard]] const std::vector<Eigen::Index>& hidden() const noexcept { return hidden_; }
  [[nodiscard]] Activation activation() const noexcept { return activation_; }
  [[nodiscard]] const std::vector<DenseLayer>& layers() const noexcept { return layers_; }

 protected:
  // Throws std::invalid_argument, prefixed "<model>: ", if inputs < 1,
  // classes < 2 or a width < 1.
  MlpArchitecture(const std::string& model, Eigen::Index inputs, std::vector<Eigen::Index> hidden, std::int32_t classes,
                  Activation activation);

  // Throws std::invalid_argument unless params has parameter_count() entries.
  void check_params(const Vector& params) const;

 private:
  std::vector<Eigen::Index> hidden_;
  Activation activation_;
  std::vector<DenseLayer> layers_;
};

extern template class MlpArchitecture<float>;
extern template class MlpArchitecture<double>;

}  // namespace sim::models
