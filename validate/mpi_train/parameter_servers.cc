// Parameter servers for real (Li et al. 2014): S dedicated server ranks after
// the p workers; server s owns shard s of the parameter vector
// (ElementPiece(n, S, s)), receives that shard of every gradient and sends
// that shard of the parameters back.
//
// SYNC_PS, as sim/strategy/sync_parameter_server.cc: workers compute on the
// current version, push, and wait for the new one; each server adds the p
// gradient shards in rank order (as they arrive, by prefix), takes the mean
// and one optimizer step, and sends the new shard to every worker. The
// arithmetic is element for element the simulation's, so the trajectory is
// the same to the bit.
//
// ASYNC_PS, as sim/strategy/async_parameter_server.cc: the servers send every
// worker the parameters; a worker computes, pushes, and receives the
// parameters again once its gradient is applied. A server applies each
// gradient shard on arrival (one optimizer step); its staleness is the number
// of updates the server made between sending that worker the parameters and
// applying its gradient, recorded with the worker and the time. Exactly
// `steps` gradients are computed in all: server 0 hands out the computations
// and sends a stop instead of parameters once they are all handed out; the
// other servers answer every gradient.
//
// SSP (Ho et al. 2013) is ASYNC_PS with a bound s, as the simulation has it:
// a worker whose gradients applied so far (its clock) exceed the slowest
// worker's by more than s gets no parameters until the slowest catches up;
// then the server sends them, current at that moment. One server only
// (Problems in main.cc): its counts are the workers' clocks.
//
// A server's optimizer runs on a whole-length vector that is zero outside its
// shard: the optimizer is element-wise (clipping aside, which is refused for
// S > 1), so its shard gets exactly the update the simulation makes.
#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>

#include "validate/mpi_train/real_run.h"

namespace sim::validate {
namespace {

constexpr int kGradientTag = 1;
constexpr int kParametersTag = 2;
constexpr int kStopTag = 3;

int Count(const ElementRange& r) { return static_cast<int>(r.size()); }

std::span<const float> Shard(const Eigen::VectorXf& v, const ElementRange& r) {
  return {v.data() + r.begin, static_cast<std::size_t>(r.size())};
}

bool EvaluationDue(std::uint64_t update, const RealRunContext& c) {
  return update % c.eval_every == 0 || update == c.steps;
}

// ---------------------------------------------------------------- workers --

RankOutcome SyncWorker(RealRunContext& c) {
  RankOutcome out;
  const std::uint32_t worker = c.layout.worker();
  const std::uint32_t S = c.layout.servers;
  auto params = std::make_shared<Eigen::VectorXf>(*c.numerics.current().values);
  const std::int64_t n = params->size();
  std::vector<MPI_Request> requests(2 * S);
  for (std::uint64_t step = 1; step <= c.steps; ++step) {
    StepRecord record = BeginStep(c, step, out);
    const Gradient g = ComputeGradient(c, worker, {params, step - 1}, out);
    EndCompute(c, out, record);
    for (std::uint32_t s = 0; s < S; ++s) {
      const ElementRange r = ElementPiece(n, S, s);
      MPI_Isend(g.values->data() + r.begin, Count(r), MPI_FLOAT, c.layout.server_rank(s), kGradientTag, c.comm,
                &requests[s]);
      MPI_Irecv(params->data() + r.begin, Count(r), MPI_FLOAT, c.layout.server_rank(s), kParametersTag, c.comm,
                &requests[S + s]);
    }
    MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
    record.end_s = c.now();
    out.comm_s += record.end_s - record.computed_s;
    out.steps.push_back(record);
  }
  out.end_s = c.now();
  return out;
}

RankOutcome AsyncWorker(RealRunContext& c) {
  RankOutcome out;
  const std::uint32_t worker = c.layout.worker();
  const std::uint32_t S = c.layout.servers;
  auto params = std::make_shared<Eigen::VectorXf>(*c.numerics.current().values);
  const std::int64_t n = params->size();
  std::vector<MPI_Request> requests(S);
  std::vector<MPI_Status> statuses(S);
  for (std::uint64_t step = 1;; ++step) {
    StepRecord record = BeginStep(c, step, out);
    for (std::uint32_t s = 0; s < S; ++s) {
      const ElementRange r = ElementPiece(n, S, s);
      MPI_Irecv(params->data() + r.begin, Count(r), MPI_FLOAT, c.layout.server_rank(s), MPI_ANY_TAG, c.comm,
                &requests[s]);
    }
    MPI_Waitall(static_cast<int>(S), requests.data(), statuses.data());
    const double pulled = c.now();
    out.comm_s += pulled - record.start_s;
    if (statuses[0].MPI_TAG == kStopTag) break;

    const Gradient g = ComputeGradient(c, worker, {params, 0}, out);
    EndCompute(c, out, record);
    for (std::uint32_t s = 0; s < S; ++s) {
      const ElementRange r = ElementPiece(n, S, s);
      MPI_Isend(g.values->data() + r.begin, Count(r), MPI_FLOAT, c.layout.server_rank(s), kGradientTag, c.comm,
                &requests[s]);
    }
    MPI_Waitall(static_cast<int>(S), requests.data(), MPI_STATUSES_IGNORE);
    record.end_s = c.now();
    out.comm_s += record.end_s - record.computed_s;
    out.steps.push_back(record);
  }
  return out;  // end_s 0: the run ends at a server's last update
}

// ---------------------------------------------------------------- servers --

// What every server keeps: its shard's range, a whole-length update vector
// that is zero outside the shard, and the p gradient buffers.
struct ServerState {
  ServerState(const RealRunContext& c, std::int64_t n)
      : shard(ElementPiece(n, c.layout.servers, c.layout.server())),
        update(std::make_shared<Eigen::VectorXf>(Eigen::VectorXf::Zero(n))),
        gradients(c.layout.workers, Eigen::VectorXf(shard.size())) {}

