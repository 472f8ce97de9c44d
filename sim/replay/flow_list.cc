#include "sim/replay/flow_list.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>

#include "sim/scenario/scenario_error.h"

namespace sim::replay {
namespace {

constexpr std::string_view kHeader = "src,dst,bytes,start_s";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

template <typename T>
std::optional<T> Parsed(std::string_view s) {
  T value{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

}  // namespace

std::vector<Flow> ParseFlows(const std::string& text, const std::string& file, std::size_t endpoints) {
  std::vector<Flow> flows;
  std::vector<std::string> problems;
  std::size_t line_number = 0;
  bool header_seen = false;
  for (std::size_t begin = 0; begin < text.size();) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    const std::string_view line = Trim(std::string_view(text).substr(begin, end - begin));
    begin = end + 1;
    ++line_number;
    const std::string where = file + ":" + std::to_string(line_number) + ": ";
    if (!header_seen) {
      header_seen = true;
      if (line != kHeader) {
        problems.push_back(where + "header: expected '" + std::string(kHeader) + "', got '" + std::string(line) + "'");
      }
      continue;
    }
    if (line.empty()) continue;

    std::vector<std::string_view> fields;
    for (std::size_t at = 0;;) {
      const std::size_t comma = line.find(',', at);
      fields.push_back(Trim(line.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at)));
      if (comma == std::string_view::npos) break;
      at = comma + 1;
    }
    if (fields.size() != 4) {
      problems.push_back(where + "row: expected 4 fields src,dst,bytes,start_s, got " + std::to_string(fields.size()));
      continue;
    }
    const std::size_t before = problems.size();
    Flow flow;
    const char* names[] = {"src", "dst"};
    EndpointId* ends[] = {&flow.src, &flow.dst};
    for (int k = 0; k < 2; ++k) {
      const auto e = Parsed<std::uint64_t>(fields[k]);
      if (!e || *e >= endpoints) {
        problems.push_back(where + names[k] + ": '" + std::string(fields[k]) +
                           "' is not an endpoint of the cluster (0.." + std::to_string(endpoints - 1) + ")");
      } else {
        *ends[k] = static_cast<EndpointId>(*e);
      }
    }
    if (const auto bytes = Parsed<std::int64_t>(fields[2]); !bytes || *bytes < 0) {
      problems.push_back(where + "bytes: '" + std::string(fields[2]) + "' is not a whole number of bytes >= 0");
    } else {
      flow.size = Bytes{*bytes};
    }
    const auto start = Parsed<double>(fields[3]);
    if (!start || !std::isfinite(*start) || *start < 0.0 || *start > kMaxStartSeconds) {
      problems.push_back(where + "start_s: '" + std::string(fields[3]) + "' is not a time in seconds in [0, " +
                         std::to_string(static_cast<long long>(kMaxStartSeconds)) + "]");
    } else {
      flow.start = Seconds(*start);
    }
    if (problems.size() == before) flows.push_back(flow);
  }
  if (!header_seen) problems.push_back(file + ":1: header: expected '" + std::string(kHeader) + "', the file is empty");
  if (!problems.empty()) throw scenario::ScenarioError(std::move(problems));
  return flows;
}

}  // namespace sim::replay
