// Runs a TaskGraph on the simulated network: a compute operation holds its
// stream for its duration, a send is a message on the Transport, and the
// members of a collective enter a CollectiveRun (sim/collectives) one by one
// as their own dependencies are met. A collective ends for all its members
// at once, when its last rank is done: NCCL's kernels on the ranks of a ring
// end within one link latency of each other, and one end time makes a
// collective one interval for every member. Every operation's start and end
// are kept, so that a run can say where each device's time went
// (time_breakdown.h).
//
// Shortcut (sim/DESIGN.md, "Do not re-simulate what cannot differ"): a
// collective whose communicator (its group of ranks on one stream name) has
// links to itself, that nothing else in the graph crosses in either
// direction, and whose members all enter at one instant, takes exactly the
// time it takes alone on an idle network: the network is time-invariant, its
// instances never overlap (each member's next one waits for this one's common
// end), and no other flow can touch its links. That time comes from a
// CollectiveTimer (an isolated simulation, cached) instead of simulating its
// flows again. Members that do not all enter at one instant run the full
// simulation. tests/taskgraph checks the shortcut against the full simulation.
//
// No global state: the graph, engine and transport are passed in; a run must
// outlive the engine events it scheduled.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/collectives/collective_run.h"
#include "sim/engine/engine.h"
#include "sim/network/transport.h"
#include "sim/taskgraph/task_graph.h"

namespace sim::taskgraph {

// How long a collective takes alone on the idle network of the run, all
// ranks entering at once.
class CollectiveTimer {
 public:
  virtual ~CollectiveTimer() = default;
  [[nodiscard]] virtual Time isolated(const Collective& collective, std::span<const EndpointId> endpoints) = 0;
};

struct TaskGraphRunOptions {
  // With a timer, collectives of the communicators marked exclusive (indexed
  // by collective; see ExclusiveCollectives) may take the shortcut.
  CollectiveTimer* timer = nullptr;
  std::vector<bool> exclusive;
};

class TaskGraphRun {
 public:
  // `graph` must be sealed and outlive the run.
  TaskGraphRun(Engine& engine, Transport& transport, const TaskGraph& graph, TaskGraphRunOptions options = {});
  TaskGraphRun(const TaskGraphRun&) = delete;
  TaskGraphRun& operator=(const TaskGraphRun&) = delete;
  ~TaskGraphRun();

  // Starts every operation without dependencies, now.
  void start();

  [[nodiscard]] bool done() const noexcept { return left_ == 0; }
  // When the last operation ended; valid once done().
  [[nodiscard]] Time finish_time() const noexcept { return finish_; }
  [[nodiscard]] Time start_of(OpId id) const noexcept { return start_[id]; }
  [[nodiscard]] Time end_of(OpId id) const noexcept { return end_[id]; }
  [[nodiscard]] const TaskGraph& graph() const noexcept { return graph_; }
  // Collectives timed by the shortcut, and simulated flow by flow.
  [[nodiscard]] std::uint64_t collectives_shortcut() const noexcept { return shortcut_; }
  [[nodiscard]] std::uint64_t collectives_simulated() const noexcept { return simulated_; }

 private:
  void begin(OpId id);
  void complete(OpId id);
  void enter(std::uint32_t index, std::uint32_t member);
  // The members that entered so far go on the network, now.
  void simulate(std::uint32_t index);
  // All members end now.
  void end_collective(std::uint32_t index);

  Engine& engine_;
  Transport& transport_;
  const TaskGraph& graph_;
  TaskGraphRunOptions options_;
  std::vector<std::uint32_t> deps_left_;
  std::vector<Time> start_;
  std::vector<Time> end_;
  // Per collective: its run on the network, made when needed and released
  // (outside its own callbacks) once it is done; members entered so far and
  // when the first of them did; whether the shortcut was decided against.
  std::vector<std::unique_ptr<collectives::CollectiveRun>> runs_;
  std::vector<std::uint32_t> entered_;
  std::vector<Time> first_entry_;
  std::vector<bool> on_network_;
  std::size_t left_ = 0;
  Time finish_ = Time::zero();
  std::uint64_t shortcut_ = 0;
  std::uint64_t simulated_ = 0;
};

}  // namespace sim::taskgraph
