#include "sim/parallelism/data_parallel.h"

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace sim::parallelism {
namespace {

using taskgraph::Category;
using taskgraph::OpId;
using taskgraph::StreamId;
using taskgraph::TaskGraph;

// Builds the graph; one instance per call of BuildDataParallel.
class Builder {
 public:
  explicit Builder(const DataParallelConfig& c) : c_(c), n_(static_cast<std::uint32_t>(c.workers.size())) {
    for (EndpointId w : c.workers) {
      compute_.push_back(g_.add_stream(w, "compute"));
      exchange_.push_back(g_.add_stream(w, "data-parallel"));
      gather_.push_back(c.zero == models::ZeroStage::kParameters ? g_.add_stream(w, "parameter-gather") : 0);
    }
    group_ = g_.add_group(c.workers);
    // A worker's pushes to each server, and a server's answers to each
    // worker, go on a stream of their own: a server answers every worker at
    // once (concurrent RPCs), and a worker pushes to every server at once.
    for (std::uint32_t s = 0; s < c.servers.size(); ++s) {
      server_compute_.push_back(g_.add_stream(c.servers[s], "server"));
      for (std::uint32_t r = 0; r < n_; ++r) {
        push_.push_back(g_.add_stream(c.workers[r], "push-" + std::to_string(s)));
        pull_.push_back(g_.add_stream(c.servers[s], "answer-" + std::to_string(r)));
      }
    }
    buckets_ = Buckets(c.layers, c.bucket_cap);
    for (const LayerCost& l : c.layers) {
      total_gradient_ = total_gradient_ + l.gradient;
      total_parameters_ = total_parameters_ + l.parameters;
    }
  }

  TaskGraph build() && {
    ready_.assign(n_, {});
    for (std::uint32_t step = 0; step < c_.steps; ++step) one_step(step);
    g_.seal();
    return std::move(g_);
  }

 private:
  void one_step(std::uint32_t step) {
    const std::size_t layers = c_.layers.size();
    const bool zero3 = c_.zero == models::ZeroStage::kParameters;
    // Forward, then backward in reverse, on every worker's compute stream.
    std::vector<std::vector<OpId>> forward(n_, std::vector<OpId>(layers));
    std::vector<std::vector<OpId>> backward(n_, std::vector<OpId>(layers));
    std::vector<OpId> gathered_forward(layers), gathered_backward(layers);
    for (std::size_t l = 0; l < layers; ++l) {
      if (zero3) gathered_forward[l] = gather(l, step, forward, l >= 2 ? std::optional(l - 2) : std::nullopt);
      for (std::uint32_t r = 0; r < n_; ++r) {
        std::vector<OpId> deps = l == 0 ? ready_[r] : std::vector<OpId>{};
        if (zero3) deps.push_back(gathered_forward[l] + r);
        forward[r][l] = g_.add_compute(compute_[r], Category::kForward, c_.layers[l].forward, deps, step);
      }
    }
    for (std::size_t l = layers; l-- > 0;) {
      if (zero3) {
        gathered_backward[l] =
            gather(l, step, backward, l + 2 < layers ? std::optional(l + 2) : std::nullopt, &forward);
      }
      for (std::uint32_t r = 0; r < n_; ++r) {
        std::vector<OpId> deps;
        if (zero3) deps.push_back(gathered_backward[l] + r);
        backward[r][l] = g_.add_compute(compute_[r], Category::kBackward, c_.layers[l].backward, deps, step);
      }
    }
    if (!c_.servers.empty()) {
      through_servers(step, backward);
      return;
    }
    const bool sharded = c_.zero != models::ZeroStage::kNone;
    const collectives::Op reduce = sharded ? collectives::Op::kReduceScatter : collectives::Op::kAllReduce;
    // The exchanges of the gradients: one per bucket as the backward pass
    // produces it, or one of everything after it.
    std::vector<OpId> exchanges;
    if (c_.overlap) {
      for (const auto& bucket : buckets_) {
        Bytes size{0};
        for (std::size_t l : bucket) size = size + c_.layers[l].gradient;
        if (size.count == 0) continue;
        exchanges.push_back(collective(reduce, size, Category::kDataParallel, step, at(backward, bucket.back())));
      }
    } else if (total_gradient_.count > 0) {
      exchanges.push_back(collective(reduce, total_gradient_, Category::kDataParallel, step, at(backward, 0)));
    }
    // The optimizer steps on each worker's share once its gradients are in.
    const Time optimizer = sharded ? Time(c_.optimizer.picoseconds() / n_) : c_.optimizer;
    std::vector<OpId> optimized(n_);
    for (std::uint32_t r = 0; r < n_; ++r) {
      std::vector<OpId> deps;
      for (OpId first : exchanges) deps.push_back(first + r);
      optimized[r] = g_.add_compute(compute_[r], Category::kOptimizer, optimizer, deps, step);
    }
    if (sharded && !zero3 && total_parameters_.count > 0) {
      // ZeRO 1 and 2: everyone gathers the updated parameters.
      std::vector<std::vector<OpId>> deps(n_);
      for (std::uint32_t r = 0; r < n_; ++r) deps[r] = {optimized[r]};
      const OpId first = collective(collectives::Op::kAllGather, total_parameters_, Category::kDataParallel, step, deps);
      for (std::uint32_t r = 0; r < n_; ++r) ready_[r] = {first + r};
    } else {
      for (std::uint32_t r = 0; r < n_; ++r) ready_[r] = {optimized[r]};
    }
  }

  // ZeRO 3: layer l's parameters all-gathered on the gather stream, after the
  // pass `window` layers before it (one layer of look-ahead), or at once.
  OpId gather(std::size_t l, std::uint32_t step, const std::vector<std::vector<OpId>>& pass,
              std::optional<std::size_t> window, const std::vector<std::vector<OpId>>* forward = nullptr) {
    std::vector<std::vector<OpId>> deps(n_);
    for (std::uint32_t r = 0; r < n_; ++r) {
      if (window) deps[r] = {pass[r][*window]};
      else if (forward != nullptr) deps[r] = {(*forward)[r].back()};  // backward gathers wait for the forward pass
      else deps[r] = ready_[r];
    }
    return collective(collectives::Op::kAllGather, c_.layers[l].parameters, Category::kParameterGather, step, deps,
                      gather_);
  }

  std::vector<std::vector<OpId>> at(const std::vector<std::vector<OpId>>& pass, std::size_t l) const {
    std::vector<std::vector<OpId>> deps(n_);
    for (std::uint32_t r = 0; r < n_; ++r) deps[r] = {pass[r][l]};
    return deps;
  }

  OpId collective(collectives::Op op, Bytes size, Category category, std::uint32_t step,
                  const std::vector<std::vector<OpId>>& deps) {
    return collective(op, size, category, step, deps, exchange_);
  }
  OpId collective(collectives::Op op, Bytes size, Category category, std::uint32_t step,
                  const std::vector<std::vector<OpId>>& deps, const std::vector<StreamId>& streams) {
    auto& cached = schedules_[{op, size.count}];
    if (!cached) {
      collectives::CollectiveSpec spec{.op = op, .algorithm = c_.algorithm, .ranks = n_, .bytes = size,
                                       .chunk = c_.chunk, .host_of_rank = c_.host_of_rank};
      // Algorithms without this operation (a tree's reduce-scatter) run it as a ring.
      if (!collectives::Supports(op, spec.algorithm)) spec.algorithm = collectives::Algorithm::kRing;
      cached = std::make_shared<const collectives::Schedule>(collectives::BuildSchedule(spec));
    }
    return g_.add_collective(cached, group_, streams, category, deps, step, c_.reduction_rate);
  }

  // Every bucket pushed in S shards as it is produced; server s adds the N
  // shards of a bucket and sends the sum back to every worker.
  void through_servers(std::uint32_t step, const std::vector<std::vector<OpId>>& backward) {
    const auto servers = static_cast<std::uint32_t>(c_.servers.size());
    for (std::uint32_t r = 0; r < n_; ++r) ready_[r].clear();
    std::vector<std::vector<std::size_t>> buckets = buckets_;
    if (!c_.overlap) {
      buckets.assign(1, {});
      for (std::size_t l = c_.layers.size(); l-- > 0;) buckets[0].push_back(l);
    }
    for (const auto& bucket : buckets) {
      Bytes size{0};
      for (std::size_t l : bucket) size = size + c_.layers[l].gradient;
      if (size.count == 0) continue;
      for (std::uint32_t s = 0; s < servers; ++s) {
        const Bytes shard{collectives::Partition({0, size.count}, servers, s).length};
        std::vector<OpId> pushes;
        for (std::uint32_t r = 0; r < n_; ++r) {
          const OpId after[] = {backward[r][bucket.back()]};
          pushes.push_back(g_.add_send(push_[s * n_ + r], Category::kDataParallel, c_.servers[s], shard, after, step));
        }
        const Time add = c_.server_apply_rate.value > 0
                             ? TransferTime(Bytes{shard.count * n_}, c_.server_apply_rate)
                             : Time::zero();
        const OpId applied = g_.add_compute(server_compute_[s], Category::kOptimizer, add, pushes, step);
        for (std::uint32_t r = 0; r < n_; ++r) {
          const OpId after[] = {applied};
          ready_[r].push_back(
              g_.add_send(pull_[s * n_ + r], Category::kDataParallel, c_.workers[r], shard, after, step));
        }
      }
    }
  }

  const DataParallelConfig& c_;
  std::uint32_t n_;
  TaskGraph g_;
  std::vector<StreamId> compute_, exchange_, gather_, server_compute_;
  std::vector<StreamId> push_, pull_;  // [server x workers + worker]
  std::uint32_t group_ = 0;
  std::vector<std::vector<std::size_t>> buckets_;
  Bytes total_gradient_{0}, total_parameters_{0};
  std::map<std::pair<collectives::Op, std::int64_t>, std::shared_ptr<const collectives::Schedule>> schedules_;
  // What each worker's next step waits for.
  std::vector<std::vector<OpId>> ready_;
};

}  // namespace

std::vector<std::vector<std::size_t>> Buckets(const std::vector<LayerCost>& layers, Bytes cap) {
  // PyTorch DDP fills a bucket in reverse order of the parameters and closes
  // it once it holds cap bytes or more.
  std::vector<std::vector<std::size_t>> buckets;
  Bytes filled{0};
  for (std::size_t l = layers.size(); l-- > 0;) {
    if (buckets.empty() || filled >= cap) {
      buckets.emplace_back();
      filled = Bytes{0};
    }
    buckets.back().push_back(l);
    filled = filled + layers[l].gradient;
  }
  return buckets;
}

taskgraph::TaskGraph BuildDataParallel(const DataParallelConfig& config) {
  if (config.workers.empty()) throw std::invalid_argument("data parallel: no worker");
  if (config.layers.empty()) throw std::invalid_argument("data parallel: no layer");
  return Builder(config).build();
}

}  // namespace sim::parallelism
