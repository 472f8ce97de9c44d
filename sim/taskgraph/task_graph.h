// A training step of every device as a graph of operations (sim/DESIGN.md, "A
// step is a task graph"): computing a layer's forward or backward pass,
// sending activations, a rank's part in a collective over a group. Data
// parallelism with bucketed all-reduces, ZeRO, tensor and pipeline
// parallelism are different builders of this one graph; one executor
// (task_graph_run.h) runs it on the flow network, so bubbles, overlap and
// contention between groups come out of the simulation.
//
// Streams. Every operation is placed on a stream: a device's compute stream,
// or one of its communication streams (a CUDA stream per NCCL communicator,
// e.g. "data-parallel", "tensor-parallel"). The operations of a stream run one
// at a time in the order they were added, as a CUDA stream runs its kernels;
// different streams of one device run concurrently, which is how a GPU
// overlaps tensor-, pipeline- and data-parallel traffic with compute. The
// order is nothing but a dependency on the stream's previous operation.
//
// Operations:
//   compute   occupies its stream for a fixed duration (a layer's pass on the
//             device, its optimizer step), known when the graph is built.
//   send      one message of some bytes from the stream's device to another
//             endpoint; done when delivered.
//   member    rank r's part in a collective (a schedule of sim/collectives run
//             on the network): the rank enters when its own dependencies are
//             met, and its part is done when it has sent, received and reduced
//             all it takes part in (CollectiveRun::on_rank_done). The members
//             of one collective are consecutive operations.
//
// Every operation carries a category (forward, data-parallel traffic, ...) so
// that a run can say where the time went.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/collectives/schedule.h"
#include "sim/core/ids.h"
#include "sim/core/time.h"
#include "sim/core/units.h"

namespace sim::taskgraph {

using OpId = std::uint32_t;
using StreamId = std::uint32_t;

enum class OpKind : std::uint8_t { kCompute, kSend, kMember };

// What an operation is for: compute categories first, then traffic.
enum class Category : std::uint8_t {
  kForward,
  kBackward,
  kRecompute,
  kOptimizer,
  kDataParallel,    // gradient all-reduce / reduce-scatter, parameter all-gather, parameter-server traffic
  kTensorParallel,  // the all-reduces inside a tensor-parallel layer
  kPipeline,        // activations and their gradients between pipeline stages
  kParameterGather, // ZeRO stage 3: a layer's parameters gathered before its pass
};
inline constexpr int kCategories = 8;
[[nodiscard]] constexpr bool IsCompute(Category c) noexcept { return c <= Category::kOptimizer; }
[[nodiscard]] std::string_view CategoryName(Category c) noexcept;

struct Op {
  OpKind kind = OpKind::kCompute;
  Category category = Category::kForward;
  StreamId stream = 0;
  std::uint32_t step = 0;      // the training step it belongs to
  Time duration;               // compute
  std::uint32_t ref = 0;       // send: index of its message; member: of its collective
  std::uint32_t member = 0;    // member: its rank in the collective
};

struct Message {
  EndpointId dst = 0;
  Bytes size;
};

struct Collective {
  std::shared_ptr<const collectives::Schedule> schedule;
  std::uint32_t group = 0;  // the endpoints of its ranks: TaskGraph::group(group)
  OpId first_member = 0;    // member r is operation first_member + r
  BytesPerSecond reduction_rate{0.0};
};

struct Stream {
  EndpointId device = 0;
  std::string name;
  OpId last = 0;  // its latest operation (valid when has_ops)
  bool has_ops = false;
};

class TaskGraph {
 public:
  // A stream of `device`: e.g. "compute", "data-parallel". Ops on it run in
  // the order they are added.
  StreamId add_stream(EndpointId device, std::string name);
  // A group of ranks a collective runs among: rank r on endpoints[r].
  std::uint32_t add_group(std::vector<EndpointId> endpoints);

  OpId add_compute(StreamId stream, Category category, Time duration, std::span<const OpId> deps, std::uint32_t step);
  OpId add_send(StreamId stream, Category category, EndpointId dst, Bytes size, std::span<const OpId> deps,
                std::uint32_t step);
  // A collective over `group`: member r on streams[r] after member_deps[r].
  // Returns the first member's id (member r is that + r).
  OpId add_collective(std::shared_ptr<const collectives::Schedule> schedule, std::uint32_t group,
                      std::span<const StreamId> streams, Category category,
                      std::span<const std::vector<OpId>> member_deps, std::uint32_t step,
                      BytesPerSecond reduction_rate = BytesPerSecond{0.0});

  // Builds the reverse edges; after it nothing can be added.
  void seal();

  [[nodiscard]] std::size_t size() const noexcept { return ops_.size(); }
  [[nodiscard]] const Op& op(OpId id) const noexcept { return ops_[id]; }
  [[nodiscard]] std::span<const OpId> deps(OpId id) const noexcept {
    return {deps_.data() + dep_begin_[id], deps_.data() + dep_begin_[id + 1]};
  }
  [[nodiscard]] std::span<const OpId> dependents(OpId id) const noexcept {
    return {dependents_.data() + dependent_begin_[id], dependents_.data() + dependent_begin_[id + 1]};
  }
  [[nodiscard]] const Stream& stream(StreamId s) const noexcept { return streams_[s]; }
  [[nodiscard]] std::size_t streams() const noexcept { return streams_.size(); }
  [[nodiscard]] std::span<const EndpointId> group(std::uint32_t g) const noexcept { return groups_[g]; }
  [[nodiscard]] const Message& message(std::uint32_t m) const noexcept { return messages_[m]; }
  [[nodiscard]] const Collective& collective(std::uint32_t c) const noexcept { return collectives_[c]; }
  [[nodiscard]] std::size_t collectives() const noexcept { return collectives_.size(); }
  // The device an operation runs on (its stream's).
  [[nodiscard]] EndpointId device_of(OpId id) const noexcept { return streams_[ops_[id].stream].device; }
  [[nodiscard]] bool sealed() const noexcept { return sealed_; }

 private:
  OpId add(Op op, std::span<const OpId> deps);

  std::vector<Op> ops_;
  std::vector<std::uint32_t> dep_begin_{0};
  std::vector<OpId> deps_;
  std::vector<std::uint32_t> dependent_begin_;
  std::vector<OpId> dependents_;
  std::vector<Stream> streams_;
  std::vector<std::vector<EndpointId>> groups_;
  std::vector<Message> messages_;
  std::vector<Collective> collectives_;
  bool sealed_ = false;
};

}  // namespace sim::taskgraph
