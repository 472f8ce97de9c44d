#include "sim/scenario/strategy_plan.h"

#include <cctype>
#include <optional>
#include <span>

#include "sim/collectives/algorithms.h"
#include "sim/scenario/scenario_error.h"

namespace sim::scenario {
namespace {

template <typename T>
void Require(bool ok, const std::string& field, const std::string& rule, T got, std::vector<std::string>& problems) {
  if (!ok) problems.push_back(field + " must be " + rule + ", got " + Show(got));
}

std::string Lower(std::string name) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

constexpr models::CompressionScheme kSchemes[] = {
    models::CompressionScheme::kNone,       models::CompressionScheme::kTopK,  models::CompressionScheme::kRandomK,
    models::CompressionScheme::kQsgd,       models::CompressionScheme::kInt8,  models::CompressionScheme::kScaledSign,
    models::CompressionScheme::kPowerSgd};

// The schema's scheme names are the models' names, upper-cased.
std::optional<models::CompressionScheme> SchemeNamed(const std::string& name) {
  for (models::CompressionScheme scheme : kSchemes) {
    if (models::Name(scheme) == Lower(name)) return scheme;
  }
  return std::nullopt;
}

// The typed options of a compression with its defaults written in.
models::CompressionOptions CompressionOptionsOf(const Compression& c, models::CompressionScheme scheme) {
  models::CompressionOptions o;
  o.scheme = scheme;
  if (c.has_ratio()) o.ratio = c.ratio();
  if (c.has_levels()) o.levels = c.levels();
  if (c.has_bucket_size()) o.bucket_size = c.bucket_size();
  if (c.has_rank()) o.rank = c.rank();
  if (c.has_power_iterations()) o.power_iterations = c.power_iterations();
  o.error_feedback = c.error_feedback();
  return o;
}

bool Biased(Compression::Scheme scheme) {
  return scheme == Compression::TOP_K || scheme == Compression::SCALED_SIGN || scheme == Compression::POWER_SGD;
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
  if (s.allreduce_entry() == EACH_WORKER) spec.allreduce_entry = sim::AllReduceEntry::kEachWorker;
  spec.servers = s.servers();
  spec.colocated_servers = s.colocated_servers();
  spec.server_apply_rate = GigabytesPerSecond(s.server_apply_gbyte_per_s());
  spec.staleness_bound = s.staleness_bound();
  spec.local_steps = s.local_steps();
  spec.backup_workers = s.backup_workers();
  spec.reset_optimizer_state = s.reset_optimizer_state();
  if (s.has_compression()) {
    const std::string scheme = Compression_Scheme_Name(s.compression().scheme());
    if (const auto parsed = SchemeNamed(scheme)) {
      spec.compression = CompressionOptionsOf(s.compression(), *parsed);
    } else {
      problems.push_back("strategy.compression.scheme: no compression scheme named '" + scheme + "' (value " +
                         Show(s.compression().scheme()) + ")");
    }
  }
  return spec;
}

void CompressionDefaults(Strategy& s) {
  if (!s.has_compression()) return;
  Compression& c = *s.mutable_compression();
  if (c.scheme() == Compression::SCHEME_UNSPECIFIED) c.set_scheme(Compression::NONE);
  switch (c.scheme()) {
    case Compression::TOP_K:
    case Compression::RANDOM_K:
      if (!c.has_ratio()) c.set_ratio(0.01);
      break;
    case Compression::QSGD:
      if (!c.has_levels()) c.set_levels(127);
      if (!c.has_bucket_size()) c.set_bucket_size(512);
      break;
    case Compression::INT8:
    case Compression::SCALED_SIGN:
      if (!c.has_bucket_size()) c.set_bucket_size(0);
      break;
    case Compression::POWER_SGD:
      if (!c.has_rank()) c.set_rank(2);
      if (!c.has_power_iterations()) c.set_power_iterations(1);
      break;
    default: break;
  }
  if (c.scheme() != Compression::NONE && !c.has_error_feedback()) c.set_error_feedback(Biased(c.scheme()));
}

void CheckCompression(const StrategySpec& spec, const Strategy& s, const std::optional<ModelShape>& model,
                      std::vector<std::string>& problems) {
  if (!s.has_compression() || !SchemeNamed(Compression_Scheme_Name(s.compression().scheme()))) return;
  const Compression& c = s.compression();
  const Compression::Scheme scheme = c.scheme();
  const std::string name = Compression_Scheme_Name(scheme);
  const auto foreign = [&](bool given, bool read, const std::string& field) {
    if (given && !read) problems.push_back("strategy.compression." + field + ": " + name + " has no " + field);
  };
  const bool sparse = scheme == Compression::TOP_K || scheme == Compression::RANDOM_K;
  const bool bucketed =
      scheme == Compression::QSGD || scheme == Compression::INT8 || scheme == Compression::SCALED_SIGN;
  foreign(c.has_ratio(), sparse, "ratio");
  foreign(c.has_levels(), scheme == Compression::QSGD, "levels");
  foreign(c.has_bucket_size(), bucketed, "bucket_size");
  foreign(c.has_rank(), scheme == Compression::POWER_SGD, "rank");
  foreign(c.has_power_iterations(), scheme == Compression::POWER_SGD, "power_iterations");
  foreign(c.has_error_feedback(), scheme != Compression::NONE, "error_feedback");
  if (scheme == Compression::POWER_SGD) {
    // compressed_exchange.h: only an all-reduce of the factors carries it.
    if (spec.kind != sim::StrategyKind::kSyncAllReduce && spec.kind != sim::StrategyKind::kLocalSgd) {
      problems.push_back("strategy.compression.scheme: POWER_SGD's factors are all-reduced, which needs "
                         "SYNC_ALLREDUCE or LOCAL_SGD, got " +
                         std::string(Entry(spec.kind).name));
    }
    if (model && !model->trainable) {
      problems.push_back("strategy.compression.scheme: POWER_SGD compresses weight matrices, and a timing_only "
                         "model has none");
    } else if (model && model->weight_shapes.empty()) {
      problems.push_back("strategy.compression.scheme: POWER_SGD compresses weight matrices, and "
                         "workload.model.linear_regression has none");
    }
  }
  // The values, by the models' own rules; without a valid model, on a
  // one-entry vector with no matrices (the shape-free checks only).
  const auto shapes = model ? std::span<const models::MatrixShape>(model->weight_shapes)
                            : std::span<const models::MatrixShape>();
  for (std::string& p : models::CompressionProblems(spec.compression, model ? model->parameters : 1, shapes)) {
    problems.push_back(std::move(p));
  }
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
  if (s.allreduce_entry() == EACH_WORKER && spec.kind != sim::StrategyKind::kSyncAllReduce) {
    problems.push_back("strategy.allreduce_entry: EACH_WORKER applies to SYNC_ALLREDUCE, got " +
                       std::string(Entry(spec.kind).name));
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
