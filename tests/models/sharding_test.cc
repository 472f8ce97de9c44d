// Splitting the training set across workers and drawing batches: every sample
// is used exactly once per split and once per epoch, the label skew reaches
// its fraction, and the same seed gives the same split and the same batches.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "models/data/batch_sampler.h"
#include "models/data/sharding.h"

namespace sim::models {
namespace {

void ExpectPartition(const Shards& shards, SampleIndex samples) {
  std::vector<int> seen(static_cast<std::size_t>(samples), 0);
  for (const auto& shard : shards) {
    for (SampleIndex i : shard) {
      ASSERT_GE(i, 0);
      ASSERT_LT(i, samples);
      ++seen[static_cast<std::size_t>(i)];
    }
  }
  EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; })) << "a sample missing or repeated";
}

// 10,000 samples, 1,000 of each of 10 classes, class = i % 10.
std::vector<std::int32_t> BalancedLabels() {
  std::vector<std::int32_t> labels(10'000);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int32_t>(i % 10);
  return labels;
}

double OwnGroupFraction(const std::vector<SampleIndex>& shard, const std::vector<std::int32_t>& labels,
                        const std::vector<std::int32_t>& group) {
  std::size_t own = 0;
  for (SampleIndex i : shard) {
    if (std::find(group.begin(), group.end(), labels[static_cast<std::size_t>(i)]) != group.end()) ++own;
  }
  return static_cast<double>(own) / static_cast<double>(shard.size());
}

TEST(ShardIid, EverySampleExactlyOnceSizesWithinOneSeeded) {
  // 1,003 samples over 4 workers: 251, 251, 251, 250.
  const Shards shards = ShardIid(1'003, 4, NamedStream(1, "data/shards"));
  ASSERT_EQ(shards.size(), 4u);
  EXPECT_EQ(shards[0].size(), 251u);
  EXPECT_EQ(shards[3].size(), 250u);
  ExpectPartition(shards, 1'003);
  EXPECT_EQ(shards, ShardIid(1'003, 4, NamedStream(1, "data/shards")));
  EXPECT_NE(shards, ShardIid(1'003, 4, NamedStream(2, "data/shards")));
  // Shuffled, not the identity split.
  EXPECT_NE(shards[0], RowRange(0, 251));
  EXPECT_THROW((void)ShardIid(3, 4, NamedStream(1, "x")), std::invalid_argument);
}

TEST(ShardByLabel, SkewReachesItsFractionWithOneClassPerWorker) {
  // 10 workers, 10 balanced classes, skew 0.8: each worker takes 800 of its
  // class's 1,000 samples; the 2,000 left (200 per class) are shuffled and
  // dealt 200 per worker, of which 1/10 are expected to be its own class.
  // Own fraction = (800 + 20) / 1,000 = 0.82; the leftover draw's standard
  // deviation is sqrt(200 x 0.1 x 0.9) / 1,000 = 0.004, tolerance 0.02.
  const auto labels = BalancedLabels();
  const Shards shards = ShardByLabel(labels, 10, 10, 0.8, NamedStream(1, "data/shards"));
  ExpectPartition(shards, 10'000);
  for (int w = 0; w < 10; ++w) {
    const auto& shard = shards[static_cast<std::size_t>(w)];
    EXPECT_EQ(shard.size(), 1'000u);
    const double fraction = OwnGroupFraction(shard, labels, LabelGroup(w, 10, 10));
    EXPECT_GE(fraction, 0.8);
    EXPECT_NEAR(fraction, 0.82, 0.02) << "worker " << w;
  }
}

TEST(ShardByLabel, GroupsOfClassesAndSharedClasses) {
  const auto labels = BalancedLabels();
  // 5 workers: groups {0,5}, {1,6}, ...; quota 0.6 x 2,000 = 1,200 of 2,000.
  EXPECT_EQ(LabelGroup(1, 5, 10), (std::vector<std::int32_t>{1, 6}));
  const Shards five = ShardByLabel(labels, 10, 5, 0.6, NamedStream(3, "data/shards"));
  ExpectPartition(five, 10'000);
  for (int w = 0; w < 5; ++w) {
    EXPECT_GE(OwnGroupFraction(five[static_cast<std::size_t>(w)], labels, LabelGroup(w, 5, 10)), 0.6);
  }
  // 20 workers over 10 classes: workers w and w + 10 share class w; each
  // takes 0.8 x 500 = 400 of its 1,000.
  EXPECT_EQ(LabelGroup(13, 20, 10), (std::vector<std::int32_t>{3}));
  const Shards twenty = ShardByLabel(labels, 10, 20, 0.8, NamedStream(3, "data/shards"));
  ExpectPartition(twenty, 10'000);
  for (int w = 0; w < 20; ++w) {
    EXPECT_GE(OwnGroupFraction(twenty[static_cast<std::size_t>(w)], labels, LabelGroup(w, 20, 10)), 0.8);
  }
}

TEST(ShardByLabel, FullSkewGivesOneClassPerWorker) {
  const auto labels = BalancedLabels();
  const Shards shards = ShardByLabel(labels, 10, 10, 1.0, NamedStream(1, "data/shards"));
  for (int w = 0; w < 10; ++w) {
    std::set<std::int32_t> classes;
    for (SampleIndex i : shards[static_cast<std::size_t>(w)]) classes.insert(labels[static_cast<std::size_t>(i)]);
    EXPECT_EQ(classes, (std::set<std::int32_t>{w}));
  }
  EXPECT_THROW((void)ShardByLabel(labels, 10, 10, 1.5, NamedStream(1, "x")), std::invalid_argument);
  std::vector<std::int32_t> bad = labels;
  bad[5] = 10;
  EXPECT_THROW((void)ShardByLabel(bad, 10, 10, 0.5, NamedStream(1, "x")), std::invalid_argument);
}

TEST(BatchSampler, EachEpochCoversTheShardOnceAndBatchesStayFull) {
  // Shard of 10, batches of 4: batches 1-2 and half of 3 are epoch 1, the
  // rest of batch 3 starts epoch 2 (a fresh shuffle). Over 5 batches = 20
  // draws = exactly 2 epochs, each sample appears twice.
  const std::vector<SampleIndex> shard = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
  BatchSampler sampler(shard, 4, NamedStream(1, "s"));
  std::vector<SampleIndex> drawn;
  for (int b = 0; b < 5; ++b) {
    const auto batch = sampler.next();
    ASSERT_EQ(batch.size(), 4u);
    drawn.insert(drawn.end(), batch.begin(), batch.end());
  }
  EXPECT_EQ(sampler.epochs_started(), 2);
  EXPECT_EQ(sampler.batches_drawn(), 5);
  std::vector<SampleIndex> first(drawn.begin(), drawn.begin() + 10), second(drawn.begin() + 10, drawn.end());
  std::sort(first.begin(), first.end());
  std::sort(second.begin(), second.end());
  EXPECT_EQ(first, shard);
  EXPECT_EQ(second, shard);
  EXPECT_NE(std::vector<SampleIndex>(drawn.begin(), drawn.begin() + 10),
            std::vector<SampleIndex>(drawn.begin() + 10, drawn.end()))
      << "the second epoch should be reshuffled";
}

TEST(BatchSampler, SameSeedSameBatchesWorkersIndependent) {
  const std::vector<SampleIndex> shard = RowRange(0, 100);
  BatchSampler a = MakeBatchSampler(shard, 8, 42, 3), b = MakeBatchSampler(shard, 8, 42, 3);
  BatchSampler other = MakeBatchSampler(shard, 8, 42, 4);
  bool differs = false;
  for (int i = 0; i < 30; ++i) {
    const auto x = a.next();
    const std::vector<SampleIndex> xa(x.begin(), x.end());
    const auto y = b.next();
    EXPECT_EQ(xa, std::vector<SampleIndex>(y.begin(), y.end()));
    const auto z = other.next();
    differs = differs || xa != std::vector<SampleIndex>(z.begin(), z.end());
  }
  EXPECT_TRUE(differs);
  EXPECT_THROW(BatchSampler({}, 4, NamedStream(1, "s")), std::invalid_argument);
  EXPECT_THROW(BatchSampler(shard, 0, NamedStream(1, "s")), std::invalid_argument);
}

}  // namespace
}  // namespace sim::models
