// Splitting the training set across workers: every sample goes to exactly one
// worker.
//
// IID: a seeded shuffle of all rows, then contiguous shards; shard sizes
// differ by at most one (the first samples % workers shards get one extra).
//
// BY_LABEL (non-IID, in the spirit of McMahan et al. 2017's pathological
// split, with a tunable degree): worker w owns a label group (LabelGroup);
// a fraction `skew` of its shard is drawn from that group, the rest from the
// samples left over by everyone, shuffled. Shard sizes are those of IID. With
// skew 1 and as many workers as classes, each worker sees one class. If a
// group runs out (its classes hold fewer samples than its workers' quotas),
// the shortfall is filled from the leftovers and the fraction falls below skew.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "models/data/batch.h"
#include "models/data/dataset.h"
#include "sim/core/random.h"

namespace sim::models {

using Shards = std::vector<std::vector<SampleIndex>>;

// Throws std::invalid_argument when workers < 1 or samples < workers.
[[nodiscard]] Shards ShardIid(SampleIndex samples, int workers, RandomStream rng);

// Classes of worker w's label group: with workers <= classes, every class c
// with c % workers == w; with more workers than classes, the single class
// w % classes (shared by several workers).
[[nodiscard]] std::vector<std::int32_t> LabelGroup(int worker, int workers, std::int32_t classes);

// Throws std::invalid_argument when workers < 1, samples < workers, skew is
// outside [0, 1] or a label is outside [0, classes).
[[nodiscard]] Shards ShardByLabel(std::span<const std::int32_t> labels, std::int32_t classes, int workers, double skew,
                                  RandomStream rng);

// In-place Fisher-Yates shuffle (Knuth, TAOCP vol. 2, Algorithm P), written
// out so that the same stream gives the same order with every library.
void Shuffle(std::vector<SampleIndex>& rows, RandomStream& rng);

}  // namespace sim::models
