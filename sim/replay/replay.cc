#include "sim/replay/replay.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace sim::replay {
namespace {

// Whole picoseconds as seconds with 12 decimals: exact, unlike a double.
std::string Exact(Time t) {
  const std::int64_t ps = t.picoseconds();
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%s%lld.%012lld", ps < 0 ? "-" : "",
                static_cast<long long>(std::llabs(ps) / 1'000'000'000'000LL),
                static_cast<long long>(std::llabs(ps) % 1'000'000'000'000LL));
  return buffer;
}

}  // namespace

std::vector<Time> Replay(Engine& engine, net::FlowNetwork& network, const std::vector<Flow>& flows) {
  const Time unfinished = Time::max();
  std::vector<Time> completions(flows.size(), unfinished);
  for (std::size_t i = 0; i < flows.size(); ++i) {
    engine.schedule_at(flows[i].start, [&, i] {
      network.send(flows[i].src, flows[i].dst, flows[i].size, [&, i] { completions[i] = engine.now(); });
    });
  }
  engine.run();
  for (std::size_t i = 0; i < flows.size(); ++i) {
    if (completions[i] == unfinished) throw std::logic_error("flow " + std::to_string(i) + " never completed");
  }
  return completions;
}

std::string TimesCsv(const std::vector<Flow>& flows, const std::vector<Time>& completions) {
  std::string csv = "flow,src,dst,bytes,start_s,completion_s,duration_s\n";
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const Flow& f = flows[i];
    csv += std::to_string(i) + "," + std::to_string(f.src) + "," + std::to_string(f.dst) + "," +
           std::to_string(f.size.count) + "," + Exact(f.start) + "," + Exact(completions[i]) + "," +
           Exact(completions[i] - f.start) + "\n";
  }
  return csv;
}

}  // namespace sim::replay
