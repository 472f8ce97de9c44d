#include "validate/mpi_calibrate/probes.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "sim/core/quantile.h"
#include "sim/core/random.h"


namespace sim::validate {
namespace {

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

int Rank(MPI_Comm comm) {
  int r = 0;
  MPI_Comm_rank(comm, &r);
  return r;
}

int Size(MPI_Comm comm) {
  int s = 1;
  MPI_Comm_size(comm, &s);
  return s;
}

// Each rank's value (or nothing from ranks with `has` false), on rank 0.
std::vector<double> GatherValues(MPI_Comm comm, bool has, double value) {
  const double mine = has ? value : -1.0;
  std::vector<double> all(Rank(comm) == 0 ? static_cast<std::size_t>(Size(comm)) : 0);
  MPI_Gather(&mine, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, 0, comm);
  std::vector<double> out;
  for (double v : all) {
    if (v >= 0) out.push_back(v);
  }
  return out;
}

double MachineSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

BlockTimes MeanBlockSeconds(MPI_Comm comm, int repetitions, const std::function<void()>& op) {
  MPI_Barrier(comm);
  op();  // untimed: a pair's first message also connects it
  std::vector<double> blocks;
  for (int b = 0; b < repetitions; ++b) {
    MPI_Barrier(comm);
    const double start = MPI_Wtime();
    for (int k = 0; k < kProbeCallsPerBlock; ++k) op();
    const double mine = (MPI_Wtime() - start) / kProbeCallsPerBlock;
    double slowest = 0;
    MPI_Reduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, comm);
    blocks.push_back(slowest);
  }
  const double mean = Mean(blocks);
  return {mean, std::move(blocks)};
}

BlockTimes OneWaySeconds(MPI_Comm comm, std::int64_t bytes, int repetitions) {
  if (Size(comm) < 2) throw std::invalid_argument("OneWaySeconds needs 2 ranks or more");
  const int rank = Rank(comm);
  std::vector<char> buffer(static_cast<std::size_t>(std::max<std::int64_t>(bytes, 1)));
  const int count = static_cast<int>(bytes);
  // A round trip is two one-way messages.
  BlockTimes round_trips = MeanBlockSeconds(comm, repetitions, [&] {
    if (rank == 0) {
      MPI_Send(buffer.data(), count, MPI_BYTE, 1, 0, comm);
      MPI_Recv(buffer.data(), count, MPI_BYTE, 1, 0, comm, MPI_STATUS_IGNORE);
    } else if (rank == 1) {
      MPI_Recv(buffer.data(), count, MPI_BYTE, 0, 0, comm, MPI_STATUS_IGNORE);
      MPI_Send(buffer.data(), count, MPI_BYTE, 0, 0, comm);
    }
  });
  round_trips.mean_s /= 2;
  for (double& t : round_trips.blocks_s) t /= 2;
  return round_trips;
}

BlockTimes PairExchangeSeconds(MPI_Comm comm, std::int64_t bytes, int repetitions, ExchangeCalls calls) {
  const int p = Size(comm);
  if (p < 2) throw std::invalid_argument("PairExchangeSeconds needs 2 ranks or more");
  const int rank = Rank(comm);
  const int peer = rank ^ 1;
  std::vector<char> out(static_cast<std::size_t>(bytes)), in(static_cast<std::size_t>(bytes));
  const int count = static_cast<int>(bytes);
  return MeanBlockSeconds(comm, repetitions, [&] {
    if (peer >= p) return;
    MPI_Request requests[2];
    MPI_Irecv(in.data(), count, MPI_BYTE, peer, 1, comm, &requests[0]);
    if (calls == ExchangeCalls::kOpenMpiSendrecv) {
      MPI_Send(out.data(), count, MPI_BYTE, peer, 1, comm);
      MPI_Wait(&requests[0], MPI_STATUS_IGNORE);
      return;
    }
    MPI_Isend(out.data(), count, MPI_BYTE, peer, 1, comm, &requests[1]);
    MPI_Waitall(2, requests, MPI_STATUSES_IGNORE);
  });
}

namespace {

// One fan between rank `hub` and ranks 0..workers-1, `bytes` each way of the
// fan: the hub posts all its receives and/or sends at once and waits for
// them; each worker sends and/or receives one message. Ranks outside it do
// nothing.
class Fan {
 public:
  Fan(MPI_Comm comm, int hub, int workers, std::int64_t bytes)
      : comm_(comm), hub_(hub), workers_(workers), rank_(Rank(comm)), count_(static_cast<int>(bytes)) {
    if (hub < workers || hub >= Size(comm)) throw std::invalid_argument("a fan's hub must be a rank after its workers");
    const std::size_t slots = static_cast<std::size_t>(rank_ == hub ? workers : 1);
    in_.resize(static_cast<std::size_t>(bytes) * slots);
    out_.resize(static_cast<std::size_t>(bytes) * slots);
    requests_.reserve(static_cast<std::size_t>(2 * workers));
  }
  [[nodiscard]] bool is_worker() const noexcept { return rank_ < workers_; }
  void run(FanDirection direction) {
    const int half = workers_ / 2;
    // Whether worker w sends to the hub, and whether the hub sends to it.
    const auto inward = [&](int w) {
      return direction == FanDirection::kIn || (direction == FanDirection::kHalfEach && w < half);
    };
    const auto outward = [&](int w) {
      return direction == FanDirection::kOut || (direction == FanDirection::kHalfEach && w >= half && w < 2 * half);
    };
    requests_.clear();
    if (rank_ == hub_) {
      for (int w = 0; w < workers_; ++w) {
        const std::size_t offset = static_cast<std::size_t>(w) * static_cast<std::size_t>(count_);
        if (inward(w)) Post(MPI_Irecv, in_.data() + offset, w);
        if (outward(w)) Post(MPI_Isend, out_.data() + offset, w);
      }
    } else if (is_worker()) {
      if (inward(rank_)) Post(MPI_Isend, out_.data(), hub_);
      if (outward(rank_)) Post(MPI_Irecv, in_.data(), hub_);
    }
    MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE);
  }

