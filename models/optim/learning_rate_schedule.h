// The learning rate as a function of the update count t = 0, 1, 2, ...:
//   rate(t) = base x decay(t) x warmup(t)
//   decay:  CONSTANT 1
//           STEP     gamma^floor(t / step_every)
//           COSINE   (1 + cos(pi min(t, T) / T)) / 2 over T = total_steps
//                    (Loshchilov & Hutter 2017, SGDR without restarts, to 0)
//   warmup: (t + 1) / W for t < W, else 1 — a linear ramp that reaches the
//           full rate at update W - 1 (Goyal et al. 2017, "gradual warmup").
// `base` already includes the linear scaling rule when asked for
// (MakeOptimizer).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sim::models {

enum class Decay { kConstant, kStep, kCosine };

struct ScheduleSpec {
  double base_rate = 0.1;
  Decay decay = Decay::kConstant;
  std::uint64_t step_every = 0;    // STEP: > 0
  double step_gamma = 0.1;         // STEP: > 0
  std::uint64_t total_steps = 0;   // COSINE: > 0
  std::uint64_t warmup_steps = 0;  // 0: no warm-up
};

// Every inconsistency of `spec`, one sentence each; empty when valid.
[[nodiscard]] std::vector<std::string> ScheduleProblems(const ScheduleSpec& spec);

class LearningRateSchedule {
 public:
  // Throws std::invalid_argument listing every inconsistent field.
  explicit LearningRateSchedule(const ScheduleSpec& spec);

  [[nodiscard]] double rate(std::uint64_t step) const noexcept;
  [[nodiscard]] const ScheduleSpec& spec() const noexcept { return spec_; }

 private:
  ScheduleSpec spec_;
};

}  // namespace sim::models
