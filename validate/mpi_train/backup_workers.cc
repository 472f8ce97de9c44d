// Synchronous SGD with b backup workers for real (Chen et al. 2016,
// "Revisiting distributed synchronous SGD"), as
// sim/strategy/sync_parameter_server.cc runs it: p workers compute step t on
// the same version and push; the one dedicated server makes step t's update
// from the FIRST p - b gradients of step t to arrive, averaged in rank order
// (Numerics::apply_mean, the simulation's own arithmetic: with a persistently
// slow worker the dropped gradient is the same in both and the trajectory is
// the same to the bit), and sends the new version to every worker.
//
// The step travels with every push, as its message tag (kGradientTagBase +
// t): the server keeps one receive (any tag) posted per worker, and a push
// whose step is already made is received and dropped, as the simulation's
// `if (step != step_) return;` drops it on arrival. Open MPI delivers one
// sender's messages in order, so a worker's last message, a zero-length
// kDoneTag sent once it has the final version, tells the server that every
// push of that worker is in: the server returns only then, and nothing is
// left unreceived at MPI_Finalize.
//
// Cutting short. The simulation cancels a worker's computing the instant the
// update is made. Here a worker asks (MPI_Iprobe for the new version, which
// the server sends at once) after its gradient is computed and between
// 200-us slices of its straggler sleep; when the version is there it drops
// its gradient unsent and pulls. The gradient itself (Eigen, ~0.5 ms on the
// validation MLP) is not interrupted: a worker whose update is made during
// it finishes it and then discards it, so it starts pulling up to one
// gradient's compute time (plus a slice, for a sleeping worker) later than the
// simulated worker, which pulls at the update's instant. A straggler sleep,
// the part that makes a worker slow, is cut within a slice (and the
// scheduler's wake-up: tens of microseconds on an idle host, more on a
// loaded one). That lag matters only when the other workers' steps are as
// short: then the late worker finds further versions waiting when its pull
// ends and skips them (below), beginning fewer computations than the
// simulated worker (on loopback with 0.2-ms steps, 13-15 of 30 instead of
// 30; tests/validate/mpi_train_test.cc keeps its steps at milliseconds; the
// emulated cluster's take tens).
//
// Pulling again. A simulated worker still pulling when the next update is
// made pulls once more and computes on the newest version only. Here a
// worker, once a version is in, takes every further version already
// announced (MPI_Iprobe) before it computes: the same rule, judged when its
// pull ends.
//
// Counts, as the simulation's RunResult counts them: each worker's
// computations begun (cut short or not); the updates (= steps) and samples
// = steps x (p - b) x batch; one applied gradient (staleness 0) per gradient
// used, with its worker (--applied).
#include <algorithm>
#include <memory>
#include <stdexcept>

#include "validate/mpi_train/real_run.h"

