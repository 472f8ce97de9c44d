// How synchronous data-parallel training reproduces single-worker training on
// the global batch.
//
// Each model returns the MEAN gradient over its batch. With N workers whose
// batches all hold b samples, the mean over the union of the N batches is
//   g(B_0 ∪ ... ∪ B_{N-1}) = (1/N) sum_k g(B_k),
// so averaging the worker gradients gives the global-batch gradient. To
// reproduce it on one worker, concatenate the worker batches in rank order
// (ConcatenateInRankOrder) and call loss_and_gradient once on the result; the
// two agree to float rounding (~1e-6 relative), not bit for bit, because the
// summation order inside a matrix product differs.
//
// Reductions sum in rank order (sim/DESIGN.md): ((g_0 + g_1) + g_2) + ..., then
// scale by 1/N, whatever order the gradients arrived in, so a simulated run
// gives the same bits whatever the network did.
#pragma once

#include <span>
#include <vector>

#include <Eigen/Core>

#include "models/data/dataset.h"

namespace sim::models {

// mean <- (1/N) sum_k gradients[k], summed in index (rank) order. Throws
// std::invalid_argument when the list is empty or sizes differ.
void MeanInRankOrder(std::span<const Eigen::VectorXf* const> gradients, Eigen::VectorXf& mean);

// The rows of the worker batches, one after another in rank order.
[[nodiscard]] std::vector<SampleIndex> ConcatenateInRankOrder(std::span<const std::span<const SampleIndex>> worker_rows);

}  // namespace sim::models
