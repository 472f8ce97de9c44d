#include "sim/scenario/resource_estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "sim/scenario/workload_plan.h"

namespace sim::scenario {
namespace {

constexpr double kBytesPerScalar = 4.0;  // fp32, as the numerics compute
constexpr double kBytesPerEndpoint = 1024.0;
constexpr double kBytesPerTransfer = 64.0;
constexpr double kBytesPerTraceInterval = 150.0;
constexpr double kFashionFeatures = 784.0;
constexpr double kFashionTrain = 60000.0;
constexpr double kFashionTest = 10000.0;

std::string Count(double n) {
  char text[64];
  std::snprintf(text, sizeof text, n < 1e6 ? "%.0f" : "%.2g", n);
  return text;
}

// Transfers of one all-reduce of `workers` ranks, `per_host` to a host
// (sim/collectives: ring 2(N-1) per rank; halving-doubling and recursive
// doubling 2 log2 N per rank of the largest power of two; a binary tree reduces then broadcasts, 2(N-1)
// in all, two trees twice that; hierarchical: rings inside each host, then
// a ring across hosts per device).
double AllReduceTransfers(collectives::Algorithm algorithm, double workers, double per_host) {
  const double n = workers;
  if (n <= 1) return 0;
  switch (algorithm) {
    case collectives::Algorithm::kHalvingDoubling:
    case collectives::Algorithm::kRecursiveDoubling: {
      // On the largest power of two p <= N; the other N - p ranks fold in
      // and out (Thakur et al. 2005).
      const double p = std::exp2(std::floor(std::log2(n)));
      return 2.0 * std::log2(p) * p + 2.0 * (n - p);
    }
    case collectives::Algorithm::kBinaryTree: return 2.0 * (n - 1);
    case collectives::Algorithm::kDoubleBinaryTree: return 4.0 * (n - 1);
    case collectives::Algorithm::kHierarchical: {
      const double d = std::clamp(per_host, 1.0, n);
      const double hosts = std::ceil(n / d);
      return hosts * 2.0 * (d - 1) * d + d * 2.0 * (hosts - 1) * hosts;
    }
    default: return 2.0 * (n - 1) * n;
  }
}

// Training and test samples and features of the workload's data.
struct DataSize {
  double train = 0, test = 0, features = 0;
};

DataSize DataSizeOf(const Workload& w) {
  const Dataset& d = w.dataset();
  if (d.has_fashion_mnist()) {
    const double train = d.fashion_mnist().train_samples() > 0
                             ? std::min<double>(d.fashion_mnist().train_samples(), kFashionTrain)
                             : kFashionTrain;
    return {train, kFashionTest, kFashionFeatures};
  }
  if (d.has_synthetic()) {
    const Synthetic& s = d.synthetic();
    return {s.train_samples() > 0 ? s.train_samples() : 10000.0, s.test_samples() > 0 ? s.test_samples() : 2000.0,
            s.features() > 0 ? s.features() : 32.0};
  }
  return {};
}

}  // namespace

double ResourceEstimate::memory_bytes() const {
  double total = 0;
  for (const MemoryPart& part : memory) total += part.bytes;
  return total;
}

std::string ShowBytes(double bytes) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  int unit = 0;
  while (bytes >= 1000.0 && unit < 6) {
    bytes /= 1000.0;
    ++unit;
  }
  char text[64];
  std::snprintf(text, sizeof text, bytes >= 100 || unit == 0 ? "%.0f %s" : "%.2g %s", bytes, kUnits[unit]);
  return text;
}

double MemAvailableBytes(const std::string& meminfo) {
  std::istringstream lines(meminfo);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream fields(line.substr(13));
    double kib = 0;
    std::string unit;
    if (fields >> kib >> unit && unit == "kB") return kib * 1024.0;
  }
  return 0;
}

ResourceLimits ThisMachineLimits() {
  ResourceLimits limits;
  limits.events = kDefaultMaxEvents;
  std::ifstream in("/proc/meminfo");
  std::ostringstream text;
  text << in.rdbuf();
  limits.memory_bytes = MemAvailableBytes(text.str());
  limits.memory_source = "this machine's available memory (MemAvailable)";
  return limits;
}