namespace sim::validate {
namespace {

constexpr int kParametersTag = 2;
constexpr int kDoneTag = 3;
// Step t's push has tag kGradientTagBase + t (main.cc refuses runs whose
// last step's tag is above MPI_TAG_UB: MaxBackupSteps).
constexpr int kGradientTagBase = 16;

int GradientTag(std::uint64_t step) { return kGradientTagBase + static_cast<int>(step); }

bool EvaluationDue(std::uint64_t update, const RealRunContext& c) {
  return update % c.eval_every == 0 || update == c.steps;
}

RankOutcome Worker(RealRunContext& c) {
  RankOutcome out;
  const std::uint32_t worker = c.layout.worker();
  const int server = c.layout.server_rank(0);
  auto params = std::make_shared<Eigen::VectorXf>(*c.numerics.current().values);
  const int n = static_cast<int>(params->size());
  const auto update_made = [&] {
    int announced = 0;
    MPI_Iprobe(server, kParametersTag, c.comm, &announced, MPI_STATUS_IGNORE);
    return announced != 0;
  };
  // The gradient being pushed: kept until its send completes.
  Gradient pushing;
  MPI_Request push = MPI_REQUEST_NULL;
  std::uint64_t version = 0;
  while (version < c.steps) {
    const std::uint64_t step = version + 1;
    StepRecord record = BeginStep(c, step, out);
    std::optional<Gradient> g = ComputeGradientUnlessCut(c, worker, {params, version}, out, update_made);
    EndCompute(c, out, record);
    if (g) {
      MPI_Wait(&push, MPI_STATUS_IGNORE);
      pushing = std::move(*g);
      MPI_Isend(pushing.values->data(), n, MPI_FLOAT, server, GradientTag(step), c.comm, &push);
    } else {
      ++out.cut_short;
    }
    // The new version, and any made while it came (pull again).
    do {
      MPI_Recv(params->data(), n, MPI_FLOAT, server, kParametersTag, c.comm, MPI_STATUS_IGNORE);
      ++version;
    } while (version < c.steps && update_made());
    record.end_s = c.now();
    out.comm_s += record.end_s - record.computed_s;
    out.steps.push_back(record);
  }
  MPI_Wait(&push, MPI_STATUS_IGNORE);
  MPI_Send(nullptr, 0, MPI_FLOAT, server, kDoneTag, c.comm);
  out.end_s = c.now();
  return out;
}

RankOutcome Server(RealRunContext& c) {
  RankOutcome out;
  const std::uint32_t p = c.layout.workers;
  const std::uint32_t needed = p - c.plan.strategy.backup_workers;
  const auto n = static_cast<int>(c.numerics.current().values->size());
  // One receive always posted per worker, any tag: a push (its step in the
  // tag) or the worker's done.
  std::vector<std::shared_ptr<Eigen::VectorXf>> incoming(p);
  std::vector<MPI_Request> receives(p, MPI_REQUEST_NULL);
  const auto receive = [&](std::uint32_t w) {
    incoming[w] = std::make_shared<Eigen::VectorXf>(n);
    MPI_Irecv(incoming[w]->data(), n, MPI_FLOAT, static_cast<int>(w), MPI_ANY_TAG, c.comm, &receives[w]);
  };
  for (std::uint32_t w = 0; w < p; ++w) receive(w);
  // This step's gradients, by worker (null: not arrived).
  std::vector<std::shared_ptr<Eigen::VectorXf>> arrived(p);
  std::uint32_t arrivals = 0;
  // Versions in flight to the workers, each buffer kept until its send ends.
  std::vector<MPI_Request> sends;
  std::vector<std::shared_ptr<const Eigen::VectorXf>> sent;
  out.trace.evaluation_point(0, 0.0, {c.numerics.current().values->data(), static_cast<std::size_t>(n)});

  std::uint64_t step = 1;
  std::uint32_t done = 0;
  double last_update = 0;
  while (done < p) {
    int index = 0;
    MPI_Status status;
    MPI_Waitany(static_cast<int>(p), receives.data(), &index, &status);
    if (index == MPI_UNDEFINED) throw std::logic_error("backup server: no message can arrive any more");
    const auto w = static_cast<std::uint32_t>(index);
    if (status.MPI_TAG == kDoneTag) {
      ++done;  // its receive stays null: nothing follows
      continue;
    }
    const auto of_step = static_cast<std::uint64_t>(status.MPI_TAG - kGradientTagBase);
    if (status.MPI_TAG <= kGradientTagBase || of_step > step) {
      throw std::logic_error("backup server: worker " + std::to_string(w) + " pushed for step " +
                             std::to_string(of_step) + " while step " + std::to_string(step) + " is collected");
    }
    if (of_step < step) {
      ++out.dropped_late;  // its step's update is made
      receive(w);
      continue;
    }
    arrived[w] = std::move(incoming[w]);
    receive(w);
    if (++arrivals < needed) continue;

    // The first p - b, in rank order (not arrival order).
    std::vector<Gradient> used;
    used.reserve(needed);
    for (std::uint32_t k = 0; k < p; ++k) {
      if (arrived[k]) used.push_back(Gradient{std::move(arrived[k]), step - 1, k});
      arrived[k].reset();
    }
    arrivals = 0;
    c.numerics.apply_mean(used);
    last_update = c.now();
    for (const Gradient& g : used) out.trace.applied(0, g.worker, last_update);
    const auto values = std::make_shared<const Eigen::VectorXf>(*c.numerics.current().values);
    if (EvaluationDue(step, c)) {
      out.trace.evaluation_point(step, last_update, {values->data(), static_cast<std::size_t>(n)});
    }
    // Versions whose sends have ended free their buffers.
    for (std::size_t k = 0; k < sends.size();) {
      int ended = 0;
      MPI_Test(&sends[k], &ended, MPI_STATUS_IGNORE);
      if (ended) {
        sends[k] = sends.back();
        sends.pop_back();
        sent[k] = sent.back();
        sent.pop_back();
      } else {
        ++k;
      }
    }
    for (std::uint32_t k = 0; k < p; ++k) {
      sends.push_back(MPI_REQUEST_NULL);
      sent.push_back(values);
      MPI_Isend(values->data(), n, MPI_FLOAT, static_cast<int>(k), kParametersTag, c.comm, &sends.back());
    }
    ++step;
  }
  MPI_Waitall(static_cast<int>(sends.size()), sends.data(), MPI_STATUSES_IGNORE);
  out.end_s = last_update;
  out.updates = c.steps;
  out.samples = c.steps * needed * c.plan.workload.batch_size;
  return out;
}

}  // namespace

std::uint64_t MaxBackupSteps() {
  int* tag_ub = nullptr;
  int found = 0;
  MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &tag_ub, &found);
  const int largest = found && tag_ub != nullptr ? *tag_ub : 32767;  // the least MPI allows
  return static_cast<std::uint64_t>(largest - kGradientTagBase);
}

RankOutcome RunBackupWorkers(RealRunContext& c) { return c.layout.is_worker() ? Worker(c) : Server(c); }

}  // namespace sim::validate
