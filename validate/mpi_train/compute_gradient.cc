#include <chrono>
#include <thread>

#include "validate/mpi_train/real_run.h"

namespace sim::validate {

Gradient ComputeGradient(RealRunContext& c, std::uint32_t worker, const ParameterVersion& at, RankOutcome& outcome) {
  const double start = c.now();
  Gradient g = c.numerics.compute_gradient(worker, at);
  const double computed = c.now() - start;
  outcome.gradient_s += computed;
  // The simulation's compute time is nominal x slowdown; here the nominal
  // part is the real computation, the rest a sleep. A log-normal slowdown
  // below 1 cannot speed the host up: it sleeps 0.
  const double slowdown = c.stragglers.next_slowdown(worker);
  if (slowdown > 1.0) std::this_thread::sleep_for(std::chrono::duration<double>(computed * (slowdown - 1.0)));
  outcome.compute_s += c.now() - start;
  ++outcome.computations;
  return g;
}

std::optional<Gradient> ComputeGradientUnlessCut(RealRunContext& c, std::uint32_t worker, const ParameterVersion& at,
                                                 RankOutcome& outcome, const std::function<bool()>& update_made) {
  // The straggler sleep in slices this long, asking between them whether the
  // step's update is made: how late a cut can come, beyond the check's own
  // cost (an MPI_Iprobe, a few microseconds).
  constexpr std::chrono::microseconds kSlice{200};
  const double start = c.now();
  Gradient g = c.numerics.compute_gradient(worker, at);
  const double computed = c.now() - start;
  outcome.gradient_s += computed;
  const double slowdown = c.stragglers.next_slowdown(worker);
  ++outcome.computations;
  bool cut = update_made();
  if (!cut && slowdown > 1.0) {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(computed * (slowdown - 1.0)));
    while (!cut) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) break;
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(kSlice, deadline - now));
      cut = update_made();
    }
  }
  outcome.compute_s += c.now() - start;
  if (cut) return std::nullopt;
  return g;
}

}  // namespace sim::validate