  // One optimizer step with `gradient` (the shard's values) as the update.
  void apply(RealRunContext& c, const Eigen::VectorXf& gradient) {
    update->segment(shard.begin, shard.size()) = gradient;
    c.numerics.apply(Gradient{update, 0, 0});
  }
  [[nodiscard]] std::span<const float> values(const RealRunContext& c) const {
    return Shard(*c.numerics.current().values, shard);
  }

  ElementRange shard;
  std::shared_ptr<Eigen::VectorXf> update;
  std::vector<Eigen::VectorXf> gradients;
};

RankOutcome SyncServer(RealRunContext& c) {
  RankOutcome out;
  const std::uint32_t p = c.layout.workers;
  ServerState state(c, c.numerics.current().values->size());
  const int count = Count(state.shard);
  std::vector<MPI_Request> receives(p), sends(p);
  std::vector<char> arrived(p);
  std::vector<float> outgoing(static_cast<std::size_t>(count));
  Eigen::VectorXf sum(count);
  out.trace.evaluation_point(0, 0.0, state.values(c));

  for (std::uint64_t step = 1; step <= c.steps; ++step) {
    for (std::uint32_t w = 0; w < p; ++w) {
      MPI_Irecv(state.gradients[w].data(), count, MPI_FLOAT, static_cast<int>(w), kGradientTag, c.comm, &receives[w]);
    }
    // Added in rank order as soon as the prefix is complete: the bits of
    // Numerics::apply_mean (g0 + g1 + ... then x 1/p), whatever the arrivals.
    std::fill(arrived.begin(), arrived.end(), 0);
    for (std::uint32_t next = 0; next < p;) {
      int index = 0;
      MPI_Waitany(static_cast<int>(p), receives.data(), &index, MPI_STATUS_IGNORE);
      arrived[static_cast<std::size_t>(index)] = 1;
      for (; next < p && arrived[next]; ++next) {
        if (next == 0) {
          sum = state.gradients[0];
        } else {
          sum += state.gradients[next];
        }
      }
    }
    sum *= 1.0f / static_cast<float>(p);
    state.apply(c, sum);
    const double applied = c.now();
    for (std::uint32_t w = 0; w < p; ++w) out.trace.applied(0, w, applied);
    if (EvaluationDue(step, c)) out.trace.evaluation_point(step, applied, state.values(c));

    const auto values = state.values(c);
    std::copy(values.begin(), values.end(), outgoing.begin());
    for (std::uint32_t w = 0; w < p; ++w) {
      MPI_Isend(outgoing.data(), count, MPI_FLOAT, static_cast<int>(w), kParametersTag, c.comm, &sends[w]);
    }
    MPI_Waitall(static_cast<int>(p), sends.data(), MPI_STATUSES_IGNORE);
  }
  out.end_s = c.now();
  out.updates = c.steps;
  out.samples = c.steps * p * c.plan.workload.batch_size;
  return out;
}

RankOutcome AsyncServer(RealRunContext& c) {
  RankOutcome out;
  const std::uint32_t p = c.layout.workers;
  const bool dispatcher = c.layout.server() == 0;  // hands out the computations
  ServerState state(c, c.numerics.current().values->size());
  const int count = Count(state.shard);
  std::vector<MPI_Request> receives(p, MPI_REQUEST_NULL), sends(p, MPI_REQUEST_NULL);
  std::vector<std::vector<float>> outgoing(p, std::vector<float>(static_cast<std::size_t>(count)));
  std::vector<std::uint64_t> base(p, 0);
  std::uint64_t updates = 0, handed_out = 0;
  out.trace.evaluation_point(0, 0.0, state.values(c));
  // SSP: each worker's clock, and who waits on the bound.
  std::optional<std::uint64_t> bound;
  if (c.plan.strategy.kind == StrategyKind::kSsp) bound = c.plan.strategy.staleness_bound;
  std::vector<std::uint64_t> clock(p, 0);
  std::vector<char> blocked(p, 0);
  const auto slowest = [&] { return *std::min_element(clock.begin(), clock.end()); };

  // Sends worker w the current shard (or, from the dispatcher once every
  // computation is handed out, a stop) and waits for its next gradient; a
  // worker beyond the staleness bound waits, blocked, instead.
  const auto serve = [&](std::uint32_t w) {
    MPI_Wait(&sends[w], MPI_STATUS_IGNORE);
    const int rank = static_cast<int>(w);
    blocked[w] = 0;
    if (dispatcher && handed_out >= c.steps) {
      MPI_Isend(nullptr, 0, MPI_FLOAT, rank, kStopTag, c.comm, &sends[w]);
      return;
    }
    if (bound && clock[w] - slowest() > *bound) {
      blocked[w] = 1;
      return;
    }
    if (dispatcher) ++handed_out;
    const auto values = state.values(c);
    std::copy(values.begin(), values.end(), outgoing[w].begin());
    base[w] = updates;
    MPI_Isend(outgoing[w].data(), count, MPI_FLOAT, rank, kParametersTag, c.comm, &sends[w]);
    MPI_Irecv(state.gradients[w].data(), count, MPI_FLOAT, rank, kGradientTag, c.comm, &receives[w]);
  };

  for (std::uint32_t w = 0; w < p; ++w) serve(w);
  double last_update = 0;
  while (updates < c.steps) {
    int index = 0;
    MPI_Waitany(static_cast<int>(p), receives.data(), &index, MPI_STATUS_IGNORE);
    if (index == MPI_UNDEFINED) throw std::logic_error("async server: no gradient can arrive any more");
    const auto w = static_cast<std::uint32_t>(index);
    const std::uint64_t staleness = updates - base[w];
    state.apply(c, state.gradients[w]);
    ++updates;
    last_update = c.now();
    out.trace.applied(staleness, w, last_update);
    if (EvaluationDue(updates, c)) out.trace.evaluation_point(updates, last_update, state.values(c));
    const std::uint64_t slowest_before = slowest();
    ++clock[w];
    serve(w);
    // The slowest worker moved on: serve those the bound held back, in rank
    // order, as the simulation wakes them.
    if (bound && slowest() > slowest_before) {
      for (std::uint32_t k = 0; k < p; ++k) {
        if (blocked[k]) serve(k);
      }
    }
  }
  // Workers the bound still holds back when the last gradient is in get
  // their stop.
  for (std::uint32_t k = 0; k < p; ++k) {
    if (blocked[k]) serve(k);
  }
  // Receives posted for gradients that will never come (servers other than
  // the dispatcher answer every gradient, the last ones included).
  for (auto& r : receives) {
    if (r != MPI_REQUEST_NULL) {
      MPI_Cancel(&r);
      MPI_Wait(&r, MPI_STATUS_IGNORE);
    }
  }
  MPI_Waitall(static_cast<int>(p), sends.data(), MPI_STATUSES_IGNORE);
  out.end_s = last_update;
  out.updates = updates;
  out.samples = updates * c.plan.workload.batch_size;
  return out;
}

}  // namespace

RankOutcome RunParameterServers(RealRunContext& c) {
  const bool async = c.plan.strategy.kind == StrategyKind::kAsyncPs || c.plan.strategy.kind == StrategyKind::kSsp;
  if (c.layout.is_worker()) return async ? AsyncWorker(c) : SyncWorker(c);
  return async ? AsyncServer(c) : SyncServer(c);
}

}  // namespace sim::validate
