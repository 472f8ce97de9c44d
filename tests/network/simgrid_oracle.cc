// An independent max-min oracle: SimGrid (Debian libsimgrid-dev) runs a flow
// set on a platform file and prints each flow's completion time. Used by
// simgrid_oracle_test.cc with --cfg=network/model:CM02
// --cfg=network/TCP-gamma:0 --cfg=network/crosstraffic:0, which makes
// SimGrid's network plain max-min sharing with additive latency
// (sim/DESIGN.md, "Measured facts").
//
//   simgrid_oracle PLATFORM.xml FLOWS.txt [--cfg=...]...
//
// FLOWS.txt: one "start_s src_host dst_host bytes" per line. Output: one
// "index completion_s" per flow, in input order, with 17 digits.
#include <simgrid/s4u.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

struct Flow {
  double start_s = 0.0;
  std::string src, dst;
  unsigned long long bytes = 0;
  double done_s = -1.0;
};

}  // namespace

int main(int argc, char** argv) {
  simgrid::s4u::Engine engine(&argc, argv);
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PLATFORM.xml FLOWS.txt [--cfg=...]\n", argv[0]);
    return 2;
  }
  engine.load_platform(argv[1]);
  std::vector<Flow> flows;
  std::ifstream in(argv[2]);
  Flow f;
  while (in >> f.start_s >> f.src >> f.dst >> f.bytes) flows.push_back(f);
  for (std::size_t i = 0; i < flows.size(); ++i) {
    Flow* flow = &flows[i];
    simgrid::s4u::Host* src = engine.host_by_name(flow->src);
    simgrid::s4u::Host* dst = engine.host_by_name(flow->dst);
    simgrid::s4u::Actor::create("flow" + std::to_string(i), src, [flow, src, dst] {
      simgrid::s4u::this_actor::sleep_until(flow->start_s);
      simgrid::s4u::Comm::sendto(src, dst, flow->bytes);
      flow->done_s = simgrid::s4u::Engine::get_clock();
    });
  }
  engine.run();
  for (std::size_t i = 0; i < flows.size(); ++i) std::printf("%zu %.17g\n", i, flows[i].done_s);
  return 0;
}
