// Activation recomputation (Chen et al. 2016; Korthikanti et al. 2022): what
// a transformer layer keeps from its forward pass, and what its backward
// pass redoes instead.
#pragma once

#include <string_view>

namespace sim::models {

enum class Recomputation {
  kNone,       // keep every activation backward reads
  kSelective,  // drop and recompute the attention scores (softmax, its dropout): the a·s² terms
  kFull,       // keep only each transformer layer's input; rerun its forward pass in backward
};

[[nodiscard]] constexpr std::string_view RecomputationName(Recomputation recomputation) noexcept {
  switch (recomputation) {
    case Recomputation::kNone:
      return "none";
    case Recomputation::kSelective:
      return "selective";
    case Recomputation::kFull:
      return "full";
  }
  return "?";
}

}  // namespace sim::models
