#include "sim/result/progress_line.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace sim {

std::string WallDuration(double seconds) {
  char text[48];
  if (seconds < 59.95) {
    std::snprintf(text, sizeof text, "%.1f s", std::max(seconds, 0.0));
  } else if (seconds < 3600 - 0.5) {
    const auto s = static_cast<long long>(std::llround(seconds));
    std::snprintf(text, sizeof text, "%lld min %02lld s", s / 60, s % 60);
  } else {
    const auto m = static_cast<long long>(std::llround(seconds / 60));
    std::snprintf(text, sizeof text, "%lld h %02lld min", m / 60, m % 60);
  }
  return text;
}

std::string ProgressText(std::string_view unit, std::uint64_t done, std::uint64_t total,
                         std::optional<Time> simulated, double wall_s, std::optional<double> eta_s) {
  std::string text = "sim: " + std::to_string(done) + "/" + std::to_string(total) + " " + std::string(unit);
  if (total > 0) {
    const auto percent = static_cast<unsigned>(100.0 * static_cast<double>(std::min(done, total)) /
                                               static_cast<double>(total));
    text += " (" + std::to_string(percent) + "%)";
  }
  if (simulated) {
    char s[48];
    std::snprintf(s, sizeof s, ", simulated %.4g s", simulated->seconds());
    text += s;
  }
  return text + ", wall " + WallDuration(wall_s) + ", ETA " + (eta_s ? WallDuration(*eta_s) : "?");
}

ProgressLine::ProgressLine(std::ostream& out, std::string unit, Options options)
    : out_(out), unit_(std::move(unit)), options_(std::move(options)), start_(options_.clock()) {}

void ProgressLine::update(std::uint64_t done, std::uint64_t total, std::optional<Time> simulated) {
  if (!options_.terminal) return;
  std::lock_guard lock(mutex_);
  if (finished_) return;
  const auto now = options_.clock();
  if (!first_) first_.emplace(now, done);
  const std::chrono::duration<double> wall = now - start_;
  if (wall < options_.delay) return;
  if (drawn_at_ && now - *drawn_at_ < options_.interval) return;
  drawn_at_ = now;
  // The rest at the pace since the first update.
  std::optional<double> eta_s;
  if (done >= total) {
    eta_s = 0.0;
  } else if (done > first_->second) {
    const std::chrono::duration<double> since = now - first_->first;
    eta_s = since.count() * static_cast<double>(total - done) / static_cast<double>(done - first_->second);
  }
  text_ = ProgressText(unit_, done, total, simulated, wall.count(), eta_s);
  draw();
}

void ProgressLine::print_above(std::string_view text) {
  std::lock_guard lock(mutex_);
  const bool drawn = drawn_at_.has_value() && !finished_;
  if (drawn) clear();
  out_ << text;
  if (drawn) draw();
  out_.flush();
}

void ProgressLine::finish() {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  finished_ = true;
  if (drawn_at_) clear();
}

void ProgressLine::draw() {
  // Spaces over what is left of a longer line drawn before.
  out_ << '\r' << text_ << std::string(width_ > text_.size() ? width_ - text_.size() : 0, ' ');
  width_ = std::max(width_, text_.size());
  out_.flush();
}

void ProgressLine::clear() {
  out_ << '\r' << std::string(width_, ' ') << '\r';
  width_ = 0;
  out_.flush();
}

}  // namespace sim
