#include "sim/scenario/loader.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <type_traits>

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include "sim/scenario/cluster_resolution.h"
#include "sim/scenario/json_syntax.h"
#include "sim/scenario/placement.h"
#include "sim/scenario/strategy_plan.h"
#include "sim/scenario/workload_plan.h"

namespace sim::scenario {
namespace {

// Collects protobuf's parse errors as "file:line:column: error: message
// (field 'name')" followed by the source line and a caret, the way compilers
// show them. Protobuf counts lines and columns from 0; editors from 1.
class FileErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  FileErrorCollector(std::string source, const std::string& text) : source_(std::move(source)) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) lines_.push_back(line);
  }
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    Add(line, column, "error", message);
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    Add(line, column, "warning", message);
  }
  [[nodiscard]] const std::vector<std::string>& problems() const { return problems_; }

 private:
  void Add(int line, int column, const char* severity, const std::string& message) {
    const std::string text = line >= 0 && line < static_cast<int>(lines_.size()) ? lines_[line] : std::string();
    std::string field;
    // "no field named X": point at X itself rather than past it.
    const std::string marker = "no field named \"";
    if (auto at = message.find(marker); at != std::string::npos) {
      field = message.substr(at + marker.size(), message.find('"', at + marker.size()) - at - marker.size());
      if (auto pos = text.rfind(field, column); pos != std::string::npos) column = static_cast<int>(pos);
    } else {
      field = FieldBefore(text, column);
    }
    std::string problem = source_ + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " +
                          severity + ": " + Escaped(message);
    if (!field.empty()) problem += " (field '" + Escaped(field) + "')";
    // The line and a caret, unless the line is not text (random bytes).
    if (!text.empty() && Escaped(text) == text && text.size() <= 200) {
      problem += "\n      " + text + "\n      " + std::string(std::max(column, 0), ' ') + "^";
    }
    problems_.push_back(problem);
  }
  // `text` with every byte that is not printable ASCII as \xNN, cut at 200
  // characters: a binary file's bytes do not belong on a terminal.
  static std::string Escaped(const std::string& text) {
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (char c : text) {
      const auto u = static_cast<unsigned char>(c);
      if ((u >= 0x20 && u < 0x7f) || c == '\t') {
        out += c;
      } else {
        out += std::string("\\x") + kHex[u >> 4] + kHex[u & 15];
      }
      if (out.size() > 200) return out.substr(0, 200) + "...";
    }
    return out;
  }
  // The field whose value sits at `column`: the identifier before the last
  // ':' ahead of it on the line.
  static std::string FieldBefore(const std::string& text, int column) {
    auto colon = text.rfind(':', static_cast<std::size_t>(std::max(column, 0)));
    if (colon == std::string::npos) return {};
    auto end = text.find_last_not_of(" \t", colon == 0 ? 0 : colon - 1);
    if (end == std::string::npos) return {};
    auto begin = end;
    while (begin > 0 && (std::isalnum(static_cast<unsigned char>(text[begin - 1])) || text[begin - 1] == '_')) --begin;
    return text.substr(begin, end - begin + 1);
  }
  std::string source_;
  std::vector<std::string> lines_;
  std::vector<std::string> problems_;
};

// Protobuf's JSON parser names a schema problem (an unknown field, a value
// of the wrong type) without a position. When the message quotes a field
// name found in the text, the problem points at it.
std::string JsonSchemaProblem(const std::string& text, const std::string& source_name, const std::string& message) {
  // Protobuf 3.21 writes "(path.to.message) name: what" for an unknown
  // field and "(path.to.field): what" for a bad value.
  std::string field;
  if (!message.empty() && message.front() == '(') {
    const auto close = message.find(')');
    if (close != std::string::npos) {
      const std::string path = message.substr(1, close - 1);
      const auto colon = message.find(':', close);
      const std::string name = colon == std::string::npos ? "" : message.substr(close + 1, colon - close - 1);
      field = name.find_first_not_of(' ') == std::string::npos ? path.substr(path.rfind('.') + 1)
                                                              : name.substr(name.find_first_not_of(' '));
    }
  }
  if (!field.empty()) {
    if (auto pos = text.find('"' + field + '"'); pos != std::string::npos) {
      return ProblemAt(text, pos, source_name, message + " (field '" + field + "')");
    }
  }
  return source_name + ": error: " + message;
}

