// Runs one Schedule on the simulated network: each transfer becomes a message
// on the Transport as soon as its dependencies have completed and both its
// ranks have entered the collective.
//
// Reduction cost: with a rate R > 0, a kReduce transfer of k bytes completes
// k/R after delivery, and each rank adds one message at a time in delivery
// order (a FIFO reduction unit per rank, as schedule.h requires), so
// reductions that arrive together queue. Dependents marked AfterDelivery are
// released at delivery, the others at completion. R = 0 makes reductions free
// (NetworkCalibration.reduction_gbyte_per_s).
//
// Eager transfers (RunOptions.eager_limit): MPI sends a message of at most
// its eager limit at once, whether or not the receiver has posted the
// receive (Open MPI's TCP transport: btl_tcp_eager_limit; the MPI standard's
// "buffered" completion of a standard send); the receiver takes it from its
// buffer when it reaches that step. So an eager transfer goes on the wire as
// soon as its sender has entered and holds what it sends (every dependency
// that touches the sender is met), and takes effect at the receiver once the
// receiver has entered and its other dependencies (the receiver's earlier
// writes and sends) are met. A rendezvous transfer (above the limit, or with
// no limit) waits for both ranks and all its dependencies before it starts.
// The difference shows when ranks enter apart: an early sender's message
// then shares its receiver's link with the message the receiver is still
// taking (validate/README.md, "Open MPI's all-reduce when the ranks do not
// arrive together").
//
// No global state: many runs may share one Engine and one Transport (several
// data-parallel groups, or a new all-reduce every training step); each keeps
// its own progress. A run must outlive the engine events it scheduled, i.e.
// stay alive until it is done() or the engine is discarded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "sim/collectives/huge_pages.h"
#include "sim/collectives/schedule.h"
#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/engine/engine.h"
#include "sim/network/transport.h"

namespace sim::collectives {

struct RunOptions {
  // Rate at which a rank adds incoming data; 0: reductions are free.
  BytesPerSecond reduction_rate{0.0};
  // Transfers of at most this many bytes are eager (above); 0: none.
  Bytes eager_limit{0};
  // When rank r has no transfer left (sent, received and reduced all it takes
  // part in). Optional.
  std::function<void(Rank, Time)> on_rank_done{};
  // When every rank is done. Optional.
  std::function<void(Time)> on_done{};
};

class CollectiveRun {
 public:
  // `endpoint_of_rank[r]` is where rank r runs; its size must equal
  // schedule->ranks(). The schedule must be sealed. Throws
  // std::invalid_argument otherwise.
  CollectiveRun(Engine& engine, Transport& transport, std::shared_ptr<const Schedule> schedule,
                std::vector<EndpointId> endpoint_of_rank, RunOptions options = {});
  CollectiveRun(const CollectiveRun&) = delete;
  CollectiveRun& operator=(const CollectiveRun&) = delete;

  // Every rank enters now.
  void start();
  // Rank r enters now: its input is ready (e.g. its gradient is computed).
  // A transfer starts only once both its ranks have entered. Entering twice
  // is a no-op.
  void enter(Rank r);

  [[nodiscard]] bool done() const noexcept { return ranks_left_ == 0; }
  // Time the last rank finished; valid once done().
  [[nodiscard]] Time finish_time() const noexcept { return finish_time_; }
  [[nodiscard]] Time rank_finish_time(Rank r) const noexcept { return rank_finish_[r]; }
  [[nodiscard]] const Schedule& schedule() const noexcept { return *schedule_; }

 private:
  void try_start(TransferId id);
  void launch(TransferId id);
  void delivered(TransferId id);
  // An eager transfer that has arrived takes effect once its receiver has
  // entered and its receiver-side dependencies are met.
  void effect_when_ready(TransferId id);
  // Delivered and allowed to take effect: pairs an exchange's halves, then
  // take_effect().
  void arrived(TransferId id);
  // What delivery of `id` sets going: its reduction (then complete()), or
  // complete() at once for a copy.
  void take_effect(TransferId id);
  void complete(TransferId id);
  // Counts down the dependents that wait for `id`'s delivery (at_delivery) or
  // for its completion.
  void release(TransferId id, bool at_delivery);
  void rank_progress(Rank r);
  [[nodiscard]] bool eager(const Transfer& t) const noexcept {
    return t.range.length <= options_.eager_limit.count && options_.eager_limit.count > 0;
  }
  // Whether dependency `on` must be met before `t` may start (else only
  // before it takes effect): always for a rendezvous transfer; for an eager
  // one, when `on` sent from or wrote into t's sender.
  [[nodiscard]] bool gates_start(const Transfer& t, TransferId on) const noexcept {
    if (!eager(t)) return true;
    const Transfer& u = schedule_->transfer(on);
    return u.src == t.src || u.dst == t.src;
  }

  Engine& engine_;
  Transport& transport_;
  std::shared_ptr<const Schedule> schedule_;
  std::vector<EndpointId> endpoint_;
  RunOptions options_;

  // Dependencies not yet complete; kStarted once on the network.
  static constexpr std::uint32_t kStarted = 0xffffffffu;
  HugePageVector<std::uint32_t> deps_left_;
  // Dependency-free transfers of each rank (as sender or receiver).
  std::vector<std::vector<TransferId>> roots_of_rank_;
  std::vector<bool> entered_;
  // Transfers ready but for the entry of this rank.
  std::vector<std::vector<TransferId>> waiting_for_rank_;
  std::vector<std::uint32_t> transfers_left_of_rank_;
  std::vector<Time> reducer_free_at_;
  // Exchanges only: halves delivered and waiting for their partner.
  std::vector<bool> waiting_for_partner_;
  std::vector<Time> rank_finish_;
  // Eager transfers only (empty without an eager limit): dependencies left
  // before taking effect, whether delivered and waiting to take effect, and
  // per rank those waiting for its entry.
  std::vector<std::uint32_t> effect_deps_left_;
  std::vector<bool> delivered_early_;
  std::vector<std::vector<TransferId>> arrived_before_entry_;
  std::uint32_t ranks_left_;
  Time finish_time_ = Time::zero();
};

}  // namespace sim::collectives
