#include "sim/scenario/overrides.h"

#include <algorithm>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include "sim/scenario/scenario_error.h"

namespace sim::scenario {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

void CollectLeafPaths(const Descriptor& d, const std::string& prefix, int depth, std::vector<std::string>& out) {
  if (depth > 8) return;  // the schema is not recursive; this only guards against a future cycle
  for (int i = 0; i < d.field_count(); ++i) {
    const FieldDescriptor* f = d.field(i);
    std::string path = prefix.empty() ? f->name() : prefix + "." + f->name();
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!f->is_repeated()) CollectLeafPaths(*f->message_type(), path, depth + 1, out);
    } else {
      out.push_back(path);
    }
  }
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::vector<std::string> SplitOn(std::string_view text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = text.find(sep, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string UnknownPathError(const Descriptor& root, std::string_view path) {
  std::string msg = "--set: unknown field path '" + std::string(path) + "'";
  auto nearest = NearestPaths(root, path);
  if (!nearest.empty()) {
    msg += "; nearest valid paths: ";
    for (std::size_t i = 0; i < nearest.size(); ++i) msg += (i ? ", " : "") + nearest[i];
  }
  return msg;
}

// Text format wants strings quoted; a user typing --set name=foo should not.
std::string AsTextValue(const FieldDescriptor& field, std::string value) {
  if (field.cpp_type() == FieldDescriptor::CPPTYPE_STRING && (value.empty() || value.front() != '"')) {
    std::string quoted = "\"";
    for (char c : value) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return quoted + "\"";
  }
  return value;
}

// Keeps protobuf from logging value-parse errors to stderr; the caller reports
// them in its own words.
class SilentErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
};

}  // namespace

std::vector<std::string> LeafPaths(const Descriptor& descriptor) {
  std::vector<std::string> out;
  CollectLeafPaths(descriptor, "", 0, out);
  return out;
}

std::vector<std::string> NearestPaths(const Descriptor& descriptor, std::string_view path, std::size_t count) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (auto& p : LeafPaths(descriptor)) scored.emplace_back(EditDistance(path, p), std::move(p));
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && i < count; ++i) out.push_back(scored[i].second);
  return out;
}

void ApplyOverride(Message& message, std::string_view assignment) {
  const std::size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw ScenarioError("--set: expected path=value, got '" + std::string(assignment) + "'");
  }
  const std::string_view path = assignment.substr(0, eq);
  const std::string value(assignment.substr(eq + 1));

  Message* target = &message;
  const FieldDescriptor* field = nullptr;
  const auto segments = SplitOn(path, '.');
  for (std::size_t i = 0; i < segments.size(); ++i) {
    field = target->GetDescriptor()->FindFieldByName(segments[i]);
    const bool last = i + 1 == segments.size();
    if (field == nullptr || (!last && (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated())) ||
        (last && field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE)) {
      throw ScenarioError(UnknownPathError(*message.GetDescriptor(), path));
    }
    if (!last) target = target->GetReflection()->MutableMessage(target, field);
  }

  // A repeated field takes a comma-separated list and replaces what was there.
  std::vector<std::string> values = field->is_repeated() ? SplitOn(value, ',') : std::vector<std::string>{value};
  if (field->is_repeated()) {
    target->GetReflection()->ClearField(target, field);
    if (value.empty()) values.clear();
  }
  SilentErrors silent;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&silent);
  for (const auto& v : values) {
    if (!parser.ParseFieldValueFromString(AsTextValue(*field, v), field, target)) {
      std::string expected = field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM
                                 ? "one of the names of enum " + field->enum_type()->name()
                                 : std::string("a value of type ") + field->type_name();
      throw ScenarioError("--set " + std::string(path) + ": cannot parse '" + v + "' as " + expected);
    }
  }
}

}  // namespace sim::scenario
