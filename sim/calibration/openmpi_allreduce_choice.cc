#include "sim/calibration/openmpi_allreduce_choice.h"

#include <array>
#include <stdexcept>
#include <string>

namespace sim::calibration {
namespace {

using enum OpenMpiAllreduce;

// One band of communicator sizes: below `ranks_below` ranks, the first
// threshold with bytes < bytes_below picks its algorithm, else `otherwise`.
struct Threshold {
  std::int64_t bytes_below;
  OpenMpiAllreduce algorithm;
};
struct Band {
  std::uint32_t ranks_below;  // 0: no upper bound (the last band)
  std::array<Threshold, 7> thresholds;
  int count;
  OpenMpiAllreduce otherwise;
};

// The switch points of ompi_coll_tuned_allreduce_intra_dec_fixed (v4.1.4),
// commutative branch, in the file's order. Each row is one `if
// (communicator_size < N)` block; sizes are total bytes (count x type size).
constexpr std::array<Band, 11> kBands{{
    {4, {{{8, kRing}, {4096, kRecursiveDoubling}, {8192, kRing}, {16384, kRecursiveDoubling}, {65536, kRing},
          {262144, kSegmentedRing}}}, 6, kRabenseifner},
    {8, {{{16, kRing}, {8192, kRecursiveDoubling}}}, 2, kRabenseifner},
    {16, {{{8192, kRecursiveDoubling}}}, 1, kRabenseifner},
    {32, {{{64, kSegmentedRing}, {4096, kRecursiveDoubling}}}, 2, kRabenseifner},
    {64, {{{128, kSegmentedRing}}}, 1, kRabenseifner},
    {128, {{{262144, kRecursiveDoubling}}}, 1, kRabenseifner},
    {256, {{{131072, kNonoverlapping}, {262144, kRecursiveDoubling}}}, 2, kRabenseifner},
    {512, {{{4096, kNonoverlapping}}}, 1, kRabenseifner},
    {2048, {{{2048, kNonoverlapping}, {16384, kRecursiveDoubling}}}, 2, kRabenseifner},
    {4096, {{{2048, kNonoverlapping}, {4096, kSegmentedRing}, {16384, kRecursiveDoubling}}}, 3, kRabenseifner},
    {0, {{{2048, kNonoverlapping}, {16384, kSegmentedRing}, {32768, kRecursiveDoubling}}}, 3, kRabenseifner},
}};

OpenMpiAllreduce Selected(std::uint32_t ranks, std::int64_t bytes) {
  for (const Band& band : kBands) {
    if (band.ranks_below != 0 && ranks >= band.ranks_below) continue;
    for (int i = 0; i < band.count; ++i) {
      if (bytes < band.thresholds[static_cast<std::size_t>(i)].bytes_below) {
        return band.thresholds[static_cast<std::size_t>(i)].algorithm;
      }
    }
    return band.otherwise;
  }
  return kRabenseifner;  // unreachable: the last band has no bound
}

std::uint32_t LargestPowerOfTwoAtMost(std::uint32_t n) {
  std::uint32_t p = 1;
  while (p <= n / 2) p *= 2;
  return p;
}

// Open MPI's own fall-backs inside the algorithms (coll_base_allreduce.c):
// the segmented ring with segment size 0 (what the fixed rules pass) is the
// plain ring; the ring with fewer elements than ranks is recursive doubling;
// Rabenseifner with fewer elements than the largest power of two <= p is
// basic linear.
OpenMpiAllreduce Runs(OpenMpiAllreduce selected, std::uint32_t ranks, std::int64_t count) {
  if (selected == kSegmentedRing) selected = kRing;
  if (selected == kRing && count < static_cast<std::int64_t>(ranks)) return kRecursiveDoubling;
  if (selected == kRabenseifner && count < static_cast<std::int64_t>(LargestPowerOfTwoAtMost(ranks))) {
    return kBasicLinear;
  }
  return selected;
}

}  // namespace

AllreduceChoice OpenMpiAllreduceChoice(std::uint32_t ranks, std::int64_t bytes, std::int64_t element_bytes) {
  std::string problems;
  if (ranks < 1) problems += "ranks must be >= 1, got 0; ";
  if (bytes < 0) problems += "bytes must be >= 0, got " + std::to_string(bytes) + "; ";
  if (element_bytes < 1) problems += "element_bytes must be >= 1, got " + std::to_string(element_bytes) + "; ";
  if (!problems.empty()) {
    problems.resize(problems.size() - 2);
    throw std::invalid_argument("OpenMpiAllreduceChoice: " + problems);
  }
  AllreduceChoice choice;
  if (ranks == 1) return choice;  // nothing is sent; every algorithm is a copy
  choice.selected = Selected(ranks, bytes);
  choice.runs = Runs(choice.selected, ranks, bytes / element_bytes);
  const bool power_of_two = (ranks & (ranks - 1)) == 0;
  switch (choice.runs) {
    case kRing:
      choice.simulated = collectives::Algorithm::kRing;
      choice.exact = true;
      break;
    case kRabenseifner:
      // Same steps for 2^k ranks; for other p Open MPI folds the extra ranks
      // by exchanging halves, sim/collectives by sending whole vectors.
      choice.simulated = collectives::Algorithm::kHalvingDoubling;
      choice.exact = power_of_two;
      break;
    case kRecursiveDoubling:
      // The same steps: log2 p' whole-vector exchanges, the extra ranks
      // folding in and out by whole vectors (sim/collectives/recursive_doubling.h).
      choice.simulated = collectives::Algorithm::kRecursiveDoubling;
      choice.exact = true;
      break;
    default:
      // Reduce then broadcast through a root: a tree is the nearest shape.
      choice.simulated = collectives::Algorithm::kBinaryTree;
      choice.exact = false;
      break;
  }
  return choice;
}

std::string_view Name(OpenMpiAllreduce algorithm) noexcept {
  switch (algorithm) {
    case kBasicLinear: return "basic_linear";
    case kNonoverlapping: return "nonoverlapping";
    case kRecursiveDoubling: return "recursive_doubling";
    case kRing: return "ring";
    case kSegmentedRing: return "segmented_ring";
    case kRabenseifner: return "rabenseifner";
  }
  return "unknown";
}

std::optional<OpenMpiAllreduce> ParseOpenMpiAllreduce(std::string_view name) noexcept {
  for (int id = 1; id <= 6; ++id) {
    const auto algorithm = static_cast<OpenMpiAllreduce>(id);
    if (name == Name(algorithm)) return algorithm;
  }
  return std::nullopt;
}

}  // namespace sim::calibration
