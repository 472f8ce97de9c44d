#include "sim/parallelism/hybrid_parallel.h"

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>
#include <tuple>

namespace sim::parallelism {
namespace {

using taskgraph::Category;
using taskgraph::OpId;
using taskgraph::StreamId;
using taskgraph::TaskGraph;

constexpr OpId kNotBuilt = 0xffffffffu;

// The size of dimension `d` ('t', 'p' or 'd').
std::uint32_t SizeOf(const HybridConfig& c, char d) {
  return d == 't' ? c.tensor : d == 'p' ? c.pipeline : c.data;
}

std::uint32_t IndexOf(RankCoordinates at, char d) {
  return d == 't' ? at.tensor : d == 'p' ? at.stage : at.replica;
}

class HybridBuilder {
 public:
  explicit HybridBuilder(const HybridConfig& c)
      : c_(c), ranks_(c.tensor * c.pipeline * c.data), virtual_stages_(c.pipeline * c.chunks) {
    for (std::uint32_t r = 0; r < ranks_; ++r) {
      const EndpointId e = c.devices[r];
      compute_.push_back(g_.add_stream(e, "compute"));
      send_forward_.push_back(g_.add_stream(e, "pipeline-forward"));
      send_backward_.push_back(g_.add_stream(e, "pipeline-backward"));
      exchange_.push_back(g_.add_stream(e, "data-parallel"));
    }
    // Tensor-parallel groups by (stage, replica), data-parallel groups by
    // (tensor index, stage), members in index order.
    for (std::uint32_t s = 0; s < c.pipeline; ++s) {
      for (std::uint32_t r = 0; r < c.data; ++r) {
        std::vector<EndpointId> members;
        for (std::uint32_t t = 0; t < c.tensor; ++t) members.push_back(c.devices[RankOf(c, {t, s, r})]);
        tensor_group_[{s, r}] = g_.add_group(members);
      }
      for (std::uint32_t t = 0; t < c.tensor; ++t) {
        std::vector<EndpointId> members;
        for (std::uint32_t r = 0; r < c.data; ++r) members.push_back(c.devices[RankOf(c, {t, s, r})]);
        data_group_[{t, s}] = g_.add_group(members);
      }
    }
    ready_.assign(ranks_, {});
    last_.assign(ranks_, kNotBuilt);
  }

  TaskGraph build() && {
    for (std::uint32_t step = 0; step < c_.steps; ++step) one_step(step);
    g_.seal();
    return std::move(g_);
  }

 private:
  // What each (virtual stage, replica, micro-batch) has sent this step, per
  // tensor index (kNotBuilt until then), in one flat table.
  class Sent {
   public:
    void reset(const HybridConfig& c, std::uint32_t virtual_stages) {
      c_ = &c;
      ops_.assign(std::size_t{virtual_stages} * c.data * c.micro_batches * c.tensor, kNotBuilt);
    }
    [[nodiscard]] bool contains(std::uint32_t vs, std::uint32_t r, std::uint32_t mb) const {
      return ops_[at(vs, r, mb, 0)] != kNotBuilt;
    }
    [[nodiscard]] OpId get(std::uint32_t vs, std::uint32_t r, std::uint32_t mb, std::uint32_t t) const {
      return ops_[at(vs, r, mb, t)];
    }
    void set(std::uint32_t vs, std::uint32_t r, std::uint32_t mb, const std::vector<OpId>& sent) {
      std::copy(sent.begin(), sent.end(), ops_.begin() + static_cast<std::ptrdiff_t>(at(vs, r, mb, 0)));
    }

   private:
    [[nodiscard]] std::size_t at(std::uint32_t vs, std::uint32_t r, std::uint32_t mb, std::uint32_t t) const {
      return ((std::size_t{vs} * c_->data + r) * c_->micro_batches + mb) * c_->tensor + t;
    }
    const HybridConfig* c_ = nullptr;
    std::vector<OpId> ops_;
  };

