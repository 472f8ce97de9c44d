#include "sim/training/straggler_distributions.h"

#include <array>
#include <cmath>

namespace sim {
namespace {

constexpr std::array<StragglerDistributionEntry, 4> kDistributions{{
    {StragglerDistribution::kNone, "NONE", [](const DistributionParameters&, RandomStream&) { return 0.0; }, false},
    {StragglerDistribution::kExponential, "EXPONENTIAL",
     [](const DistributionParameters& p, RandomStream& rng) { return rng.exponential(p.mean); }, true},
    {StragglerDistribution::kShiftedExponential, "SHIFTED_EXPONENTIAL",
     [](const DistributionParameters& p, RandomStream& rng) { return p.shift + rng.exponential(p.mean); }, true},
    {StragglerDistribution::kLognormal, "LOGNORMAL",
     [](const DistributionParameters& p, RandomStream& rng) { return std::exp(p.mean * rng.normal()) - 1.0; }, true},
}};

constexpr bool InEnumOrder() {
  for (std::size_t i = 0; i < kDistributions.size(); ++i) {
    if (static_cast<std::size_t>(kDistributions[i].id) != i) return false;
  }
  return true;
}
static_assert(InEnumOrder(), "kDistributions must list the distributions in the order of the enum");

}  // namespace

std::span<const StragglerDistributionEntry> StragglerDistributions() noexcept { return kDistributions; }

const StragglerDistributionEntry& Entry(StragglerDistribution distribution) noexcept {
  return kDistributions[static_cast<std::size_t>(distribution)];
}

}  // namespace sim
