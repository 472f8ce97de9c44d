// The measurements of build/mpi_calibrate, each a small MPI program of its
// own. Every probe is collective over `comm` (all ranks call it; ranks with
// no part wait), and returns its result on rank 0. Message and compute times
// are means over repetitions, because a run's mean step time includes the
// host's occasional interruptions, and so must the prediction; the local
// arithmetic (optimizer step, addition) is a median of microsecond-long
// operations, which one interruption would swamp.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "models/optim/optimizer.h"

namespace sim::validate {

// Back-to-back calls per timed block: the barrier before a block and its
// exit skew are spread over them.
inline constexpr int kProbeCallsPerBlock = 4;

// What a message probe measured, on rank 0: each timed block's time (per
// call) in the order taken, and their mean, which is the probe's result.
struct BlockTimes {
  double mean_s = 0;
  std::vector<double> blocks_s;
};

// The timing of every message probe below: after a barrier, one untimed
// call of `op` on every rank; then `repetitions` blocks, each a barrier and
// kProbeCallsPerBlock back-to-back calls; per block the slowest rank's time
// divided by kProbeCallsPerBlock; returns the blocks and their mean, on
// rank 0 (the blocks' spread: measurements.proto, SizeTime.block_seconds).
// The mean, not the median: a run's step time is a mean, and the emulated
// cluster's occasional stalls (ranks sharing cores) are part of it. The
// untimed call: Open MPI's TCP transport connects a pair of ranks on its
// first message, which a run pays once, at its first step, and a probe
// would otherwise pay in its first block (on the emulated cluster at
// 100 Mbit/s, a ring step of 50,885 bytes on 8 ranks: 6.6-6.9 ms a call in
// the first block, 4.8 ms after; validate/README.md).
[[nodiscard]] BlockTimes MeanBlockSeconds(MPI_Comm comm, int repetitions, const std::function<void()>& op);

// One-way time of `bytes` between ranks 0 and 1: half the round trip of a
// ping-pong (0 sends, 1 answers with the same size).
[[nodiscard]] BlockTimes OneWaySeconds(MPI_Comm comm, std::int64_t bytes, int repetitions);
// How a rank issues an exchange: as our ring does (Irecv + Isend + Waitall),
// or as Open MPI's collectives do in ompi_coll_base_sendrecv_actual
// (coll_base_util.c: Irecv, a blocking Send, then Wait), which is what its
// MPI_Allreduce exchanges are made of.
enum class ExchangeCalls { kNonblocking, kOpenMpiSendrecv };

// Ranks pair up (0-1, 2-3, ...; an odd last rank waits) and every pair sends
// each other `bytes` at once, issued as `calls` says: time until all are
// done.
[[nodiscard]] BlockTimes PairExchangeSeconds(MPI_Comm comm, std::int64_t bytes, int repetitions,
                                         ExchangeCalls calls = ExchangeCalls::kNonblocking);
// Ranks 0..workers-1 each send `bytes` to rank `hub` at once (kIn), or rank
// `hub` sends `bytes` to each of them at once (kOut), or (kHalfEach) the
// first workers / 2 send to the hub while it sends to the next workers / 2,
// an odd last one idle: a server's cable loaded both ways, as by the
// pushes of some workers and the pulls of others in a run (a worker's own
// push and pull never overlap). Time until all are done.
enum class FanDirection { kIn, kOut, kHalfEach };
[[nodiscard]] BlockTimes FanSeconds(MPI_Comm comm, int hub, int workers, FanDirection direction, std::int64_t bytes,
                                int repetitions);
// Rank `hub` sends `bytes` to each of ranks 0..receivers-1 at once; each
// receiver times its own message from a barrier. Returns (on rank 0) the
// receivers' times sorted, each the mean over repetitions of that order
// statistic: [0] the first receiver's, [receivers-1] the last's. Max-min fair
// sharing ends them together; TCP does not (validate/README.md).
[[nodiscard]] std::vector<double> FanOutCompletions(MPI_Comm comm, int hub, int receivers, std::int64_t bytes,
                                                    int repetitions);
// Every rank sends `bytes` to rank+1 and receives from rank-1 at once (one
// ring step): time until all are done. Needs 3 ranks or more.
[[nodiscard]] BlockTimes RingExchangeSeconds(MPI_Comm comm, std::int64_t bytes, int repetitions);

// `compute` (one gradient, as the run computes it) on every rank with
// `computes` true, all at once. Returns (on rank 0) each computing rank's own
// mean over back-to-back calls for `seconds` of wall time.
[[nodiscard]] std::vector<double> FreeRunningStepSeconds(MPI_Comm comm, bool computes,
                                                         const std::function<void()>& compute, double seconds);
// The compute phase of a synchronous step: after a barrier, every computing
// rank computes one gradient at once; mean over `min_rounds` rounds, or as
// many more as make `min_seconds` of phases (41 rounds of a 0.5 ms step are
// 20 ms, and two such calibrations on 2026-12-01 came out 50-70% above the
// rest of the day's: a preemption weighs on a short mean). With `shared_clock`
// (all ranks on one machine, one clock: the emulated cluster), the phase is
// the latest end minus the earliest start, so that ranks taking turns on
// shared cores count as they do in a run; otherwise (separate hosts) it is
// the slowest rank's own time. Before each round every computing rank runs
// `between` (untimed: the rest of a step's local arithmetic, so that the
// caches hold what they hold in a run).
[[nodiscard]] double LockstepStepSeconds(MPI_Comm comm, bool computes, const std::function<void()>& compute,
                                         const std::function<void()>& between, int min_rounds, double min_seconds,
                                         bool shared_clock);
// True when every rank runs on the same machine (same processor name), whose
// MPI_Wtime is then one clock.
[[nodiscard]] bool SharedClock(MPI_Comm comm);
// Median over ranks that compute of their median time of one optimizer step
// on a vector of `parameters` floats; and likewise of adding two such vectors.
[[nodiscard]] double OptimizerStepSeconds(MPI_Comm comm, bool computes, models::Optimizer& optimizer,
                                          std::int64_t parameters, int repetitions);
[[nodiscard]] double AddGradientSeconds(MPI_Comm comm, bool computes, std::int64_t parameters, int repetitions);

}  // namespace sim::validate