  void one_step(std::uint32_t step) {
    step_ = step;
    forward_sent_.reset(c_, virtual_stages_);
    backward_sent_.reset(c_, virtual_stages_);
    std::vector<std::vector<PipelinePass>> passes;
    for (std::uint32_t s = 0; s < c_.pipeline; ++s) {
      passes.push_back(StagePasses(c_.schedule, c_.pipeline, s, c_.micro_batches, c_.chunks));
    }
    // Build passes in an order that respects what crosses devices: a pass is
    // added once what it waits for from another stage has been.
    std::vector<std::size_t> next(c_.pipeline * c_.data, 0);
    bool progress = true;
    while (progress) {
      progress = false;
      for (std::uint32_t s = 0; s < c_.pipeline; ++s) {
        for (std::uint32_t r = 0; r < c_.data; ++r) {
          std::size_t& at = next[s * c_.data + r];
          while (at < passes[s].size() && buildable(s, r, passes[s][at])) {
            build(s, r, passes[s][at++]);
            progress = true;
          }
        }
      }
    }
    for (std::size_t at : next) {
      if (at != passes.front().size()) throw std::logic_error("hybrid parallel: the pipeline schedule deadlocks");
    }
    exchange_and_step();
  }

  std::uint32_t virtual_stage(std::uint32_t s, const PipelinePass& p) const { return p.chunk * c_.pipeline + s; }

  bool buildable(std::uint32_t s, std::uint32_t r, const PipelinePass& p) const {
    const std::uint32_t vs = virtual_stage(s, p);
    if (p.forward) return vs == 0 || forward_sent_.contains(vs - 1, r, p.micro_batch);
    return vs + 1 == virtual_stages_ || backward_sent_.contains(vs + 1, r, p.micro_batch);
  }

  void build(std::uint32_t s, std::uint32_t r, const PipelinePass& p) {
    const std::uint32_t vs = virtual_stage(s, p);
    const ChunkCost& cost = c_.stages[vs];
    const std::uint32_t t_size = c_.tensor;
    std::vector<OpId> last(t_size);
    for (std::uint32_t t = 0; t < t_size; ++t) {
      const std::uint32_t rank = RankOf(c_, {t, s, r});
      std::vector<OpId> deps = std::move(ready_[rank]);
      ready_[rank].clear();
      if (p.forward && vs > 0) deps.push_back(forward_sent_.get(vs - 1, r, p.micro_batch, t));
      if (!p.forward && vs + 1 < virtual_stages_) deps.push_back(backward_sent_.get(vs + 1, r, p.micro_batch, t));
      if (p.forward) {
        last[t] = g_.add_compute(compute_[rank], Category::kForward, cost.forward, deps, step_);
      } else {
        if (cost.recompute > Time::zero()) {
          g_.add_compute(compute_[rank], Category::kRecompute, cost.recompute, deps, step_);
          deps.clear();
        }
        last[t] = g_.add_compute(compute_[rank], Category::kBackward, cost.backward, deps, step_);
      }
    }
    // Tensor-parallel collectives of the pass, on the compute streams, one
    // after the other: one collective of their sequence (task_graph.h).
    const std::vector<CollectiveCall>& calls = p.forward ? cost.tensor_forward : cost.tensor_backward;
    if (t_size > 1 && !calls.empty()) {
      const std::uint32_t group = tensor_group_.at({s, r});
      std::vector<StreamId> streams;
      for (std::uint32_t t = 0; t < t_size; ++t) streams.push_back(compute_[RankOf(c_, {t, s, r})]);
      std::vector<std::shared_ptr<const collectives::Schedule>> sequence;
      for (const CollectiveCall& call : calls) sequence.push_back(schedule(call.op, call.size, group, c_.algorithm));
      const std::vector<std::vector<OpId>> none(t_size);
      const OpId first =
          g_.add_collective(std::move(sequence), group, streams, Category::kTensorParallel, none, step_);
      for (std::uint32_t t = 0; t < t_size; ++t) last[t] = first + t;
    }
    for (std::uint32_t t = 0; t < t_size; ++t) last_[RankOf(c_, {t, s, r})] = last[t];
    // Activations to the next virtual stage, or their gradient back.
    std::vector<OpId> sent(t_size);
    for (std::uint32_t t = 0; t < t_size; ++t) {
      const std::uint32_t rank = RankOf(c_, {t, s, r});
      const OpId after[] = {last[t]};
      if (p.forward && vs + 1 < virtual_stages_) {
        const EndpointId to = c_.devices[RankOf(c_, {t, (vs + 1) % c_.pipeline, r})];
        sent[t] = g_.add_send(send_forward_[rank], Category::kPipeline, to, cost.activations_out, after, step_);
      } else if (!p.forward && vs > 0) {
        const EndpointId to = c_.devices[RankOf(c_, {t, (vs - 1) % c_.pipeline, r})];
        const Bytes size = c_.stages[vs - 1].activations_out;
        sent[t] = g_.add_send(send_backward_[rank], Category::kPipeline, to, size, after, step_);
      }
    }
    if (p.forward && vs + 1 < virtual_stages_) forward_sent_.set(vs, r, p.micro_batch, sent);
    if (!p.forward && vs > 0) backward_sent_.set(vs, r, p.micro_batch, sent);
  }

