// The progress line of a long run or sweep on a terminal: "sim: 120/1000
// steps (12%), simulated 3.41 s, wall 4.2 s, ETA 31 s", rewritten in place
// ('\r') on stderr. Shown only when the stream is a terminal, and only once
// the job has taken longer than `delay` (about two seconds: a short run stays
// silent); redrawn at most every `interval`; cleared by finish(), so that
// what is printed next starts on a clean line.
//
// The ETA goes at the pace since the first update, not since the start: what
// a job does before its first step (loading a data set) does not count.
//
// It reads a clock only to decide when and what to draw, and writes only to
// its stream: results never depend on it. The clock is injected for tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "sim/core/time.h"

namespace sim {

class ProgressLine {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  struct Options {
    // The stream is a terminal (isatty) and the user did not ask for quiet:
    // else nothing is ever drawn.
    bool terminal = false;
    std::chrono::duration<double> delay{2.0};
    std::chrono::duration<double> interval{0.25};
    Clock clock = std::chrono::steady_clock::now;
  };

  // `unit`: what is counted, plural ("steps", "points"). The job's wall time
  // counts from here.
  ProgressLine(std::ostream& out, std::string unit, Options options);
  ~ProgressLine() { finish(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // `done` of `total` are done; `simulated`: the simulated time so far, if
  // the job has one. Safe to call from several threads. The first call sets
  // where the pace is measured from.
  void update(std::uint64_t done, std::uint64_t total, std::optional<Time> simulated = std::nullopt);
  // Prints `text` (a whole line, '\n' included) above the progress line:
  // the line is cleared, the text printed, the line drawn again.
  void print_above(std::string_view text);
  // Clears the line, if drawn; later updates draw nothing.
  void finish();

 private:
  void clear();
  void draw();

  std::ostream& out_;
  std::string unit_;
  Options options_;
  std::chrono::steady_clock::time_point start_;
  std::optional<std::chrono::steady_clock::time_point> drawn_at_;
  // The first update: when, and how many were done then.
  std::optional<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>> first_;
  std::string text_;       // the line as last drawn
  std::size_t width_ = 0;  // its length on the screen
  bool finished_ = false;
  std::mutex mutex_;
};

// The line's text: "sim: 120/1000 steps (12%), simulated 3.41 s, wall 4.2 s,
// ETA 31 s"; the ETA is "?" when unknown (nothing done yet).
[[nodiscard]] std::string ProgressText(std::string_view unit, std::uint64_t done, std::uint64_t total,
                                       std::optional<Time> simulated, double wall_s, std::optional<double> eta_s);

// A wall-clock duration as people read it: "4.2 s", "3 min 07 s", "2 h 05 min".
[[nodiscard]] std::string WallDuration(double seconds);

}  // namespace sim
