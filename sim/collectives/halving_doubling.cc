#include "sim/collectives/halving_doubling.h"

#include <algorithm>
#include <bit>
#include <vector>

#include "sim/collectives/phase_channels.h"

namespace sim::collectives {
namespace {

// Which groups of the data a step moves: [lo, hi) in group indices.
struct GroupSpan {
  std::uint32_t lo = 0;
  std::uint32_t hi = 0;
  [[nodiscard]] bool empty() const noexcept { return lo >= hi; }
};

// The members numbered 0..m-1 ("virtual" ranks v); the p' members left after
// the fold are numbered 0..p'-1 ("new" ranks k): k < r is v = 2k+1, k >= r is
// v = k + r.
class HalvingDoubling {
 public:
  enum class Groups { kEqual, kPerMemberPieces };

  HalvingDoubling(Schedule& schedule, std::vector<Rank> by_virtual, ByteRange range, Groups groups,
                  const Frontier& entry)
      : m_(static_cast<std::uint32_t>(by_virtual.size())),
        p2_(std::bit_floor(m_)),
        r_(m_ - p2_),
        rank_(std::move(by_virtual)),
        range_(range),
        groups_(groups),
        writes_(m_),
        held_(p2_),
        channels_(schedule, entry) {}

  [[nodiscard]] std::uint32_t survivors() const noexcept { return p2_; }
  [[nodiscard]] std::uint32_t virtual_of(std::uint32_t k) const noexcept { return k < r_ ? 2 * k + 1 : k + r_; }
  [[nodiscard]] ByteRange piece(std::uint32_t v) const noexcept { return Partition(range_, m_, v); }

  [[nodiscard]] ByteRange bytes_of(GroupSpan g) const noexcept {
    if (g.empty()) return ByteRange{range_.offset, 0};
    if (groups_ == Groups::kEqual) {
      const ByteRange first = Partition(range_, p2_, g.lo);
      const ByteRange last = Partition(range_, p2_, g.hi - 1);
      return ByteRange{first.offset, last.end() - first.offset};
    }
    // Group k covers the pieces of the members it stands for.
    const std::uint32_t first_v = g.lo < r_ ? 2 * g.lo : g.lo + r_;
    const std::uint32_t last_v = virtual_of(g.hi - 1);
    return ByteRange{piece(first_v).offset, piece(last_v).end() - piece(first_v).offset};
  }

  // Each even v < 2r sends `what` to v+1 and drops out.
  void fold_in(bool whole_range, Combine combine) {
    for (std::uint32_t k = 0; k < r_; ++k) {
      const ByteRange what = whole_range ? range_ : piece(2 * k);
      pending_.push_back({2 * k + 1, send(2 * k, 2 * k + 1, what, combine)});
    }
    commit();
  }
  // Each odd v < 2r hands v-1 its result (one or two ranges).
  void fold_out(std::span<const ByteRange> what) {
    for (std::uint32_t k = 0; k < r_; ++k) {
      for (ByteRange b : what) pending_.push_back({2 * k, send(2 * k + 1, 2 * k, b, Combine::kCopy)});
    }
    commit();
  }
  void fold_out_whole() { fold_out(std::span<const ByteRange>(&range_, 1)); }
  // All-gather's unfold: v = 2k needs everything but its own piece.
  void fold_out_all_but_own_piece() {
    for (std::uint32_t k = 0; k < r_; ++k) {
      const ByteRange own = piece(2 * k);
      const ByteRange before{range_.offset, own.offset - range_.offset};
      const ByteRange after{own.end(), range_.end() - own.end()};
      for (ByteRange b : {before, after}) {
        if (b.length > 0) pending_.push_back({2 * k, send(2 * k + 1, 2 * k, b, Combine::kCopy)});
      }
    }
    commit();
  }
  // Reduce-scatter's unfold: v = 2k gets its own piece from v = 2k+1.
  void fold_out_own_piece() {
    for (std::uint32_t k = 0; k < r_; ++k) {
      pending_.push_back({2 * k, send(2 * k + 1, 2 * k, piece(2 * k), Combine::kCopy)});
    }
    commit();
  }

