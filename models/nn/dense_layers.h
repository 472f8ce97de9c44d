// The dense layers of an MLP in the flat parameter vector: where each
// layer's weights and bias sit, and a layer's training FLOPs. MlpT and its
// pipeline- and tensor-parallel forms read the vector through these, so that
// one vector serves all three.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <vector>

#include "sim/core/units.h"

namespace sim::models {

// A batch's activations (samples x width), column-major as Eigen's default.
template <typename Scalar>
using DenseMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

// One layer: W (in x out, column-major: column j holds the in weights into
// unit j) at `offset` in the flat vector, then the bias (out).
struct DenseLayer {
  Eigen::Index in = 0;
  Eigen::Index out = 0;
  Eigen::Index offset = 0;

  [[nodiscard]] Eigen::Index bias_offset() const noexcept { return offset + in * out; }
  // One past the layer's last parameter.
  [[nodiscard]] Eigen::Index end() const noexcept { return offset + in * out + out; }
};

// inputs -> hidden[0] -> ... -> classes, layer after layer in the vector.
[[nodiscard]] inline std::vector<DenseLayer> DenseLayers(Eigen::Index inputs, const std::vector<Eigen::Index>& hidden,
                                                         Eigen::Index classes) {
  std::vector<DenseLayer> layers;
  Eigen::Index in = inputs;
  Eigen::Index offset = 0;
  for (std::size_t i = 0; i <= hidden.size(); ++i) {
    const Eigen::Index out = i < hidden.size() ? hidden[i] : classes;
    layers.push_back({in, out, offset});
    offset += in * out + out;
    in = out;
  }
  return layers;
}

// Forward + backward FLOPs of one layer for one sample, counting a
// multiply-add as 2 FLOPs and a bias add as 1:
//   forward  = 2 in out + out
//   backward = 2 in out + out        weight and bias gradients
//            + 2 in out              gradient w.r.t. the layer's input
// The last term is left out for the layer that reads the data
// (`input_gradient` false): nobody needs that gradient, and frameworks skip
// it too. Activations and the softmax are O(out) per sample and left out
// (< 1% for these shapes).
[[nodiscard]] inline Flops DenseLayerTrainingFlops(const DenseLayer& layer, bool input_gradient) noexcept {
  const double in = static_cast<double>(layer.in);
  const double out = static_cast<double>(layer.out);
  return Flops{2.0 * (2.0 * in * out + out) + (input_gradient ? 2.0 * in * out : 0.0)};
}

}  // namespace sim::models
