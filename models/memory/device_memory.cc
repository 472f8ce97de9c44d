#include "models/memory/device_memory.h"

#include <cstdio>

#include "sim/core/units.h"

namespace sim::models {
namespace {

std::string InGib(Bytes size) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f GiB", InGibibytes(size));
  return text;
}

}  // namespace

Bytes MemoryBreakdown::total() const noexcept {
  Bytes sum;
  for (const auto& part : parts) sum = sum + part.size;
  return sum;
}

MemoryBreakdown DeviceMemory(const ModelStates& model_states, Bytes activations, Bytes communication_buffers) {
  return MemoryBreakdown{{{"parameters", model_states.parameters},
                          {"gradients", model_states.gradients},
                          {"optimizer states", model_states.optimizer},
                          {"activations", activations},
                          {"communication buffers", communication_buffers}}};
}

std::string DescribeFit(const MemoryBreakdown& breakdown, Bytes capacity) {
  std::string sum;
  for (const auto& part : breakdown.parts) sum += (sum.empty() ? "" : " + ") + part.name + " " + InGib(part.size);
  const bool fits = breakdown.fits_in(capacity);
  return std::string(fits ? "fits: " : "does not fit: ") + sum + " = " + InGib(breakdown.total()) +
         (fits ? " of " : " > ") + InGib(capacity);
}

}  // namespace sim::models
