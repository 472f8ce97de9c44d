// What every optimizer of the flat parameter vector does (Sgd, Adam, AdamW,
// Adagrad, Rmsprop): one update from a gradient, the count of updates, and a
// reset of its state.
//
// The common part lives here so that it is the same for all of them:
//   rate(t)  the learning-rate schedule at t = updates applied so far
//            (learning_rate_schedule.h);
//   clipping g' = g x min(1, clip_norm / ||g||_2), ||g|| of the WHOLE gradient
//            (Pascanu et al. 2013; PyTorch's clip_grad_norm_), off when
//            clip_norm = 0; each optimizer then adds its weight decay to g'.
//
// Shards: a parameter server holds the parameters and the optimizer state of
// its contiguous shard only. `apply_shard` updates such a range; given the
// norm of the whole gradient (GradientNorm) it gives the same bits on that
// range as `apply` on the whole vector, because every update rule here is
// elementwise once the clipping scale is known. A server that only knows its
// shard's norm may pass that instead: that is per-shard clipping, a different
// algorithm, not a bug of this interface.
//
// An optimizer sizes its state on the first update; later updates must give
// the same size (Sgd, which predates this interface, re-zeroes its velocity
// instead).
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "models/optim/learning_rate_schedule.h"

namespace sim::models {

struct OptimizerUpdate {
  double learning_rate = 0.0;  // rate(t) used by this update
  double gradient_norm = 0.0;  // ||g||_2 of the whole gradient, before clipping
  bool clipped = false;
};

// ||g||_2 accumulated in double: a float sum over 10^5..10^8 entries would
// lose digits that decide whether clipping triggers.
[[nodiscard]] double GradientNorm(const Eigen::Ref<const Eigen::VectorXf>& grad);

class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // "sgd", "adam", "adamw", "adagrad", "rmsprop".
  [[nodiscard]] virtual std::string name() const = 0;

  // One update of the whole vector (same sizes, else std::invalid_argument);
  // advances the update count.
  OptimizerUpdate apply(Eigen::VectorXf& params, const Eigen::VectorXf& grad);

  // One update of a shard: `params` and `grad` are the same range of the
  // parameter and gradient vectors, `gradient_norm` the norm of the whole
  // gradient (used by clipping only). Throws std::invalid_argument when the
  // sizes differ or the norm is negative. A NaN norm (a gradient of a model
  // that diverged) is applied unclipped, and +inf as apply takes it: the
  // parameters turn NaN and the run reports the divergence at its next
  // evaluation instead of failing (issue 20).
  OptimizerUpdate apply_shard(Eigen::Ref<Eigen::VectorXf> params, Eigen::Ref<const Eigen::VectorXf> grad,
                              double gradient_norm);

  // Updates applied so far (t of the next update).
  [[nodiscard]] std::uint64_t updates() const noexcept { return updates_; }
  // Rate the next update will use.
  [[nodiscard]] double learning_rate() const noexcept { return schedule_.rate(updates_); }

  // Forgets the optimizer's state (momentum, moments, accumulators), as local
  // SGD may do after each model average. The schedule keeps counting.
  virtual void reset() noexcept = 0;

  [[nodiscard]] virtual std::unique_ptr<Optimizer> clone() const = 0;

 protected:
  Optimizer(const ScheduleSpec& schedule, double clip_norm) : schedule_(schedule), clip_norm_(clip_norm) {}

  // The optimizer's own rule on gradient grad_scale x grad (grad_scale is the
  // clipping factor, 1 when not clipped) at learning rate `rate`.
  virtual void step(Eigen::Ref<Eigen::VectorXf> params, Eigen::Ref<const Eigen::VectorXf> grad, float grad_scale,
                    double rate) = 0;

 private:
  LearningRateSchedule schedule_;
  double clip_norm_;
  std::uint64_t updates_ = 0;
};

// std::sqrt for every entry, for the optimizers' denominators. Eigen's packet
// sqrt of floats under EIGEN_FAST_MATH (its default) is rsqrt plus one Newton
// step, a few ulps from std::sqrt, while the entries before the first aligned
// packet take std::sqrt: a shard starting at another alignment would then not
// reproduce the whole vector's bits. Eigen cannot vectorise this functor, so
// every entry takes the correctly rounded path.
struct CorrectlyRoundedSqrt {
  float operator()(float x) const noexcept { return std::sqrt(x); }
};

// Throws std::invalid_argument("<name>: p1; p2; ...") when `problems` is not
// empty; the constructors of the optimizers report every bad option at once.
void ThrowIfProblems(const std::string& name, const std::vector<std::string>& problems);

// `options` once `problems(options)` is empty, else the exception of
// ThrowIfProblems: for the optimizers' constructors, before their base.
template <typename Options>
const Options& CheckedOptions(const std::string& name, const Options& options,
                              std::vector<std::string> (*problems)(const Options&)) {
  ThrowIfProblems(name, problems(options));
  return options;
}

// Sizes an optimizer's state vector to `size` zeros on its first update;
// throws std::invalid_argument when a later update gives another size (a
// shard's optimizer handed a different range).
void EnsureStateSize(const std::string& name, Eigen::VectorXf& state, Eigen::Index size);

// Appends "<field> must be ..., got <value>" when the check fails.
void RequireInUnitInterval(std::vector<std::string>& problems, const char* field, double value);  // [0, 1)
void RequireNonNegative(std::vector<std::string>& problems, const char* field, double value);     // finite, >= 0
void RequirePositive(std::vector<std::string>& problems, const char* field, double value);        // finite, > 0

}  // namespace sim::models
