// Test loss and accuracy of a softmax classifier whose forward pass is given:
// chunks of rows, arg-max for accuracy, mean cross-entropy for the loss.
// MlpT and its parallel forms score themselves with it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "models/data/batch.h"
#include "models/nn/batch_input.h"
#include "models/nn/model.h"
#include "models/nn/softmax_cross_entropy.h"

namespace sim::models {

// Chunks bound the workspaces to chunk x widest-layer scalars.
inline constexpr Eigen::Index kEvaluationChunk = 1024;

// The first `max_samples` samples of `test` (all when 0). `logits_of(chunk)`
// runs the forward pass on a Batch and returns a reference to its logits,
// which this function overwrites; `labels` is a workspace.
template <typename Scalar, typename LogitsOf>
Evaluation EvaluateClassifier(const Dataset& test, Eigen::Index max_samples, const std::string& model,
                              Eigen::Index features, std::int32_t classes, SoftmaxCrossEntropy<Scalar>& softmax,
                              std::vector<std::int32_t>& labels, LogitsOf&& logits_of) {
  const Eigen::Index n = (max_samples > 0 && max_samples < test.samples()) ? max_samples : test.samples();
  Evaluation result;
  double loss_sum = 0.0;
  std::int64_t correct = 0;
  std::vector<SampleIndex> rows;
  for (Eigen::Index start = 0; start < n; start += kEvaluationChunk) {
    const Eigen::Index count = std::min(kEvaluationChunk, n - start);
    rows = RowRange(start, count);
    const Batch chunk(test, rows);
    detail::CheckBatch(chunk, model, features, detail::Needs::kLabels);
    detail::GatherLabels(chunk, labels);
    CheckLabels(labels, classes, model);
    DenseMatrix<Scalar>& logits = logits_of(chunk);
    for (Eigen::Index i = 0; i < count; ++i) {
      Eigen::Index predicted = 0;
      logits.row(i).maxCoeff(&predicted);
      if (predicted == labels[static_cast<std::size_t>(i)]) ++correct;
    }
    loss_sum += softmax.loss_sum(logits, labels);
  }
  result.samples = n;
  if (n > 0) {
    result.loss = loss_sum / static_cast<double>(n);
    result.accuracy = static_cast<double>(correct) / static_cast<double>(n);
  }
  return result;
}

}  // namespace sim::models
