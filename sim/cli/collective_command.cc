// `sim collective`: time one collective on a simulated cluster over a range of
// sizes and rank counts, and print the table nccl-tests users know
// (NVIDIA/nccl-tests, doc/PERFORMANCE.md):
//
//   sim collective [--scenario FILE | --topology NAME] [--set path=value]...
//       [--op allreduce|broadcast|reduce|allgather|reducescatter|alltoall]
//       [--algorithm ring|halving_doubling|binary_tree|double_binary_tree|
//                    hierarchical|direct|recursive_doubling]  (algorithms.h)
//       [--sizes 1KB:1GB | 1MB,8MB] [--ranks 2,4,8] [--chunk SIZE] [--root R]
//       [--inter-host ALGORITHM] [--leader] [--json FILE] [--dump]
//       [--skew-us S] [--back-to-back N]
//
// Ranks 0..p-1 run on the cluster's first p endpoints (rank order). By
// default every rank enters at once. --skew-us S has rank r enter r x S us
// late, and the time is from the first entry to the last rank's end.
// --back-to-back N runs N calls, each rank entering the next as soon as its
// own part of the previous one is done (as a loop of MPI calls does), and
// reports the mean time per call; with an eager limit
// (cluster.network.eager_limit_bytes) an early rank's messages then reach
// partners still busy with the previous call. validate/mpi_allreduce_timing
// measures the same two ways on a real cluster. Sizes use
// binary units like nccl-tests (1KB = 1024 B), and "a:b" doubles from a to b.
// Every (rank count, size) case is checked before any runs, so a bad argument
// prints nothing but the error (exit 2), and --json is written only at the
// end, through a temporary file renamed over the target.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"
#include "sim/collectives/algorithms.h"
#include "sim/collectives/collective.h"
#include "sim/collectives/collective_run.h"
#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"
#include "sim/result/atomic_file.h"
#include "sim/scenario/run_plan.h"

namespace sim::cli {
namespace {

using collectives::Algorithm;
using collectives::CollectiveSpec;
using collectives::Op;

struct CollectiveOptions {
  std::string scenario;
  std::string topology;
  std::vector<std::string> overrides;
  std::string op = "allreduce";
  std::string algorithm = "ring";
  std::string sizes = "1KB:1GB";
  std::vector<std::uint32_t> ranks;
  std::string chunk = "0";
  std::uint32_t root = 0;
  std::string inter_host = "ring";
  bool leader = false;
  std::string json;
  bool dump = false;
  double skew_us = 0.0;
  std::uint32_t back_to_back = 1;
};

// "4096", "1KB", "1.5MB", "2GiB": bytes, binary units (K = 1024).
std::int64_t ParseSize(const std::string& text) {
  std::size_t end = 0;
  while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) ++end;
  double number = 0.0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, number);
  std::string unit = text.substr(end);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double scale = 0.0;
  if (unit.empty() || unit == "B") scale = 1.0;
  else if (unit == "K" || unit == "KB" || unit == "KIB") scale = 1024.0;
  else if (unit == "M" || unit == "MB" || unit == "MIB") scale = 1024.0 * 1024;
  else if (unit == "G" || unit == "GB" || unit == "GIB") scale = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "TB" || unit == "TIB") scale = 1024.0 * 1024 * 1024 * 1024;
  if (end == 0 || ec != std::errc() || ptr != text.data() + end || scale == 0.0 || number < 0.0) {
    throw std::invalid_argument("size '" + text + "' is not a number of bytes with an optional unit (B, KB, MB, GB; "
                                "1KB = 1024 B)");
  }
  const double bytes = number * scale;
  if (bytes != std::floor(bytes)) throw std::invalid_argument("size '" + text + "' is not a whole number of bytes");
  return static_cast<std::int64_t>(bytes);
}

