// A collective's schedule run by SimGrid: the transfers of a sim::collectives
// Schedule, each started once the transfers it depends on have been
// delivered, on a platform of our topology. Used by
// simgrid_collective_test.cc (small rings, against CollectiveRun on
// FlowNetwork) and to time SimGrid on the 1,024-rank ring all-reduce of
// bench_collective (sim/BENCHMARKS.md). Run it with
// --cfg=network/model:CM02 --cfg=network/TCP-gamma:0 --cfg=network/crosstraffic:0,
// which makes SimGrid's network plain max-min sharing (sim/DESIGN.md,
// "Measured facts").
//
//   simgrid_collective PLATFORM.xml TRANSFERS.txt [--cfg=...]...
//
// TRANSFERS.txt (sim/collectives/simgrid_inputs.h writes it): one line per
// transfer, in schedule order: "src dst bytes latency_s n d1 ... dn", the
// endpoints as numbers (hosts "e<number>" of the platform), the route's
// latency, and the n earlier transfers (0-based lines) it waits for.
// Output: one "index delivery_s" per transfer, in input order, with 17
// digits; on stderr, the time spent in SimGrid's engine alone.
//
// Latency: the platform's links have none, and a transfer waits its route
// latency before its flow starts. CM02 would otherwise share a link in
// inverse proportion to the flows' route latencies (simgrid_oracle_test.cc);
// with every latency 0 it is plain max-min, and latency first, bandwidth
// after, is our model's timing (sim/network/flow_network.h).
//
// Actors: a transfer needs one to wait and send, but 2 M of them would time
// SimGrid's actor creation more than its network model. Idle actors wait in a
// pool for the next ready transfer, and one is created only when none is
// idle, so a run has about as many actors as transfers in flight at once.
#include <simgrid/s4u.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Transfer {
  simgrid::s4u::Host* src = nullptr;
  simgrid::s4u::Host* dst = nullptr;
  std::uint64_t bytes = 0;
  double latency_s = 0.0;
  std::uint32_t deps_left = 0;
  std::vector<std::uint32_t> dependents;
  double delivered_s = -1.0;
};

class Collective {
 public:
  explicit Collective(std::vector<Transfer> transfers) : transfers_(std::move(transfers)) {}

  // Starts every transfer without dependencies.
  void start() {
    for (std::uint32_t id = 0; id < transfers_.size(); ++id) {
      if (transfers_[id].deps_left == 0) dispatch(id);
    }
  }
  [[nodiscard]] const std::vector<Transfer>& transfers() const { return transfers_; }
  [[nodiscard]] std::size_t actors() const { return workers_.size(); }

 private:
  static constexpr std::uint32_t kStop = 0xffffffffu;
  struct Worker {
    simgrid::s4u::SemaphorePtr wake = simgrid::s4u::Semaphore::create(0);
    std::uint32_t task = kStop;
  };

  // Hands a ready transfer to an idle actor, or to a new one.
  void dispatch(std::uint32_t id) {
    if (!idle_.empty()) {
      Worker* w = idle_.back();
      idle_.pop_back();
      w->task = id;
      w->wake->release();
      return;
    }
    workers_.push_back(std::make_unique<Worker>());
    Worker* w = workers_.back().get();
    w->task = id;
    simgrid::s4u::Actor::create("worker" + std::to_string(workers_.size()), transfers_[id].src,
                                [this, w] { work(w); });
  }

  // An actor's life: run its task, become idle before releasing the task's
  // dependents (so that it may take one of them itself), wait for the next.
  void work(Worker* w) {
    while (w->task != kStop) {
      Transfer& t = transfers_[w->task];
      // To itself, delivered at once (as FlowNetwork does); the platform
      // has no loopback route.
      if (t.src != t.dst) {
        if (t.latency_s > 0.0) simgrid::s4u::this_actor::sleep_for(t.latency_s);
        simgrid::s4u::Comm::sendto(t.src, t.dst, t.bytes);
      }
      t.delivered_s = simgrid::s4u::Engine::get_clock();
      ++delivered_;
      idle_.push_back(w);
      for (std::uint32_t next : t.dependents) {
        if (--transfers_[next].deps_left == 0) dispatch(next);
      }
      if (delivered_ == transfers_.size()) {
        // The last delivery: every other actor is idle; stop them all.
        for (Worker* idle : idle_) {
          idle->task = kStop;
          idle->wake->release();
        }
        idle_.clear();
      }
      w->wake->acquire();  // at once if dispatch() gave this actor a task
    }
  }

  std::vector<Transfer> transfers_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<Worker*> idle_;
  std::size_t delivered_ = 0;
};

// Reads TRANSFERS.txt; exits with a message on a malformed line.
std::vector<Transfer> ReadTransfers(const simgrid::s4u::Engine& engine, const char* path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "simgrid_collective: cannot read %s\n", path);
    std::exit(2);
  }
  std::vector<simgrid::s4u::Host*> hosts;
  auto host = [&](std::uint64_t e) {
    if (e >= hosts.size()) hosts.resize(e + 1, nullptr);
    if (hosts[e] == nullptr) hosts[e] = engine.host_by_name("e" + std::to_string(e));
    return hosts[e];
  };
  std::vector<Transfer> transfers;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::uint64_t src = 0, dst = 0, n = 0;
    Transfer t;
    if (!(fields >> src >> dst >> t.bytes >> t.latency_s >> n)) {
      std::fprintf(stderr, "simgrid_collective: bad line %zu: %s\n", transfers.size() + 1, line.c_str());
      std::exit(2);
    }
    t.src = host(src);
    t.dst = host(dst);
    const auto id = static_cast<std::uint32_t>(transfers.size());
    for (std::uint64_t i = 0; i < n; ++i) {
      std::uint32_t dep = 0;
      if (!(fields >> dep) || dep >= id) {
        std::fprintf(stderr, "simgrid_collective: line %zu: bad dependency\n", transfers.size() + 1);
        std::exit(2);
      }
      transfers[dep].dependents.push_back(id);
      ++t.deps_left;
    }
    transfers.push_back(std::move(t));
  }
  return transfers;
}

}  // namespace

int main(int argc, char** argv) {
  simgrid::s4u::Engine engine(&argc, argv);
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PLATFORM.xml TRANSFERS.txt [--cfg=...]\n", argv[0]);
    return 2;
  }
  engine.load_platform(argv[1]);
  Collective collective(ReadTransfers(engine, argv[2]));
  collective.start();
  const auto wall_start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  engine.run();
  const double cpu_s = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  double finish_s = 0.0;
  const auto& transfers = collective.transfers();
  for (std::size_t i = 0; i < transfers.size(); ++i) {
    std::printf("%zu %.17g\n", i, transfers[i].delivered_s);
    if (transfers[i].delivered_s > finish_s) finish_s = transfers[i].delivered_s;
  }
  std::fprintf(stderr, "simgrid_collective: %zu transfers, %zu actors, finish %.17g s; engine %.3f s wall, %.3f s CPU\n",
               transfers.size(), collective.actors(), finish_s, wall_s, cpu_s);
  return 0;
}
