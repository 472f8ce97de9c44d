// The error every topology builder and the cluster factory throw on bad input:
// one exception listing every problem found, each naming what is wrong
// ("link 'sw0->h3' bandwidth must be > 0, got 0").
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace sim::topo {

class TopologyError : public std::runtime_error {
 public:
  explicit TopologyError(std::vector<std::string> problems)
      : std::runtime_error(Join(problems)), problems_(std::move(problems)) {}

  [[nodiscard]] const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  static std::string Join(const std::vector<std::string>& problems) {
    if (problems.size() == 1) return "invalid cluster: " + problems.front();
    std::string text = "invalid cluster (" + std::to_string(problems.size()) + " problems):";
    for (const auto& p : problems) text += "\n  - " + p;
    return text;
  }

  std::vector<std::string> problems_;
};

}  // namespace sim::topo