 private:
  static constexpr int kTag = 5;
  template <typename Call, typename Buffer>
  void Post(Call call, Buffer* data, int peer) {
    requests_.emplace_back();
    call(data, count_, MPI_BYTE, peer, kTag, comm_, &requests_.back());
  }
  MPI_Comm comm_;
  int hub_, workers_, rank_, count_;
  std::vector<char> in_, out_;
  std::vector<MPI_Request> requests_;
};

}  // namespace

BlockTimes FanSeconds(MPI_Comm comm, int hub, int workers, FanDirection direction, std::int64_t bytes,
                      int repetitions) {
  Fan fan(comm, hub, workers, bytes);
  return MeanBlockSeconds(comm, repetitions, [&] { fan.run(direction); });
}

std::vector<double> FanOutCompletions(MPI_Comm comm, int hub, int receivers, std::int64_t bytes, int repetitions) {
  Fan fan(comm, hub, receivers, bytes);
  std::vector<double> sorted_sum(static_cast<std::size_t>(receivers), 0.0);
  for (int r = 0; r < repetitions; ++r) {
    MPI_Barrier(comm);
    // Each receiver's own clock from the barrier's exit (no clock is
    // compared across hosts; the barrier's exit skew is microseconds).
    const double start = MPI_Wtime();
    fan.run(FanDirection::kOut);
    const double mine = MPI_Wtime() - start;
    std::vector<double> times = GatherValues(comm, fan.is_worker(), mine);  // the receivers' own, on rank 0
    if (Rank(comm) != 0) continue;
    std::sort(times.begin(), times.end());
    for (std::size_t i = 0; i < times.size(); ++i) sorted_sum[i] += times[i];
  }
  for (double& t : sorted_sum) t /= repetitions;
  return sorted_sum;
}

BlockTimes RingExchangeSeconds(MPI_Comm comm, std::int64_t bytes, int repetitions) {
  const int p = Size(comm);
  if (p < 3) throw std::invalid_argument("RingExchangeSeconds needs 3 ranks or more");
  const int rank = Rank(comm);
  std::vector<char> out(static_cast<std::size_t>(bytes)), in(static_cast<std::size_t>(bytes));
  const int count = static_cast<int>(bytes);
  return MeanBlockSeconds(comm, repetitions, [&] {
    MPI_Request requests[2];
    MPI_Irecv(in.data(), count, MPI_BYTE, (rank + p - 1) % p, 2, comm, &requests[0]);
    MPI_Isend(out.data(), count, MPI_BYTE, (rank + 1) % p, 2, comm, &requests[1]);
    MPI_Waitall(2, requests, MPI_STATUSES_IGNORE);
  });
}

