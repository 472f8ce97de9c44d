#include "sim/taskgraph/task_graph.h"

#include <stdexcept>
#include <string>

namespace sim::taskgraph {

std::string_view CategoryName(Category c) noexcept {
  switch (c) {
    case Category::kForward: return "forward";
    case Category::kBackward: return "backward";
    case Category::kRecompute: return "recompute";
    case Category::kOptimizer: return "optimizer";
    case Category::kDataParallel: return "data-parallel";
    case Category::kTensorParallel: return "tensor-parallel";
    case Category::kPipeline: return "pipeline";
    case Category::kParameterGather: return "parameter-gather";
  }
  return "?";
}

StreamId TaskGraph::add_stream(EndpointId device, std::string name) {
  if (sealed_) throw std::logic_error("task graph: sealed");
  streams_.push_back(Stream{device, std::move(name), 0, false});
  return static_cast<StreamId>(streams_.size() - 1);
}

std::uint32_t TaskGraph::add_group(std::vector<EndpointId> endpoints) {
  if (sealed_) throw std::logic_error("task graph: sealed");
  groups_.push_back(std::move(endpoints));
  return static_cast<std::uint32_t>(groups_.size() - 1);
}

OpId TaskGraph::add(Op op, std::span<const OpId> deps) {
  if (sealed_) throw std::logic_error("task graph: sealed");
  if (op.stream >= streams_.size()) throw std::invalid_argument("task graph: no stream " + std::to_string(op.stream));
  const auto id = static_cast<OpId>(ops_.size());
  for (OpId d : deps) {
    if (d >= id) throw std::invalid_argument("task graph: operation " + std::to_string(id) + " depends on a later one");
  }
  Stream& s = streams_[op.stream];
  ops_.push_back(op);
  deps_.insert(deps_.end(), deps.begin(), deps.end());
  if (s.has_ops) deps_.push_back(s.last);  // stream order
  dep_begin_.push_back(static_cast<std::uint32_t>(deps_.size()));
  s.last = id;
  s.has_ops = true;
  return id;
}

OpId TaskGraph::add_compute(StreamId stream, Category category, Time duration, std::span<const OpId> deps,
                            std::uint32_t step) {
  if (duration < Time::zero()) throw std::invalid_argument("task graph: negative duration");
  return add(Op{OpKind::kCompute, category, stream, step, duration, 0, 0}, deps);
}

OpId TaskGraph::add_send(StreamId stream, Category category, EndpointId dst, Bytes size, std::span<const OpId> deps,
                         std::uint32_t step) {
  messages_.push_back(Message{dst, size});
  return add(Op{OpKind::kSend, category, stream, step, Time::zero(), static_cast<std::uint32_t>(messages_.size() - 1),
                0},
             deps);
}

OpId TaskGraph::add_collective(std::shared_ptr<const collectives::Schedule> schedule, std::uint32_t group,
                               std::span<const StreamId> streams, Category category,
                               std::span<const std::vector<OpId>> member_deps, std::uint32_t step,
                               BytesPerSecond reduction_rate) {
  if (group >= groups_.size()) throw std::invalid_argument("task graph: no group " + std::to_string(group));
  const std::size_t ranks = groups_[group].size();
  if (!schedule || schedule->ranks() != ranks || streams.size() != ranks || member_deps.size() != ranks) {
    throw std::invalid_argument("task graph: a collective needs a schedule, a stream and dependencies per rank of "
                                "its group (" + std::to_string(ranks) + " ranks)");
  }
  const auto index = static_cast<std::uint32_t>(collectives_.size());
  const auto first = static_cast<OpId>(ops_.size());
  collectives_.push_back(Collective{std::move(schedule), group, first, reduction_rate});
  for (std::uint32_t r = 0; r < ranks; ++r) {
    if (streams_.at(streams[r]).device != groups_[group][r]) {
      throw std::invalid_argument("task graph: rank " + std::to_string(r) + " of a collective on another device's stream");
    }
    add(Op{OpKind::kMember, category, streams[r], step, Time::zero(), index, r}, member_deps[r]);
  }
  return first;
}

void TaskGraph::seal() {
  if (sealed_) return;
  const std::size_t n = ops_.size();
  dependent_begin_.assign(n + 1, 0);
  for (OpId d : deps_) ++dependent_begin_[d + 1];
  for (std::size_t i = 0; i < n; ++i) dependent_begin_[i + 1] += dependent_begin_[i];
  dependents_.resize(deps_.size());
  std::vector<std::uint32_t> cursor(dependent_begin_.begin(), dependent_begin_.end() - 1);
  for (OpId id = 0; id < n; ++id) {
    for (OpId d : deps(id)) dependents_[cursor[d]++] = id;
  }
  sealed_ = true;
}

}  // namespace sim::taskgraph
