// Open MPI 4.1.4's fixed decision for MPI_Allreduce (commutative operations),
// against the switch points of ompi/mca/coll/tuned/coll_tuned_decision_fixed.c
// (ompi_coll_tuned_allreduce_intra_dec_fixed), and Open MPI's own fall-backs
// in ompi/mca/coll/base/coll_base_allreduce.c. Each expectation names the
// rule it comes from.
#include <gtest/gtest.h>

#include <stdexcept>

#include "sim/calibration/openmpi_allreduce_choice.h"

namespace sim::calibration {
namespace {

using enum OpenMpiAllreduce;

OpenMpiAllreduce Selected(std::uint32_t p, std::int64_t bytes) { return OpenMpiAllreduceChoice(p, bytes).selected; }
OpenMpiAllreduce Runs(std::uint32_t p, std::int64_t bytes) { return OpenMpiAllreduceChoice(p, bytes).runs; }

TEST(OpenMpiAllreduceChoice, ValidationModelIsRabenseifnerAtEveryRankCount) {
  // The MLP-128 gradient: 101,770 floats = 407,080 bytes.
  // p < 4: bytes >= 262144 -> 6; 4 <= p < 8: bytes >= 8192 -> 6;
  // 8 <= p < 16: bytes >= 8192 -> 6.
  for (std::uint32_t p : {2u, 3u, 4u, 7u, 8u, 15u}) {
    const AllreduceChoice c = OpenMpiAllreduceChoice(p, 407080);
    EXPECT_EQ(c.selected, kRabenseifner) << p;
    EXPECT_EQ(c.runs, kRabenseifner) << p;
    EXPECT_EQ(c.simulated, collectives::Algorithm::kHalvingDoubling) << p;
    // Same steps only for a power of two: Open MPI folds the extra ranks by
    // exchanging halves, sim/collectives by whole vectors.
    EXPECT_EQ(c.exact, (p & (p - 1)) == 0) << p;
  }
}

TEST(OpenMpiAllreduceChoice, SwitchPointsBelowFourRanks) {
  // communicator_size < 4: <8 -> 4, <4096 -> 3, <8192 -> 4, <16384 -> 3,
  // <65536 -> 4, <262144 -> 5, else 6. Each band's edges.
  EXPECT_EQ(Selected(2, 4), kRing);
  EXPECT_EQ(Selected(2, 8), kRecursiveDoubling);
  EXPECT_EQ(Selected(2, 4095), kRecursiveDoubling);
  EXPECT_EQ(Selected(2, 4096), kRing);
  EXPECT_EQ(Selected(2, 8192), kRecursiveDoubling);
  EXPECT_EQ(Selected(2, 16384), kRing);
  EXPECT_EQ(Selected(3, 65535), kRing);
  EXPECT_EQ(Selected(3, 65536), kSegmentedRing);
  EXPECT_EQ(Selected(3, 262143), kSegmentedRing);
  EXPECT_EQ(Selected(3, 262144), kRabenseifner);
}

TEST(OpenMpiAllreduceChoice, SwitchPointsOfLargerCommunicators) {
  // < 8: <16 -> 4, <8192 -> 3, else 6.
  EXPECT_EQ(Selected(4, 15), kRing);
  EXPECT_EQ(Selected(4, 16), kRecursiveDoubling);
  EXPECT_EQ(Selected(7, 8191), kRecursiveDoubling);
  // < 16: <8192 -> 3, else 6.
  EXPECT_EQ(Selected(8, 8191), kRecursiveDoubling);
  EXPECT_EQ(Selected(8, 8192), kRabenseifner);
  // < 32: <64 -> 5, <4096 -> 3, else 6.
  EXPECT_EQ(Selected(16, 63), kSegmentedRing);
  EXPECT_EQ(Selected(31, 4095), kRecursiveDoubling);
  EXPECT_EQ(Selected(31, 4096), kRabenseifner);
  // < 64: <128 -> 5, else 6.  < 128: <262144 -> 3, else 6.
  EXPECT_EQ(Selected(32, 127), kSegmentedRing);
  EXPECT_EQ(Selected(64, 262143), kRecursiveDoubling);
  EXPECT_EQ(Selected(127, 262144), kRabenseifner);
  // < 256: <131072 -> 2, <262144 -> 3, else 6.
  EXPECT_EQ(Selected(128, 131071), kNonoverlapping);
  EXPECT_EQ(Selected(255, 131072), kRecursiveDoubling);
  // < 512: <4096 -> 2, else 6.
  EXPECT_EQ(Selected(256, 4095), kNonoverlapping);
  EXPECT_EQ(Selected(511, 4096), kRabenseifner);
  // < 2048: <2048 -> 2, <16384 -> 3, else 6.
  EXPECT_EQ(Selected(512, 2047), kNonoverlapping);
  EXPECT_EQ(Selected(2047, 16383), kRecursiveDoubling);
  // < 4096: <2048 -> 2, <4096 -> 5, <16384 -> 3, else 6.
  EXPECT_EQ(Selected(2048, 4095), kSegmentedRing);
  EXPECT_EQ(Selected(4095, 16384), kRabenseifner);
  // else: <2048 -> 2, <16384 -> 5, <32768 -> 3, else 6.
  EXPECT_EQ(Selected(4096, 2047), kNonoverlapping);
  EXPECT_EQ(Selected(100000, 16383), kSegmentedRing);
  EXPECT_EQ(Selected(100000, 32767), kRecursiveDoubling);
  EXPECT_EQ(Selected(100000, 32768), kRabenseifner);
}

TEST(OpenMpiAllreduceChoice, FallBacksInsideTheAlgorithms) {
  // Segmented ring with the fixed rules' segment size 0: COLL_BASE_COMPUTED_SEGCOUNT
  // leaves segcount = count, count < size x segcount, so the plain ring runs.
  EXPECT_EQ(Runs(3, 100000), kRing);
  EXPECT_EQ(OpenMpiAllreduceChoice(3, 100000).simulated, collectives::Algorithm::kRing);
  // The ring with fewer elements than ranks runs recursive doubling: 4 bytes
  // = 1 float on 2 ranks (rule "< 8 -> ring").
  EXPECT_EQ(Selected(2, 4), kRing);
  EXPECT_EQ(Runs(2, 4), kRecursiveDoubling);
  // Rabenseifner with fewer elements than 2^floor(log2 p) runs basic linear:
  // 262,144 bytes of one 262,144-byte element on 3 ranks (pof2 = 2).
  EXPECT_EQ(OpenMpiAllreduceChoice(3, 262144, 262144).runs, kBasicLinear);
  EXPECT_EQ(OpenMpiAllreduceChoice(3, 262144, 131072).runs, kRabenseifner);  // 2 elements = pof2
}

TEST(OpenMpiAllreduceChoice, RecursiveDoublingHasItsExactTwin) {
  const AllreduceChoice doubling = OpenMpiAllreduceChoice(8, 4096);
  EXPECT_EQ(doubling.runs, kRecursiveDoubling);
  EXPECT_EQ(doubling.simulated, collectives::Algorithm::kRecursiveDoubling);
  EXPECT_TRUE(doubling.exact);
}

TEST(OpenMpiAllreduceChoice, StandInsAreMarkedInexact) {
  const AllreduceChoice tree = OpenMpiAllreduceChoice(300, 1000);
  EXPECT_EQ(tree.runs, kNonoverlapping);
  EXPECT_EQ(tree.simulated, collectives::Algorithm::kBinaryTree);
  EXPECT_FALSE(tree.exact);
}

TEST(OpenMpiAllreduceChoice, OneRankSendsNothing) {
  const AllreduceChoice c = OpenMpiAllreduceChoice(1, 407080);
  EXPECT_EQ(c.simulated, collectives::Algorithm::kRing);
  EXPECT_TRUE(c.exact);
}

TEST(OpenMpiAllreduceChoice, RejectsImpossibleArgumentsListingAll) {
  try {
    (void)OpenMpiAllreduceChoice(0, -1, 0);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("ranks"), std::string::npos) << what;
    EXPECT_NE(what.find("bytes must be >= 0, got -1"), std::string::npos) << what;
    EXPECT_NE(what.find("element_bytes"), std::string::npos) << what;
  }
}

TEST(OpenMpiAllreduceChoice, NamesAreOpenMpisAndRoundTrip) {
  for (int id = 1; id <= 6; ++id) {
    const auto a = static_cast<OpenMpiAllreduce>(id);
    EXPECT_EQ(ParseOpenMpiAllreduce(Name(a)), a);
  }
  EXPECT_EQ(Name(kRabenseifner), "rabenseifner");
  EXPECT_EQ(ParseOpenMpiAllreduce("tree"), std::nullopt);
}

}  // namespace
}  // namespace sim::calibration