  // Each device's gradients exchanged with its replicas, then its optimizer.
  void exchange_and_step() {
    const bool sharded = c_.zero != models::ZeroStage::kNone;
    for (std::uint32_t s = 0; s < c_.pipeline; ++s) {
      Bytes gradient{0}, parameters{0};
      for (std::uint32_t chunk = 0; chunk < c_.chunks; ++chunk) {
        gradient = gradient + c_.stages[chunk * c_.pipeline + s].gradient;
        parameters = parameters + c_.stages[chunk * c_.pipeline + s].parameters;
      }
      const Time optimizer = sharded ? Time(c_.optimizer[s].picoseconds() / c_.data) : c_.optimizer[s];
      for (std::uint32_t t = 0; t < c_.tensor; ++t) {
        std::vector<std::uint32_t> ranks;
        for (std::uint32_t r = 0; r < c_.data; ++r) ranks.push_back(RankOf(c_, {t, s, r}));
        std::vector<OpId> exchanged(c_.data, kNotBuilt);
        if (c_.data > 1 && gradient.count > 0) {
          const OpId first = data_collective(sharded ? collectives::Op::kReduceScatter : collectives::Op::kAllReduce,
                                             gradient, t, s, ranks, last_of(ranks));
          for (std::uint32_t r = 0; r < c_.data; ++r) exchanged[r] = first + r;
        }
        std::vector<OpId> stepped;
        for (std::uint32_t r = 0; r < c_.data; ++r) {
          std::vector<OpId> deps;
          if (exchanged[r] != kNotBuilt) deps.push_back(exchanged[r]);
          stepped.push_back(g_.add_compute(compute_[ranks[r]], Category::kOptimizer, optimizer, deps, step_));
          last_[ranks[r]] = stepped.back();
        }
        if (sharded && c_.data > 1 && parameters.count > 0) {
          std::vector<std::vector<OpId>> deps;
          for (OpId o : stepped) deps.push_back({o});
          const OpId first = data_collective(collectives::Op::kAllGather, parameters, t, s, ranks, deps);
          for (std::uint32_t r = 0; r < c_.data; ++r) ready_[ranks[r]] = {first + r};
        }
      }
    }
  }

  std::vector<std::vector<OpId>> last_of(const std::vector<std::uint32_t>& ranks) const {
    std::vector<std::vector<OpId>> deps;
    for (std::uint32_t rank : ranks) deps.push_back({last_[rank]});
    return deps;
  }

  OpId data_collective(collectives::Op op, Bytes size, std::uint32_t t, std::uint32_t s,
                       const std::vector<std::uint32_t>& ranks, const std::vector<std::vector<OpId>>& deps) {
    std::vector<StreamId> streams;
    for (std::uint32_t rank : ranks) streams.push_back(exchange_[rank]);
    const std::uint32_t group = data_group_.at({t, s});
    return g_.add_collective(schedule(op, size, group, c_.algorithm), group, streams, Category::kDataParallel, deps,
                             step_, c_.reduction_rate);
  }

  // The schedule of `op` over a group. Asked for hierarchical, a group
  // follows the topology's hierarchy: a flat ring when it lies inside one
  // host or has one member per host; else within hosts, then across (by
  // rails when every host has as many members, else through one leader per
  // host).
  std::shared_ptr<const collectives::Schedule> schedule(collectives::Op op, Bytes size, std::uint32_t group,
                                                        collectives::Algorithm algorithm) {
    auto& by_group = by_group_[{op, size.count, group}];
    if (!by_group) by_group = build_schedule(op, size, group, algorithm);
    return by_group;
  }