// "1KB:1GB" (doubling, both ends included when reached) or "1MB,8MB,64MB".
std::vector<std::int64_t> ParseSizes(const std::string& text) {
  std::vector<std::int64_t> sizes;
  if (const auto colon = text.find(':'); colon != std::string::npos) {
    const std::int64_t first = ParseSize(text.substr(0, colon));
    const std::int64_t last = ParseSize(text.substr(colon + 1));
    if (first < 1 || last < first) {
      throw std::invalid_argument("--sizes '" + text + "': a range a:b needs 1 <= a <= b");
    }
    for (std::int64_t s = first; s <= last; s *= 2) sizes.push_back(s);
    return sizes;
  }
  std::stringstream list(text);
  for (std::string item; std::getline(list, item, ',');) sizes.push_back(ParseSize(item));
  if (sizes.empty()) throw std::invalid_argument("--sizes is empty");
  return sizes;
}

// The cluster a table is measured on: a scenario's, or a library entry's as
// a scenario of its own, as large as the largest rank count asked for when
// the entry leaves its size open.
scenario::RunPlan LoadCluster(const CollectiveOptions& o, std::uint32_t max_ranks) {
  if (!o.scenario.empty()) return scenario::LoadPlan(o.scenario, o.overrides);
  return scenario::LibraryPlan(o.topology, o.overrides, max_ranks);
}

struct Row {
  std::uint32_t ranks;
  std::int64_t bytes;
  double time_s;
  double algbw_gbps;
  double busbw_gbps;
};

