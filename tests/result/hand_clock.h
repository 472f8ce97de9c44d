// A clock the test moves by hand, and progress-line options that read it:
// drawn after 2 s, redrawn at most every 0.25 s (the defaults, written out
// because the tests count on them).
#pragma once

#include <chrono>

#include "sim/result/progress_line.h"

namespace sim::testing {

struct HandClock {
  std::chrono::steady_clock::time_point now{};
  void at(double seconds) {
    now = std::chrono::steady_clock::time_point{} +
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
  }
  ProgressLine::Options options(bool terminal) {
    return {.terminal = terminal,
            .delay = std::chrono::duration<double>(2.0),
            .interval = std::chrono::duration<double>(0.25),
            .clock = [this] { return now; }};
  }
};

}  // namespace sim::testing