  void hold_everything() {
    for (auto& h : held_) h = GroupSpan{0, p2_};
  }
  void hold_own_group() {
    for (std::uint32_t k = 0; k < p2_; ++k) held_[k] = GroupSpan{k, k + 1};
  }
  void hold_at(std::uint32_t k, GroupSpan g) { held_[k] = g; }

  // Recursive vector halving: at distance d = p'/2, ..., 1, new rank k keeps
  // the half of its span on its side of bit d and adds the partner's copy of it.
  void halve() {
    for (std::uint32_t d = p2_ / 2; d >= 1; d /= 2) {
      std::vector<GroupSpan> next(held_);
      for (std::uint32_t k = 0; k < p2_; ++k) {
        const GroupSpan h = held_[k];
        const std::uint32_t mid = h.lo + (h.hi - h.lo) / 2;
        const GroupSpan lower{h.lo, mid};
        const GroupSpan upper{mid, h.hi};
        const bool keep_lower = (k & d) == 0;
        next[k] = keep_lower ? lower : upper;
        exchange(k, k ^ d, keep_lower ? upper : lower, Combine::kReduce);
      }
      held_ = std::move(next);
      commit();
    }
  }
  // Recursive doubling: at distance d = 1, 2, ..., p'/2 partners swap all they hold.
  void double_up() {
    for (std::uint32_t d = 1; d < p2_; d *= 2) {
      std::vector<GroupSpan> next(held_);
      for (std::uint32_t k = 0; k < p2_; ++k) {
        const std::uint32_t partner = k ^ d;
        exchange(k, partner, held_[k], Combine::kCopy);
        next[partner] = Union(held_[partner], held_[k]);
      }
      held_ = std::move(next);
      commit();
    }
  }
  // Binomial gather to new rank p'-1: at distance d, a survivor whose
  // (k xor root) has lowest set bit d hands all it holds to k xor d.
  void gather_to_last() {
    const std::uint32_t root = p2_ - 1;
    for (std::uint32_t d = 1; d < p2_; d *= 2) {
      std::vector<GroupSpan> next(held_);
      for (std::uint32_t k = 0; k < p2_; ++k) {
        if (((k ^ root) & (2 * d - 1)) != d) continue;
        exchange(k, k ^ d, held_[k], Combine::kCopy);
        next[k ^ d] = Union(held_[k ^ d], held_[k]);
      }
      held_ = std::move(next);
      commit();
    }
  }
  // Binomial scatter from new rank p'-1: at distance d = p'/2, ..., 1 a holder
  // hands the half of its span that contains k xor d to k xor d.
  void scatter_from_last() {
    const std::uint32_t root = p2_ - 1;
    for (std::uint32_t d = p2_ / 2; d >= 1; d /= 2) {
      std::vector<GroupSpan> next(held_);
      for (std::uint32_t k = 0; k < p2_; ++k) {
        if (((k ^ root) & (2 * d - 1)) != 0) continue;
        const GroupSpan h = held_[k];
        const std::uint32_t mid = h.lo + (h.hi - h.lo) / 2;
        const GroupSpan lower{h.lo, mid};
        const GroupSpan upper{mid, h.hi};
        const std::uint32_t partner = k ^ d;
        const bool partner_lower = partner >= h.lo && partner < mid;
        exchange(k, partner, partner_lower ? lower : upper, Combine::kCopy);
        next[k] = partner_lower ? upper : lower;
        next[partner] = partner_lower ? lower : upper;
      }
      held_ = std::move(next);
      commit();
    }
  }

  void finish(Frontier& frontier) const { channels_.finish(frontier); }