std::string JsonRows(const CollectiveOptions& o, const std::vector<Row>& rows) {
  std::ostringstream out;
  out << std::setprecision(9);
  out << "[\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    out << "  {\"op\": \"" << o.op << "\", \"algorithm\": \"" << o.algorithm << "\", \"ranks\": " << r.ranks
        << ", \"bytes\": " << r.bytes << ", \"count\": " << r.bytes / 4 << ", \"type\": \"float\", \"time_s\": "
        << r.time_s << ", \"algbw_GBps\": " << r.algbw_gbps << ", \"busbw_GBps\": " << r.busbw_gbps << "}"
        << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  out << "]\n";
  return out.str();
}

void Run(const CollectiveOptions& o) {
  // Everything the command line decides, checked before anything runs.
  const Op op = *collectives::ParseOp(o.op);
  const Algorithm algorithm = *collectives::ParseAlgorithm(o.algorithm);
  const Algorithm inter_host = *collectives::ParseAlgorithm(o.inter_host);
  const std::vector<std::int64_t> sizes = ParseSizes(o.sizes);
  const std::int64_t chunk = ParseSize(o.chunk);
  if (o.scenario.empty() && o.topology.empty()) {
    throw std::invalid_argument("give the cluster: --scenario FILE or --topology NAME (a topologies/library entry)");
  }
  const std::uint32_t max_ranks = o.ranks.empty() ? 0 : *std::max_element(o.ranks.begin(), o.ranks.end());
  const scenario::RunPlan cluster = LoadCluster(o, max_ranks);
  const std::string label = o.scenario.empty() ? o.topology : o.scenario;
  const topo::Topology& topology = *cluster.cluster.topology;
  const auto endpoints = static_cast<std::uint32_t>(topology.endpoint_count());
  std::vector<std::uint32_t> rank_counts = o.ranks;
  if (rank_counts.empty()) rank_counts.push_back(endpoints);

  std::vector<CollectiveSpec> specs;
  std::vector<std::string> problems;
  for (std::uint32_t p : rank_counts) {
    if (p < 1 || p > endpoints) {
      problems.push_back("--ranks " + std::to_string(p) + ": the cluster has " + std::to_string(endpoints) +
                         " endpoints (hosts x devices_per_host); ranks must be in [1, " +
                         std::to_string(endpoints) + "]");
      continue;
    }
    for (std::int64_t n : sizes) {
      CollectiveSpec spec{.op = op, .algorithm = algorithm, .ranks = p, .bytes = Bytes{n}, .root = o.root,
                          .chunk = Bytes{chunk}, .inter_host = inter_host, .rails = !o.leader};
      for (EndpointId e = 0; e < p; ++e) spec.host_of_rank.push_back(topology.host_of(e));
      for (auto& problem : collectives::ValidateSpec(spec)) {
        if (std::find(problems.begin(), problems.end(), problem) == problems.end()) problems.push_back(problem);
      }
      specs.push_back(std::move(spec));
    }
  }
  if (!problems.empty()) throw scenario::ScenarioError(std::move(problems));

  const BytesPerSecond reduction_rate = cluster.cluster.reduction_rate;
  std::cout << "# sim collective: " << o.op << ", algorithm " << o.algorithm << ", on " << label << " ("
            << topology.host_count() << " hosts, " << topology.devices_per_host()
            << (topology.devices_per_host() == 1 ? " device" : " devices") << " each)\n"
            << "# reduction: "
            << (reduction_rate.value > 0.0 ? std::to_string(InGigabytesPerSecond(reduction_rate)) + " GB/s" : std::string("free"))
            << ", chunk: " << (chunk > 0 ? std::to_string(chunk) + " B" : std::string("none"));
  if (cluster.cluster.eager_limit.count > 0) std::cout << ", eager up to " << cluster.cluster.eager_limit.count << " B";
  if (op == Op::kBroadcast || op == Op::kReduce) std::cout << ", root: " << o.root;
  if (algorithm == Algorithm::kHierarchical) {
    std::cout << ", across hosts: " << o.inter_host << (o.leader ? " (leader per host)" : " (rails)");
  }
  std::cout << "\n";

  std::vector<Row> rows;
  double busbw_sum = 0.0;
  std::uint32_t current_ranks = 0;
  for (const CollectiveSpec& spec : specs) {
    if (spec.ranks != current_ranks) {
      current_ranks = spec.ranks;
      std::cout << "#\n# ranks: " << spec.ranks << "\n"
                << "#" << std::setw(14) << "size(B)" << std::setw(14) << "count" << std::setw(7) << "type"
                << std::setw(14) << "time(us)" << std::setw(13) << "algbw(GB/s)" << std::setw(13) << "busbw(GB/s)"
                << "\n";
    }
    auto schedule = std::make_shared<const collectives::Schedule>(collectives::BuildSchedule(spec));
    if (o.dump) {
      std::istringstream lines(schedule->describe());
      for (std::string line; std::getline(lines, line);) std::cout << "#   " << line << "\n";
    }
    Engine engine;
    net::FlowNetwork network(engine, topology, cluster.cluster.network, cluster.seed);
    std::vector<EndpointId> endpoint_of_rank(spec.ranks);
    for (EndpointId e = 0; e < spec.ranks; ++e) endpoint_of_rank[e] = e;
    // Call k + 1's rank r enters when rank r is done with call k. Call k + 1
    // is made when a rank first leaves call k; by then every rank has left
    // call k - 1 (it took all of them to finish anything of call k), so at
    // most three calls are held: a long loop costs no more memory than one.
    // One rank moves nothing and takes no time: one call stands for all.
    const std::uint32_t back_to_back = spec.ranks == 1 ? 1 : o.back_to_back;
    std::vector<std::unique_ptr<collectives::CollectiveRun>> calls(back_to_back);
    std::function<void(std::uint32_t)> make_call = [&](std::uint32_t k) {
      collectives::RunOptions options{.reduction_rate = reduction_rate, .eager_limit = cluster.cluster.eager_limit};
      if (k + 1 < back_to_back) {
        options.on_rank_done = [&, k](collectives::Rank r, Time) {
          if (!calls[k + 1]) {
            make_call(k + 1);
            if (k >= 1 && calls[k - 1]->done()) calls[k - 1].reset();
          }
          calls[k + 1]->enter(r);
        };
      }
      calls[k] = std::make_unique<collectives::CollectiveRun>(engine, network, schedule, endpoint_of_rank,
                                                              std::move(options));
    };
    make_call(0);
    if (o.skew_us == 0.0) {
      calls.front()->start();
    } else {
      for (collectives::Rank r = 0; r < spec.ranks; ++r) {
        engine.schedule_at(Microseconds(o.skew_us * r), [&calls, r] { calls.front()->enter(r); });
      }
    }
    engine.run();
    if (!calls.back() || !calls.back()->done()) {
      throw std::logic_error("collective did not finish: a schedule dependency was never met");
    }
    const double t = calls.back()->finish_time().seconds() / back_to_back;
    // A collective that moves nothing (one rank) takes no time: report 0 GB/s.
    const double algbw = t > 0.0 ? InGigabytesPerSecond(BytesPerSecond{static_cast<double>(spec.bytes.count) / t}) : 0.0;
    const double busbw = algbw * collectives::BusBandwidthFactor(spec.op, spec.ranks);
    rows.push_back({spec.ranks, spec.bytes.count, t, algbw, busbw});
    busbw_sum += busbw;
    std::cout << " " << std::setw(14) << spec.bytes.count << std::setw(14) << spec.bytes.count / 4 << std::setw(7)
              << "float" << std::fixed << std::setprecision(2) << std::setw(14) << MicrosecondsFromSeconds(t) << std::setw(13) << algbw
              << std::setw(13) << busbw << std::defaultfloat << "\n";
  }
  std::cout << "#\n# Avg bus bandwidth: " << std::fixed << std::setprecision(4)
            << (rows.empty() ? 0.0 : busbw_sum / static_cast<double>(rows.size())) << " GB/s\n"
            << std::defaultfloat;
  if (!o.json.empty()) WriteFileAtomically(o.json, JsonRows(o, rows));
}

std::vector<std::string> Names(auto parse, std::initializer_list<const char*> names) {
  std::vector<std::string> out;
  for (const char* n : names) {
    if (parse(n)) out.emplace_back(n);
  }
  return out;
}

}  // namespace