std::vector<double> FreeRunningStepSeconds(MPI_Comm comm, bool computes, const std::function<void()>& compute,
                                           double seconds) {
  double mean = 0;
  if (computes) {
    for (int i = 0; i < 3; ++i) compute();
    std::vector<double> calls;
    const double start = MPI_Wtime();
    while (MPI_Wtime() - start < seconds) {
      const double t = MPI_Wtime();
      compute();
      calls.push_back(MPI_Wtime() - t);
    }
    for (double c : calls) mean += c;
    mean /= static_cast<double>(calls.size());
  }
  return GatherValues(comm, computes, mean);
}

double LockstepStepSeconds(MPI_Comm comm, bool computes, const std::function<void()>& compute,
                           const std::function<void()>& between, int min_rounds, double min_seconds,
                           bool shared_clock) {
  if (computes) compute();
  double sum = 0;
  int rounds = min_rounds;
  for (int r = 0; r < rounds; ++r) {
    if (computes) between();
    MPI_Barrier(comm);
    // The machine's monotonic clock: MPI_Wtime counts from each process's
    // own start in Open MPI, so it cannot be compared across ranks.
    const double start = MachineSeconds();
    if (computes) compute();
    const double end = MachineSeconds();
    // Maxima of (-start, end, own time); ranks without a part report values
    // that change nothing.
    const double mine[3] = {computes ? -start : -1e300, computes ? end : -1e300, computes ? end - start : 0.0};
    double extreme[3] = {0, 0, 0};
    MPI_Reduce(mine, extreme, 3, MPI_DOUBLE, MPI_MAX, 0, comm);
    sum += shared_clock ? extreme[1] + extreme[0] : extreme[2];
    if (r + 1 == min_rounds) {
      // Rank 0 (which holds the sum) says how many rounds make min_seconds.
      int total = min_rounds;
      if (Rank(comm) == 0 && sum > 0) {
        total = std::max(min_rounds, static_cast<int>(std::ceil(min_seconds / (sum / min_rounds))));
      }
      MPI_Bcast(&total, 1, MPI_INT, 0, comm);
      rounds = total;
    }
  }
  return sum / rounds;
}

bool SharedClock(MPI_Comm comm) {
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  MPI_Get_processor_name(name, &length);
  std::vector<char> first(MPI_MAX_PROCESSOR_NAME);
  std::copy(name, name + MPI_MAX_PROCESSOR_NAME, first.begin());
  MPI_Bcast(first.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, comm);
  int same = std::equal(first.begin(), first.end(), name) ? 1 : 0, all = 0;
  MPI_Allreduce(&same, &all, 1, MPI_INT, MPI_MIN, comm);
  return all == 1;
}

double OptimizerStepSeconds(MPI_Comm comm, bool computes, models::Optimizer& optimizer, std::int64_t parameters,
                            int repetitions) {
  double median = 0;
  if (computes) {
    RandomStream rng = NamedStream(1, "calibration/optimizer");
    Eigen::VectorXf params(parameters), grad(parameters);
    for (Eigen::Index i = 0; i < parameters; ++i) {
      params[i] = static_cast<float>(rng.normal());
      grad[i] = static_cast<float>(rng.normal() * 1e-3);
    }
    std::vector<double> times;
    for (int k = 0; k < repetitions; ++k) {
      const double t = MPI_Wtime();
      optimizer.apply(params, grad);
      times.push_back(MPI_Wtime() - t);
    }
    median = Median(times);
  }
  return Median(GatherValues(comm, computes, median));
}

double AddGradientSeconds(MPI_Comm comm, bool computes, std::int64_t parameters, int repetitions) {
  double median = 0;
  if (computes) {
    Eigen::VectorXf sum = Eigen::VectorXf::Constant(parameters, 1.0f), g = Eigen::VectorXf::Constant(parameters, 1e-7f);
    std::vector<double> times;
    for (int k = 0; k < repetitions; ++k) {
      const double t = MPI_Wtime();
      sum += g;
      times.push_back(MPI_Wtime() - t);
    }
    median = Median(times);
    if (!(sum[0] > 0)) median = -1;  // keeps the additions from being optimised away
  }
  return Median(GatherValues(comm, computes, median));
}

}  // namespace sim::validate
