// What a training strategy asks of the communication layer, in the
// vocabulary of data-parallel training. The concrete class runs collectives
// and parameter-server traffic as transfers on the simulated network
// (sim/collectives); tests may plug in one where communication is free, to
// check the compute side against closed forms.
#pragma once

#include <cstdint>
#include <functional>

#include "sim/core/units.h"

namespace sim {

class Communication {
 public:
  using Done = std::function<void()>;
  // Worker `worker`'s part is done, or it enters now.
  using WorkerDone = std::function<void(std::uint32_t worker)>;
  using Enter = std::function<void(std::uint32_t worker)>;
  virtual ~Communication() = default;

  // All-reduce of `size` bytes among all workers; `done` when every worker
  // holds the result.
  virtual void all_reduce(Bytes size, Done done) = 0;
  // All-gather among all workers, each contributing `piece` bytes (a
  // compressed gradient); `done` when every worker holds all W pieces.
  virtual void all_gather(Bytes piece, Done done) = 0;
  // The same collectives entered by each worker on its own, as MPI ranks
  // do: call the returned function once per worker when its input is ready;
  // `worker_done(w)` when worker w holds the result. Every worker must enter.
  virtual Enter all_reduce_each(Bytes size, WorkerDone worker_done) = 0;
  virtual Enter all_gather_each(Bytes piece, WorkerDone worker_done) = 0;
  // Worker `worker` sends `size` bytes (a gradient) to the parameter
  // servers, split across them; `applied` when every server has received its
  // share and added it in (the servers' apply cost).
  virtual void push(std::uint32_t worker, Bytes size, Done applied) = 0;
  // Worker `worker` fetches `size` bytes (the parameters) from the servers;
  // `done` when all shares arrived.
  virtual void pull(std::uint32_t worker, Bytes size, Done done) = 0;
};

}  // namespace sim