void RegisterCollectiveCommand(CLI::App& app) {
  auto o = std::make_shared<CollectiveOptions>();
  CLI::App* cmd = app.add_subcommand(
      "collective",
      "Time one collective on a simulated cluster over sizes and rank counts; print the nccl-tests table");
  auto* scenario = cmd->add_option("-s,--scenario", o->scenario, "Take the cluster from this scenario file")
                       ->check(CLI::ExistingFile);
  auto* topology = cmd->add_option("-t,--topology", o->topology,
                                   "Take the cluster from topologies/library/NAME.pbtxt (e.g. rack_25gbe_64)");
  scenario->excludes(topology);
  cmd->add_option("--set", o->overrides, "Override a field by its path, e.g. --set cluster.hosts=16 (repeatable)")
      ->allow_extra_args(false);
  const std::vector<std::string> ops =
      Names([](const char* n) { return collectives::ParseOp(n).has_value(); },
            {"allreduce", "broadcast", "reduce", "allgather", "reducescatter", "alltoall"});
  std::vector<std::string> algorithms;
  for (const auto& entry : collectives::Algorithms()) algorithms.emplace_back(entry.name);
  cmd->add_option("--op", o->op, "Operation (default allreduce)")->check(CLI::IsMember(ops));
  cmd->add_option("-a,--algorithm", o->algorithm, "Algorithm (default ring)")->check(CLI::IsMember(algorithms));
  cmd->add_option("--sizes", o->sizes,
                  "Sizes in bytes: a:b doubles from a to b, or a list a,b,c; units B, KB, MB, GB with 1KB = 1024 B "
                  "(default 1KB:1GB)");
  cmd->add_option("--ranks", o->ranks, "Rank counts, e.g. 2,4,8 (default: every endpoint of the cluster)")
      ->delimiter(',');
  cmd->add_option("--chunk", o->chunk, "Pipelining chunk size, e.g. 512KB (default 0: no chunking)");
  cmd->add_option("--root", o->root, "Root rank of broadcast and reduce (default 0)");
  cmd->add_option("--inter-host", o->inter_host, "Hierarchical: the all-reduce run across hosts (default ring)")
      ->check(CLI::IsMember(algorithms));
  cmd->add_flag("--leader", o->leader, "Hierarchical: one leader per host instead of one rail per device index");
  cmd->add_option("--json", o->json, "Also write one row per (op, algorithm, ranks, bytes) as JSON to this file");
  cmd->add_flag("--dump", o->dump, "Print each schedule's transfers before its row (for small cases)");
  cmd->add_option("--skew-us", o->skew_us, "Rank r enters r x this many microseconds late (default 0)")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--back-to-back", o->back_to_back,
                  "Run this many calls, each rank entering the next when its part of the previous is done; "
                  "report the mean per call (default 1)")
      ->check(CLI::Range(1u, 100000u));
  cmd->callback([o] { RunReportingErrors([&] { Run(*o); }); });
}

}  // namespace sim::cli