  std::shared_ptr<const collectives::Schedule> build_schedule(collectives::Op op, Bytes size, std::uint32_t group,
                                                              collectives::Algorithm algorithm) {
    std::vector<std::uint32_t> hosts;
    bool rails = true;
    if (algorithm == collectives::Algorithm::kHierarchical) {
      std::map<std::uint32_t, std::uint32_t> members;
      for (EndpointId e : g_.group(group)) {
        hosts.push_back(c_.host_of_device.at(e));
        ++members[hosts.back()];
      }
      const std::uint32_t first = members.begin()->second;
      const bool one_each = std::all_of(members.begin(), members.end(), [](const auto& m) { return m.second == 1; });
      rails = std::all_of(members.begin(), members.end(), [&](const auto& m) { return m.second == first; });
      if (members.size() == 1 || one_each) {
        algorithm = collectives::Algorithm::kRing;
        hosts.clear();
      }
    }
    if (!collectives::Supports(op, algorithm)) {
      algorithm = collectives::Algorithm::kRing;
      hosts.clear();
    }
    auto& cached = schedules_[{op, size.count, g_.group(group).size(), algorithm, hosts}];
    if (!cached) {
      cached = std::make_shared<const collectives::Schedule>(
          collectives::BuildSchedule({.op = op,
                                      .algorithm = algorithm,
                                      .ranks = static_cast<std::uint32_t>(g_.group(group).size()),
                                      .bytes = size,
                                      .host_of_rank = hosts,
                                      .rails = rails}));
    }
    return cached;
  }

  const HybridConfig& c_;
  std::uint32_t ranks_;
  std::uint32_t virtual_stages_;
  TaskGraph g_;
  std::vector<StreamId> compute_, send_forward_, send_backward_, exchange_;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> tensor_group_, data_group_;
  std::map<std::tuple<collectives::Op, std::int64_t, std::size_t, collectives::Algorithm, std::vector<std::uint32_t>>,
           std::shared_ptr<const collectives::Schedule>>
      schedules_;
  // The same, by group: what a pass asks for.
  std::map<std::tuple<collectives::Op, std::int64_t, std::uint32_t>, std::shared_ptr<const collectives::Schedule>>
      by_group_;
  Sent forward_sent_, backward_sent_;
  // Per rank: what its next step's first pass waits for, and its latest
  // operation on its compute stream.
  std::vector<std::vector<OpId>> ready_;
  std::vector<OpId> last_;
  std::uint32_t step_ = 0;
};

}  // namespace

std::uint32_t RankOf(const HybridConfig& c, RankCoordinates at) {
  std::uint32_t rank = 0, stride = 1;
  for (char d : c.order) {
    rank += IndexOf(at, d) * stride;
    stride *= SizeOf(c, d);
  }
  return rank;
}

RankCoordinates CoordinatesOf(const HybridConfig& c, std::uint32_t rank) {
  RankCoordinates at;
  for (char d : c.order) {
    const std::uint32_t size = SizeOf(c, d), index = rank % size;
    rank /= size;
    (d == 't' ? at.tensor : d == 'p' ? at.stage : at.replica) = index;
  }
  return at;
}

std::vector<std::string> HybridProblems(const HybridConfig& c) {
  std::vector<std::string> problems;
  if (c.tensor < 1 || c.pipeline < 1 || c.data < 1) problems.push_back("tensor, pipeline and data sizes must be >= 1");
  std::string sorted = c.order;
  std::sort(sorted.begin(), sorted.end());
  if (sorted != "dpt") problems.push_back("order must name t, p and d once each, got '" + c.order + "'");
  if (c.devices.size() != std::size_t{c.tensor} * c.pipeline * c.data) {
    problems.push_back("tensor x pipeline x data = " + std::to_string(std::size_t{c.tensor} * c.pipeline * c.data) +
                       " must equal the devices, " + std::to_string(c.devices.size()));
  }
  if (c.stages.size() != std::size_t{c.pipeline} * c.chunks) {
    problems.push_back(std::to_string(c.stages.size()) + " virtual stages given for " + std::to_string(c.pipeline) +
                       " stages x " + std::to_string(c.chunks) + " chunks");
  }
  if (c.optimizer.size() != c.pipeline) problems.push_back("one optimizer time per stage is needed");
  if (c.micro_batches < 1) problems.push_back("micro-batches must be >= 1");
  if (c.zero == models::ZeroStage::kParameters) {
    problems.push_back("ZeRO stage 3 with tensor or pipeline parallelism is not modelled (DeepSpeed does not combine "
                       "it with pipelines); use stage 1 or 2");
  }
  return problems;
}

taskgraph::TaskGraph BuildHybridParallel(const HybridConfig& config) {
  if (const auto problems = HybridProblems(config); !problems.empty()) {
    std::string text = "hybrid parallel:";
    for (const auto& p : problems) text += " " + p + ";";
    throw std::invalid_argument(text);
  }
  return HybridBuilder(config).build();
}

}  // namespace sim::parallelism
