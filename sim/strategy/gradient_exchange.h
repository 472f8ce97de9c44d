// What a worker's gradient costs between its computation and its
// application, compression included (strategy.compression): the collectives
// of a synchronous step, the bytes a worker pushes to the parameter servers,
// and the time to encode and decode at the device's rate.
//
// Without compression: one all-reduce of the dense gradient, or a push of
// it, and nothing to encode or decode: the exchange every strategy ran before
// compression existed, event for event.
// With compression (models/compression):
//   phases  compressed_exchange.h: an all-gather of every worker's code
//           (sparse and quantised schemes: codes with their own indices or
//           scales cannot be summed in place), or PowerSGD's all-reduce of the
//           P factors then of the Q factors, per power iteration;
//   push    the code's encoded size, indices and scales included
//           (wire_size.h); the parameters come back dense;
//   encode  compression_work.h's FLOPs of compressing one gradient (error
//           feedback included) at the device's sustained rate (peak x
//           efficiency; no step overhead: it runs within the step);
//   decode  of what a worker receives in a synchronous exchange: the W - 1
//           other workers' codes of an all-gather, or PowerSGD's reduced
//           factors once. A parameter server decodes what it is pushed
//           within its apply cost (strategy.server_apply_gbyte_per_s, on the
//           bytes pushed).
// Encoding and decoding belong to the exchange: a worker's time in them is
// communication (comm_s), so that compute_s stays the gradients' time.
// PowerSGD computes Q = M^T P between its two all-reduces; here all of its
// encoding comes before the first. Every worker encodes alike, so a
// synchronous step lasts the same either way.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "models/compression/compressed_exchange.h"
#include "models/compression/compression_options.h"
#include "models/compression/matrix_shapes.h"
#include "models/compute/device_profile.h"
#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/engine/engine.h"
#include "sim/strategy/communication.h"

namespace sim {

struct GradientExchange {
  std::vector<models::ExchangePhase> phases;  // the synchronous exchange, in order
  Bytes push;                                 // one worker's gradient to the servers
  Time encode = Time::zero();                 // on the sending worker
  Time decode = Time::zero();                 // after the phases, on every worker
};

// The dense gradient of `gradient` bytes among `workers` workers.
[[nodiscard]] GradientExchange DenseExchange(Bytes gradient, std::uint32_t workers);

// The exchange of `options` (assumed valid: the run plan checked them) for a
// model of `parameters` entries whose weight matrices are `shapes`, dense
// gradients of `gradient` bytes, on `device`. kNone gives DenseExchange.
[[nodiscard]] GradientExchange ExchangeOf(const models::CompressionOptions& options, std::int64_t parameters,
                                          std::span<const models::MatrixShape> shapes, Bytes gradient,
                                          std::uint32_t workers, const models::DeviceProfile& device);

// Calls `then` once `delay` (of encoding or decoding) has passed, or at once,
// firing no event, when it is zero: without compression a run is the same
// sequence of events as before compression existed.
void AfterCodec(Engine& engine, Time delay, Engine::Callback then);

// Runs `phases` (all-reduces and all-gathers) one after another on
// `communication`; `done` when the last is done. At least one phase.
void RunPhases(Communication& communication, std::span<const models::ExchangePhase> phases, Communication::Done done);

// The same, each worker on its own (Communication::all_reduce_each): a
// worker enters the next phase when its part of the previous one is done;
// `worker_done(w)` when w is through the last. Every phase's collective is
// opened at once, so a worker may enter phase k + 1 before another has
// entered phase k. Call the result once per worker.
Communication::Enter EnterPhases(Communication& communication, std::span<const models::ExchangePhase> phases,
                                 Communication::WorkerDone worker_done);

}  // namespace sim
