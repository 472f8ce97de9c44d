// The activation between an MLP's dense layers, and its derivative read from
// the activation's output, as MlpT and its parallel forms apply them.
#pragma once

#include "models/nn/dense_layers.h"

namespace sim::models {

enum class Activation { kRelu, kTanh };

// z <- act(z).
template <typename Scalar>
void Activate(DenseMatrix<Scalar>& z, Activation activation) {
  if (activation == Activation::kRelu) {
    z = z.cwiseMax(Scalar(0));
  } else {
    z = z.array().tanh();
  }
}

// g <- g * act'(z) elementwise, act' read from the output a = act(z):
// ReLU' = [a > 0], tanh' = 1 - a^2.
template <typename Scalar>
void MultiplyByActivationDerivative(DenseMatrix<Scalar>& g, const DenseMatrix<Scalar>& a, Activation activation) {
  if (activation == Activation::kRelu) {
    g = (a.array() > Scalar(0)).select(g, Scalar(0));
  } else {
    g.array() *= Scalar(1) - a.array().square();
  }
}

}  // namespace sim::models
