// The one error type for bad scenario input. It carries every problem found,
// so that a user fixes them all in one round (issue: "every semantic problem
// listed at once"). The command line prints them and exits with status 2.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace sim::scenario {

// A value as a problem message shows it ("got 0.5", "got 1e-30"): the
// shortest form a stream prints, the same for every check.
template <typename T>
[[nodiscard]] std::string Show(const T& value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<std::string> problems)
      : std::runtime_error(Join(problems)), problems_(std::move(problems)) {}
  explicit ScenarioError(std::string problem) : ScenarioError(std::vector<std::string>{std::move(problem)}) {}

  [[nodiscard]] const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  static std::string Join(const std::vector<std::string>& problems) {
    std::string all;
    for (const auto& p : problems) {
      if (!all.empty()) all += '\n';
      all += p;
    }
    return all;
  }
  std::vector<std::string> problems_;
};

}  // namespace sim::scenario
