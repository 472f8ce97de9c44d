// The seam between what moves data (the flow-level network) and what decides
// which data moves (collectives, parameter servers, strategies).
#pragma once

#include <cstdint>
#include <functional>

#include "sim/core/ids.h"
#include "sim/core/units.h"

namespace sim {

class Transport {
 public:
  using Delivered = std::function<void()>;
  virtual ~Transport() = default;

  // Starts a message of `size` bytes from `src` to `dst` at the engine's
  // current time; `on_delivered` runs at the simulated instant its last byte
  // arrives. A message to oneself is delivered at the current time (as a new
  // event, never re-entrantly).
  virtual void send(EndpointId src, EndpointId dst, Bytes size, Delivered on_delivered) = 0;
};

}  // namespace sim
