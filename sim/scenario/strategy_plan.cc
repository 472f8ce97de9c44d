#include "sim/scenario/strategy_plan.h"

#include <cctype>
#include <sstream>

#include "sim/collectives/algorithms.h"

namespace sim::scenario {
namespace {

template <typename T>
std::string Show(T value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

template <typename T>
void Require(bool ok, const std::string& field, const std::string& rule, T got, std::vector<std::string>& problems) {
  if (!ok) problems.push_back(field + " must be " + rule + ", got " + Show(got));
}

std::string Lower(std::string name) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace

StrategySpec StrategySpecOf(const Strategy& s, std::vector<std::string>& problems) {
  StrategySpec spec;
  const std::string kind = StrategyKind_Name(s.kind());
  bool found = false;
  for (const StrategyKindEntry& entry : StrategyKinds()) {
    if (entry.name == kind) {
      spec.kind = entry.id;
      found = true;
    }
  }
  if (!found) problems.push_back("strategy.kind: no strategy named '" + kind + "' (value " + Show(s.kind()) + ")");
  // The schema's algorithm names are the registry's, upper-cased.
  const std::string algorithm = Lower(AllReduceAlgorithm_Name(s.allreduce()));
  if (const auto parsed = collectives::ParseAlgorithm(algorithm)) {
    spec.allreduce = *parsed;
  } else {
    problems.push_back("strategy.allreduce: no collective algorithm named '" + algorithm + "' (value " +
                       Show(s.allreduce()) + ")");
  }
  if (!collectives::Supports(collectives::Op::kAllReduce, spec.allreduce)) {
    problems.push_back("strategy.allreduce: '" + algorithm + "' is not an all-reduce");
  }
  spec.ring_chunk = Bytes{static_cast<std::int64_t>(s.ring_chunk_bytes())};
  spec.servers = s.servers();
  spec.colocated_servers = s.colocated_servers();
  spec.server_apply_rate = GigabytesPerSecond(s.server_apply_gbyte_per_s());
  spec.staleness_bound = s.staleness_bound();
  spec.local_steps = s.local_steps();
  spec.backup_workers = s.backup_workers();
  return spec;
}

void CheckStrategy(const StrategySpec& spec, const Strategy& s, std::uint32_t workers,
                   std::vector<std::string>& problems) {
  if (Entry(spec.kind).uses_servers) Require(s.servers() >= 1, "strategy.servers", ">= 1", s.servers(), problems);
  Require(s.server_apply_gbyte_per_s() >= 0, "strategy.server_apply_gbyte_per_s", ">= 0 (0 = free)",
          s.server_apply_gbyte_per_s(), problems);
  if (s.servers_per_host() > 0 && !s.colocated_servers()) {
    problems.push_back("strategy.servers_per_host needs colocated_servers: true (dedicated servers take hosts of their "
                       "own; give strategy.servers)");
  }
  if (spec.kind == sim::StrategyKind::kLocalSgd) {
    Require(s.local_steps() >= 1, "strategy.local_steps", ">= 1", s.local_steps(), problems);
  }
  if (spec.kind == sim::StrategyKind::kSyncBackup) {
    Require(s.backup_workers() < workers, "strategy.backup_workers", "< cluster.workers (" + Show(workers) + ")",
            s.backup_workers(), problems);
    if (workers >= 1) {
      Require(s.backup_workers() >= 1, "strategy.backup_workers", ">= 1 with SYNC_BACKUP", s.backup_workers(), problems);
    }
  }
}

StragglerSpec StragglerSpecOf(const Stragglers& s, std::vector<std::string>& problems) {
  StragglerSpec spec;
  const std::string name = StragglerDistribution_Name(s.distribution());
  bool found = false;
  for (const StragglerDistributionEntry& entry : StragglerDistributions()) {
    if (entry.name == name) {
      spec.distribution = entry.id;
      found = true;
    }
  }
  if (!found) {
    problems.push_back("stragglers.distribution: no distribution named '" + name + "' (value " +
                       Show(s.distribution()) + ")");
  }
  spec.parameters = DistributionParameters{s.mean(), s.shift()};
  for (const SlowWorker& w : s.slow_workers()) spec.slow_workers.push_back({w.worker(), w.factor()});
  spec.transient_probability = s.transient_probability();
  spec.transient_factor = s.transient_factor();
  return spec;
}

void CheckStragglers(const Stragglers& s, std::uint32_t workers, std::vector<std::string>& problems) {
  Require(s.mean() >= 0, "stragglers.mean", ">= 0", s.mean(), problems);
  Require(s.shift() >= 0, "stragglers.shift", ">= 0", s.shift(), problems);
  for (const StragglerDistributionEntry& entry : StragglerDistributions()) {
    if (entry.name == StragglerDistribution_Name(s.distribution()) && entry.needs_mean) {
      Require(s.mean() > 0, "stragglers.mean", "> 0 with a straggler distribution", s.mean(), problems);
    }
  }
  for (int i = 0; i < s.slow_workers_size(); ++i) {
    const SlowWorker& w = s.slow_workers(i);
    const std::string at = "stragglers.slow_workers[" + Show(i) + "]";
    Require(w.worker() < workers, at + ".worker", "< cluster.workers (" + Show(workers) + ")", w.worker(), problems);
    Require(w.factor() >= 1, at + ".factor", ">= 1", w.factor(), problems);
  }
  Require(s.transient_probability() >= 0 && s.transient_probability() <= 1, "stragglers.transient_probability",
          "in [0, 1]", s.transient_probability(), problems);
  Require(s.transient_factor() >= 1, "stragglers.transient_factor", ">= 1", s.transient_factor(), problems);
}

}  // namespace sim::scenario
