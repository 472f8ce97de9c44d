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
  part_.assign(c, 0);
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
  while (steps_begun_ <= op.step) {
    if (options_.on_step_start) options_.on_step_start(steps_begun_);
    ++steps_begun_;
  }
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
    Time alone = Time::zero();
    for (const auto& schedule : c.schedules) alone += options_.timer->isolated(schedule, c, graph_.group(c.group));
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
  on_network_[index] = true;
  ++simulated_;
  // The members that entered so far enter now (they entered at this instant
  // or, without the shortcut, are entering one by one as they come).
  std::vector<std::uint32_t> members;
  for (std::uint32_t r = 0; r < graph_.group(c.group).size(); ++r) {
    if (start_[c.first_member + r] != Time::max()) members.push_back(r);
  }
  run_part(index, members);
}

void TaskGraphRun::run_part(std::uint32_t index, const std::vector<std::uint32_t>& members) {
  const Collective& c = graph_.collective(index);
  const auto endpoints = graph_.group(c.group);
  collectives::RunOptions options;
  options.reduction_rate = c.reduction_rate;
  options.on_done = [this, index](Time) {
    // The finished run is released after its own callback has returned.
    engine_.schedule_in(Time::zero(), [run = std::shared_ptr<collectives::CollectiveRun>(std::move(runs_[index]))] {});
    const Collective& done = graph_.collective(index);
    if (++part_[index] < done.schedules.size()) {
      std::vector<std::uint32_t> all(graph_.group(done.group).size());
      for (std::uint32_t r = 0; r < all.size(); ++r) all[r] = r;
      run_part(index, all);
    } else {
      end_collective(index);
    }
  };
  runs_[index] = std::make_unique<collectives::CollectiveRun>(
      engine_, transport_, c.schedules[part_[index]], std::vector<EndpointId>(endpoints.begin(), endpoints.end()),
      std::move(options));
  for (std::uint32_t r : members) runs_[index]->enter(r);
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
