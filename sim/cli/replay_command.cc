// `sim replay FLOWS.csv (--scenario F | --topology NAME) [--set path=value]...
//  --out TIMES.csv`: each flow's completion time on the cluster's network
// (sim/replay/replay.h). Every bad row is listed at once as
// "file:line: field: ..." and nothing is written (exit 2); TIMES.csv is
// written whole, after the replay.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"
#include "sim/replay/cluster_network.h"
#include "sim/replay/replay.h"
#include "sim/result/atomic_file.h"

namespace sim::cli {
namespace {

struct ReplayOptions {
  std::string flows;
  replay::ClusterSource cluster;
  std::string out;
  bool quiet = false;
};

void Run(const ReplayOptions& o) {
  std::ifstream in(o.flows, std::ios::binary);
  if (!in) throw std::invalid_argument(o.flows + ": cannot open the flows file");
  std::ostringstream text;
  text << in.rdbuf();

  Engine engine;
  replay::ClusterNetwork cluster = replay::BuildClusterNetwork(engine, o.cluster);
  const std::vector<replay::Flow> flows =
      replay::ParseFlows(text.str(), o.flows, cluster.topology->endpoint_count());
  const std::vector<Time> completions = replay::Replay(engine, *cluster.network, flows);
  WriteFileAtomically(o.out, replay::TimesCsv(flows, completions));
  if (!o.quiet) {
    Time last = Time::zero();
    for (Time t : completions) last = std::max(last, t);
    std::cerr << "sim replay: " << flows.size() << " flows on " << cluster.topology->endpoint_count()
              << " endpoints, the last done at " << last.seconds() << " s; times in " << o.out << "\n";
  }
}

}  // namespace

void RegisterReplayCommand(CLI::App& app) {
  auto o = std::make_shared<ReplayOptions>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Run a list of flows (src,dst,bytes,start_s) on a cluster's network; write each flow's completion time");
  cmd->add_option("flows", o->flows, "CSV of flows: header src,dst,bytes,start_s, endpoint ids from 0")
      ->required()
      ->check(CLI::ExistingFile);
  auto* scenario = cmd->add_option("-s,--scenario", o->cluster.scenario, "Take the cluster from this scenario file")
                       ->check(CLI::ExistingFile);
  auto* topology = cmd->add_option("-t,--topology", o->cluster.library_entry,
                                   "Take the cluster from topologies/library/NAME.pbtxt (e.g. fat_tree_1024)");
  scenario->excludes(topology);
  cmd->add_option("--set", o->cluster.overrides,
                  "Override a field by its path, e.g. --set cluster.network.bandwidth_efficiency=0.9 (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("-o,--out", o->out, "CSV of completion times: flow,src,dst,bytes,start_s,completion_s,duration_s")
      ->required();
  cmd->add_flag("-q,--quiet", o->quiet, "Print nothing but errors");
  cmd->callback([o] { RunReportingErrors([&] { Run(*o); }); });
}

}  // namespace sim::cli