 private:
  struct Write {
    std::uint32_t v;
    TransferId id;
  };
  static GroupSpan Union(GroupSpan a, GroupSpan b) noexcept {
    if (a.empty()) return b;
    if (b.empty()) return a;
    return GroupSpan{std::min(a.lo, b.lo), std::max(a.hi, b.hi)};
  }
  // A transfer waits for every write into its sender so far in this phase (in
  // these algorithms each step's data depends on all earlier steps) and into
  // its receiver (the receiver takes part in one step at a time, as an MPI
  // rank posting its receive: without it, a rank that did not fold would push
  // its first half into a folding partner while the fold still arrives).
  TransferId send(std::uint32_t from_v, std::uint32_t to_v, ByteRange what, Combine combine) {
    deps_.assign(writes_[from_v].begin(), writes_[from_v].end());
    deps_.insert(deps_.end(), writes_[to_v].begin(), writes_[to_v].end());
    return channels_.send(rank_[from_v], rank_[to_v], what, combine, deps_);
  }
  void exchange(std::uint32_t from_k, std::uint32_t to_k, GroupSpan what, Combine combine) {
    const std::uint32_t to_v = virtual_of(to_k);
    pending_.push_back({to_v, send(virtual_of(from_k), to_v, bytes_of(what), combine)});
  }
  // Writes of a step become dependencies only after the whole step is added,
  // so that partners of one step do not wait for each other.
  void commit() {
    for (const Write& w : pending_) writes_[w.v].push_back(w.id);
    pending_.clear();
  }

  std::uint32_t m_;
  std::uint32_t p2_;
  std::uint32_t r_;
  std::vector<Rank> rank_;
  ByteRange range_;
  Groups groups_;
  std::vector<std::vector<TransferId>> writes_;
  std::vector<GroupSpan> held_;
  std::vector<Write> pending_;
  std::vector<TransferId> deps_;
  PhaseChannels channels_;
};

std::vector<Rank> InOrder(std::span<const Rank> members) { return {members.begin(), members.end()}; }

// Virtual rank v is members[(v + 1) mod m], so the root members[0] is v = m-1:
// never folded (m-1 >= 2r because r < p').
std::vector<Rank> RootLast(std::span<const Rank> members) {
  std::vector<Rank> out(members.size());
  for (std::size_t v = 0; v < members.size(); ++v) out[v] = members[(v + 1) % members.size()];
  return out;
}

}  // namespace

void HalvingDoublingAllReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range,
                              Frontier& frontier) {
  if (members.size() < 2) return;
  HalvingDoubling hd(schedule, InOrder(members), range, HalvingDoubling::Groups::kEqual, frontier);
  hd.fold_in(true, Combine::kReduce);
  hd.hold_everything();
  hd.halve();
  hd.double_up();
  hd.fold_out_whole();
  hd.finish(frontier);
}

void HalvingDoublingReduceScatter(Schedule& schedule, std::span<const Rank> members, ByteRange range,
                                  Frontier& frontier) {
  if (members.size() < 2) return;
  HalvingDoubling hd(schedule, InOrder(members), range, HalvingDoubling::Groups::kPerMemberPieces, frontier);
  hd.fold_in(true, Combine::kReduce);
  hd.hold_everything();
  hd.halve();
  hd.fold_out_own_piece();
  hd.finish(frontier);
}

void HalvingDoublingAllGather(Schedule& schedule, std::span<const Rank> members, ByteRange range,
                              Frontier& frontier) {
  if (members.size() < 2) return;
  HalvingDoubling hd(schedule, InOrder(members), range, HalvingDoubling::Groups::kPerMemberPieces, frontier);
  hd.fold_in(false, Combine::kCopy);
  hd.hold_own_group();
  hd.double_up();
  hd.fold_out_all_but_own_piece();
  hd.finish(frontier);
}

void HalvingDoublingBroadcast(Schedule& schedule, std::span<const Rank> members, ByteRange range,
                              Frontier& frontier) {
  if (members.size() < 2) return;
  HalvingDoubling hd(schedule, RootLast(members), range, HalvingDoubling::Groups::kEqual, frontier);
  hd.hold_at(hd.survivors() - 1, GroupSpan{0, hd.survivors()});
  hd.scatter_from_last();
  hd.double_up();
  hd.fold_out_whole();
  hd.finish(frontier);
}

void HalvingDoublingReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range,
                           Frontier& frontier) {
  if (members.size() < 2) return;
  HalvingDoubling hd(schedule, RootLast(members), range, HalvingDoubling::Groups::kEqual, frontier);
  hd.fold_in(true, Combine::kReduce);
  hd.hold_everything();
  hd.halve();
  hd.gather_to_last();
  hd.finish(frontier);
}

}  // namespace sim::collectives