// Sets a proto3 scalar to its documented default when it holds the zero value
// that means "absent".
#define SIM_DEFAULT(message, field, value) \
  if ((message).field() == std::decay_t<decltype((message).field())>{}) (message).set_##field(value)

}  // namespace

Scenario ParseScenario(const std::string& text, const std::string& source_name, bool json) {
  Scenario scenario;
  if (json) {
    if (auto syntax = JsonSyntaxError(text, source_name)) throw ScenarioError(*syntax);
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto status = google::protobuf::util::JsonStringToMessage(text, &scenario, options);
    if (!status.ok()) throw ScenarioError(JsonSchemaProblem(text, source_name, std::string(status.message())));
    return scenario;
  }
  FileErrorCollector errors(source_name, text);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &scenario) || !errors.problems().empty()) {
    std::vector<std::string> problems = errors.problems();
    if (problems.empty()) problems.push_back(source_name + ": error: cannot parse scenario");
    throw ScenarioError(problems);
  }
  return scenario;
}

void ApplyDefaults(Scenario& s, std::vector<std::string>& problems) {
  if (!s.has_seed()) s.set_seed(1);

  Strategy& st = *s.mutable_strategy();
  if (st.kind() == STRATEGY_UNSPECIFIED) st.set_kind(SYNC_ALLREDUCE);
  // Groups of a model-parallel run follow the hosts (a ring inside a host,
  // then across; parallelism/hybrid_parallel.h).
  if (st.allreduce() == ALLREDUCE_UNSPECIFIED) st.set_allreduce(st.has_model_parallel() ? HIERARCHICAL : RING);
  SIM_DEFAULT(st, servers, 1u);
  SIM_DEFAULT(st, local_steps, 8u);
  if (st.allreduce_entry() == ALLREDUCE_ENTRY_UNSPECIFIED) st.set_allreduce_entry(WHEN_ALL_READY);
  CompressionDefaults(st);

  Cluster& c = *s.mutable_cluster();
  SIM_DEFAULT(c, device, "host");
  // Parameter servers of their own take endpoints after the workers
  // (placement.h), so a topology that leaves the host count open gets hosts
  // for them too. (devices_per_host is defaulted with the topology, after a
  // library entry has had its say.)
  if (c.hosts() == 0 && !TopologyFixesHosts(c.topology()) && c.has_workers() && c.workers() > 0) {
    std::vector<std::string> ignored;  // reported by the strategy's own check
    const std::uint64_t endpoints = EndpointsNeeded(StrategySpecOf(st, ignored), c.workers());
    const std::uint64_t per_host = std::max(1u, c.devices_per_host());
    c.set_hosts(static_cast<std::uint32_t>((endpoints + per_host - 1) / per_host));
  }
  if (c.hosts() == 0 && !TopologyFixesHosts(c.topology())) c.set_hosts(1);  // one machine
  if (auto resolved = ResolveCluster(c, problems)) c = std::move(*resolved);
  if (st.servers_per_host() > 0 && st.colocated_servers()) st.set_servers(c.hosts() * st.servers_per_host());

  Workload& w = *s.mutable_workload();
  if (w.model().kind_case() == Model::KIND_NOT_SET) w.mutable_model()->mutable_softmax_regression();
  if (w.dataset().kind_case() == Dataset::KIND_NOT_SET && !w.model().has_timing_only()) {
    w.mutable_dataset()->mutable_fashion_mnist();
  }
  w = WorkloadWithDefaults(w);

  Stragglers& sg = *s.mutable_stragglers();
  if (sg.distribution() == STRAGGLER_DISTRIBUTION_UNSPECIFIED) sg.set_distribution(NONE);
  SIM_DEFAULT(sg, transient_factor, 1.0);

  SIM_DEFAULT(*s.mutable_outputs(), links_table_rows, 10u);
}

}  // namespace sim::scenario
