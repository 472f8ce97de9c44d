// One `--sweep path=values` of `sim sweep`: a scenario field and the values it
// takes. Values are separated by commas; each is a literal, a bracketed list
// for a repeated field (`[128,64]` sets `128,64`), or a numeric range:
//
//   a:b:xF   a, aF, aF^2, ... while <= b (F > 1, a > 0): 1:1024:x2 doubles
//   a:b:+s   a, a+s, a+2s, ... while <= b (s > 0): 8:64:+8
//
// Both ends count when reached. Range values are printed with up to 12
// significant digits, so 0.1:0.5:+0.1 gives 0.1,0.2,0.3,0.4,0.5 and not
// 0.30000000000000004.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sim::sweep {

struct SweepAxis {
  std::string path;  // dotted scenario path, as --set takes it
  std::vector<std::string> values;
};

// More points than this in one range is a typo (a step of 0.0001), not a sweep.
inline constexpr std::size_t kMaxRangeValues = 100'000;

// Parses "path=values"; throws std::invalid_argument naming the argument and
// what is wrong with it.
[[nodiscard]] SweepAxis ParseSweepAxis(std::string_view argument);

// The values of one range "a:b:xF" or "a:b:+s"; throws std::invalid_argument.
[[nodiscard]] std::vector<std::string> ExpandRange(std::string_view range);

}  // namespace sim::sweep