ResourceEstimate EstimateResources(const Scenario& scenario, const StrategySpec& strategy, bool trace,
                                   bool layer_wise) {
  ResourceEstimate e;
  const Cluster& c = scenario.cluster();
  const Workload& w = scenario.workload();
  const double workers = c.workers();
  const double per_host = std::max(1u, c.devices_per_host());
  const double endpoints = std::max(workers + strategy.servers, static_cast<double>(c.hosts()) * per_host);
  e.memory.push_back({"topology and per-worker state", endpoints * kBytesPerEndpoint,
                      workers >= static_cast<double>(c.hosts()) * per_host ? "cluster.workers" : "cluster.hosts"});
  if (layer_wise) return e;

  const bool allreduce =
      strategy.kind == sim::StrategyKind::kSyncAllReduce || strategy.kind == sim::StrategyKind::kLocalSgd;
  const double transfers = allreduce ? AllReduceTransfers(strategy.allreduce, workers, per_host) : 0.0;
  if (transfers > 0) {
    e.memory.push_back({"the all-reduce's schedule (" + Count(transfers) + " transfers)",
                        transfers * kBytesPerTransfer, "cluster.workers"});
  }

  const std::optional<ModelShape> shape = ModelShapeOf(w);
  const DataSize data = DataSizeOf(w);
  const double batch = w.batch_size();
  if (shape && shape->trainable) {
    const auto parameters = static_cast<double>(shape->parameters);
    double per_worker = 1.0;
    if (strategy.kind == sim::StrategyKind::kAsyncPs || strategy.kind == sim::StrategyKind::kSsp) per_worker += 1.0;
    if (strategy.kind == sim::StrategyKind::kLocalSgd) per_worker += 2.0;
    if (strategy.compression.scheme != models::CompressionScheme::kNone && strategy.compression.error_feedback) {
      per_worker += 1.0;
    }
    const std::string what = "parameters and gradients (" + Count(parameters) + " parameters x (4 + " +
                             Count(per_worker) + " x " + Count(workers) + " workers))";
    const double bytes = parameters * kBytesPerScalar * (4.0 + per_worker * workers);
    e.memory.push_back({what, bytes, "workload.model (or cluster.workers)"});
    double widths = 0;
    for (const auto& m : shape->weight_shapes) widths += static_cast<double>(m.rows + m.cols);
    if (shape->weight_shapes.empty()) widths = data.features;
    e.memory.push_back({"activations of a batch", batch * widths * kBytesPerScalar * 2.0,
                        "workload.batch_size"});
    e.memory.push_back({"the data set", (data.train + data.test) * data.features * kBytesPerScalar,
                        "workload.dataset"});
  }

  // The run's length in updates.
  double steps = static_cast<double>(w.steps());
  if (steps == 0 && w.epochs() > 0) {
    const double per_update =
        static_cast<double>(Entry(strategy.kind).samples_per_update(strategy, c.workers(), w.batch_size()));
    steps = std::ceil(w.epochs() * data.train / std::max(1.0, per_update));
  }
  const double servers = std::max(1u, strategy.servers);
  double per_step = 0;
  switch (strategy.kind) {
    case sim::StrategyKind::kSyncAllReduce: per_step = 2.5 * transfers + 2.0 * workers; break;
    case sim::StrategyKind::kSyncPs:
    case sim::StrategyKind::kSyncBackup: per_step = 6.0 * workers * servers; break;
    case sim::StrategyKind::kAsyncPs:
    case sim::StrategyKind::kSsp: per_step = 7.0 * servers; break;
    case sim::StrategyKind::kLocalSgd:
      per_step = 2.0 * workers + 2.5 * transfers / std::max(1u, strategy.local_steps);
      break;
  }
  e.events = per_step * steps;
  e.events_note = "about " + Count(per_step) + " per step x " + Count(steps) + " steps";
  if (trace) {
    const bool one_worker_per_step =
        strategy.kind == sim::StrategyKind::kAsyncPs || strategy.kind == sim::StrategyKind::kSsp;
    const double intervals = 3.0 * steps * (one_worker_per_step ? 1.0 : workers);
    e.memory.push_back({"the trace (" + Count(intervals) + " intervals)", intervals * kBytesPerTraceInterval,
                        "workload.steps"});
  }
  return e;
}

void CheckResources(const ResourceEstimate& estimate, const ResourceLimits& limits,
                    std::vector<std::string>& problems) {
  const double memory = estimate.memory_bytes();
  if (limits.memory_bytes > 0 && memory > limits.memory_bytes) {
    std::vector<MemoryPart> parts = estimate.memory;
    std::stable_sort(parts.begin(), parts.end(),
                     [](const MemoryPart& a, const MemoryPart& b) { return a.bytes > b.bytes; });
    std::string largest;
    for (std::size_t k = 0; k < std::min<std::size_t>(parts.size(), 3); ++k) {
      largest += (k > 0 ? ", " : "") + parts[k].what + " " + ShowBytes(parts[k].bytes);
    }
    problems.push_back(parts.front().field + ": the run would need about " + ShowBytes(memory) +
                       " of memory (" + largest + "), more than " + limits.memory_source + " of " +
                       ShowBytes(limits.memory_bytes) + "; make " + parts.front().field + " smaller");
  }
  if (limits.events > 0 && estimate.events > limits.events) {
    problems.push_back("workload.steps: the run would fire about " + Count(estimate.events) + " events (" +
                       estimate.events_note + "), more than the limit of " + Count(limits.events) +
                       " (--max-events); make workload.steps (or cluster.workers) smaller");
  }
}

}  // namespace sim::scenario
