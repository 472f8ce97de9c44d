#include "sim/taskgraph/task_graph_run.h"

#include <stdexcept>

namespace sim::taskgraph {

TaskGraphRun::TaskGraphRun(Engine& engine, Transport& transport, const TaskGraph& graph, TaskGraphRunOptions options)
    : engine_(engine), transport_(transport), graph_(graph), options_(std::move(options)) {
  if (!graph.sealed()) throw std::invalid_argument("task graph run: the graph is not sealed");
  if (options_.timer != nullptr && options_.exclusive.size() != graph.collectives()) {
    throw std::invalid_argument("task graph run: `exclusive` must say, for every collective, whether it is");
  }
  const std::size_t n = graph.size();
  deps_left_.resize(n);
  for (OpId id = 0; id < n; ++id) deps_left_[id] = static_cast<std::uint32_t>(graph.deps(id).size());
  start_.assign(n, Time::max());
  end_.assign(n, Time::max());
  const std::size_t c = graph.collectives();
  runs_.resize(c);
  entered_.assign(c, 0);
  first_entry_.assign(c, Time::zero());
  on_network_.assign(c, false);
  left_ = n;
}

TaskGraphRun::~TaskGraphRun() = default;

void TaskGraphRun::start() {
  for (OpId id = 0; id < graph_.size(); ++id) {
    if (deps_left_[id] == 0) begin(id);
  }
  if (left_ == 0) finish_ = engine_.now();
}

void TaskGraphRun::begin(OpId id) {
  start_[id] = engine_.now();
  const Op& op = graph_.op(id);
  switch (op.kind) {
    case OpKind::kCompute:
      engine_.schedule_in(op.duration, [this, id] { complete(id); });
      return;
    case OpKind::kSend: {
      const Message& m = graph_.message(op.ref);
      transport_.send(graph_.device_of(id), m.dst, m.size, [this, id] { complete(id); });
      return;
    }
    case OpKind::kMember:
      enter(op.ref, op.member);
      return;
  }
}

void TaskGraphRun::enter(std::uint32_t index, std::uint32_t member) {
  const Collective& c = graph_.collective(index);
  const auto ranks = static_cast<std::uint32_t>(graph_.group(c.group).size());
  if (entered_[index]++ == 0) first_entry_[index] = engine_.now();
  if (on_network_[index]) {
    runs_[index]->enter(member);
    return;
  }
  const bool may_shortcut = options_.timer != nullptr && options_.exclusive[index];
  if (!may_shortcut) {
    simulate(index);
    return;
  }
  if (entered_[index] == ranks && first_entry_[index] == engine_.now()) {
    // Every member entered at this instant, on links of its own.
    const Time alone = options_.timer->isolated(c, graph_.group(c.group));
    ++shortcut_;
    engine_.schedule_in(alone, [this, index] { end_collective(index); });
    return;
  }
  if (entered_[index] == 1) {
    // Wait for the rest of this instant: any member that has not entered by
    // then enters later, and the collective runs on the network.
    engine_.schedule_in(Time::zero(), [this, index, ranks] {
      if (entered_[index] < ranks && !on_network_[index]) simulate(index);
    });
  }
}

void TaskGraphRun::simulate(std::uint32_t index) {
  const Collective& c = graph_.collective(index);
  const auto endpoints = graph_.group(c.group);
  collectives::RunOptions options;
  options.reduction_rate = c.reduction_rate;
  options.on_done = [this, index](Time) {
    end_collective(index);
    // Released after its own callback has returned.
    engine_.schedule_in(Time::zero(), [this, index] { runs_[index].reset(); });
  };
  runs_[index] = std::make_unique<collectives::CollectiveRun>(
      engine_, transport_, c.schedule, std::vector<EndpointId>(endpoints.begin(), endpoints.end()),
      std::move(options));
  on_network_[index] = true;
  ++simulated_;
  // The members that entered so far enter now (they entered at this instant
  // or, without the shortcut, are entering one by one as they come).
  for (std::uint32_t r = 0; r < endpoints.size(); ++r) {
    if (start_[c.first_member + r] != Time::max()) runs_[index]->enter(r);
  }
}

void TaskGraphRun::end_collective(std::uint32_t index) {
  const Collective& c = graph_.collective(index);
  const auto ranks = static_cast<std::uint32_t>(graph_.group(c.group).size());
  for (std::uint32_t r = 0; r < ranks; ++r) complete(c.first_member + r);
}

void TaskGraphRun::complete(OpId id) {
  end_[id] = engine_.now();
  if (--left_ == 0) finish_ = engine_.now();
  for (OpId next : graph_.dependents(id)) {
    if (--deps_left_[next] == 0) begin(next);
  }
}

}  // namespace sim::taskgraph
