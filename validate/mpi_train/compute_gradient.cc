#include <chrono>
#include <thread>

#include "validate/mpi_train/real_run.h"

namespace sim::validate {

Gradient ComputeGradient(RealRunContext& c, std::uint32_t worker, const ParameterVersion& at, RankOutcome& outcome) {
  const double start = c.now();
  Gradient g = c.numerics.compute_gradient(worker, at);
  const double computed = c.now() - start;
  // The simulation's compute time is nominal x slowdown; here the nominal
  // part is the real computation, the rest a sleep. A log-normal slowdown
  // below 1 cannot speed the host up: it sleeps 0.
  const double slowdown = c.stragglers.next_slowdown(worker);
  if (slowdown > 1.0) std::this_thread::sleep_for(std::chrono::duration<double>(computed * (slowdown - 1.0)));
  outcome.compute_s += c.now() - start;
  ++outcome.computations;
  return g;
}

}  // namespace sim::validate
