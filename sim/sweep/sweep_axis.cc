#include "sim/sweep/sweep_axis.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <unordered_set>

namespace sim::sweep {
namespace {

std::optional<double> Number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// 12 significant digits: enough for any value a user types, few enough to
// hide the round-off of a + i s (0.1 + 2 x 0.1 = 0.30000000000000004).
std::string Format(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.12g", value);
  return buffer;
}

// Splits at commas outside brackets; "[128,64]" stays one item, unbracketed.
std::vector<std::string> Items(std::string_view list, std::string_view argument) {
  std::vector<std::string> items;
  std::string current;
  int depth = 0;
  bool bracketed = false;
  auto close_item = [&] {
    if (current.empty() && !bracketed) {
      throw std::invalid_argument("--sweep '" + std::string(argument) + "': an empty value (two commas in a row, or "
                                  "a comma at an end)");
    }
    items.push_back(current);
    current.clear();
    bracketed = false;
  };
  for (char c : list) {
    if (c == '[' && depth == 0 && current.empty()) {
      ++depth;
      bracketed = true;
    } else if (c == ']' && depth == 1) {
      depth = 0;
    } else if (c == ',' && depth == 0) {
      close_item();
    } else {
      current += c;
    }
  }
  if (depth != 0) throw std::invalid_argument("--sweep '" + std::string(argument) + "': a '[' without its ']'");
  close_item();
  return items;
}

}  // namespace

std::vector<std::string> ExpandRange(std::string_view range) {
  const auto first_colon = range.find(':');
  const auto second_colon = range.find(':', first_colon + 1);
  const std::string text(range);
  if (first_colon == std::string_view::npos || second_colon == std::string_view::npos ||
      range.find(':', second_colon + 1) != std::string_view::npos) {
    throw std::invalid_argument("range '" + text + "' is not a:b:xF (multiply by F) or a:b:+s (add s)");
  }
  const auto a = Number(range.substr(0, first_colon));
  const auto b = Number(range.substr(first_colon + 1, second_colon - first_colon - 1));
  const std::string_view step = range.substr(second_colon + 1);
  if (!a || !b) throw std::invalid_argument("range '" + text + "': its ends a and b must be numbers");
  if (*b < *a) throw std::invalid_argument("range '" + text + "': the end b is below the start a");
  const auto amount = step.size() > 1 ? Number(step.substr(1)) : std::nullopt;
  const bool multiply = !step.empty() && step[0] == 'x';
  const bool add = !step.empty() && step[0] == '+';
  if ((!multiply && !add) || !amount) {
    throw std::invalid_argument("range '" + text + "': the step must be xF (multiply by F) or +s (add s), e.g. " +
                                "1:1024:x2 or 8:64:+8");
  }
  if (multiply && (*amount <= 1.0 || *a <= 0.0)) {
    throw std::invalid_argument("range '" + text + "': a multiplying range needs a factor F > 1 and a start a > 0");
  }
  if (add && *amount <= 0.0) throw std::invalid_argument("range '" + text + "': the step s must be > 0");

  // The end counts when reached up to round-off (0.1 + 4 x 0.1 vs 0.5).
  const double slack = 1e-9 * std::max(std::abs(*a), std::abs(*b));
  std::vector<std::string> values;
  for (std::size_t i = 0;; ++i) {
    const double v = multiply ? *a * std::pow(*amount, static_cast<double>(i)) : *a + static_cast<double>(i) * *amount;
    if (v > *b + slack) break;
    if (values.size() == kMaxRangeValues) {
      throw std::invalid_argument("range '" + text + "' has more than " + std::to_string(kMaxRangeValues) +
                                  " values");
    }
    values.push_back(Format(v));
  }
  return values;
}

SweepAxis ParseSweepAxis(std::string_view argument) {
  const auto equals = argument.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    throw std::invalid_argument("--sweep '" + std::string(argument) +
                                "' is not path=values (e.g. cluster.workers=1:64:x2 or strategy.kind=SYNC_PS,ASYNC_PS)");
  }
  SweepAxis axis{std::string(argument.substr(0, equals)), {}};
  for (const std::string& item : Items(argument.substr(equals + 1), argument)) {
    // a:b:step with numeric ends is a range; any other text is a value as is
    // (a string field may hold a colon).
    const auto colon = item.find(':');
    const bool numeric_ends = colon != std::string::npos &&
                              Number(std::string_view(item).substr(0, colon)).has_value() &&
                              Number(std::string_view(item).substr(colon + 1, item.find(':', colon + 1) - colon - 1))
                                  .has_value();
    if (numeric_ends) {
      try {
        for (std::string& v : ExpandRange(item)) axis.values.push_back(std::move(v));
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("--sweep '" + std::string(argument) + "': " + e.what());
      }
    } else {
      axis.values.push_back(item);
    }
  }
  // A value twice would be two identical points, one row in the table.
  std::unordered_set<std::string_view> seen;
  for (const std::string& value : axis.values) {
    if (!seen.insert(value).second) {
      throw std::invalid_argument("--sweep '" + std::string(argument) + "': the value '" + value + "' comes twice");
    }
  }
  return axis;
}

}  // namespace sim::sweep
