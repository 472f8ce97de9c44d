// The JSON grammar check that gives a JSON scenario's syntax errors a
// file:line:column (sim/scenario/json_syntax.h): valid documents pass,
// each kind of break is found where it is, and hostile nesting is bounded.
#include <gtest/gtest.h>

#include <string>

#include "sim/scenario/json_syntax.h"

namespace sim::scenario {
namespace {

TEST(JsonSyntax, ValidDocumentsPass) {
  for (const char* text : {"{}", " [ ] ", R"({"a": [1, -2.5e+3, 0, true, false, null], "b": {"c": "x\"\u00e9\n"}})",
                           "\n{\n  \"name\": \"quickstart\"\n}\n"}) {
    EXPECT_EQ(JsonSyntaxError(text, "s.json"), std::nullopt) << text;
  }
}

TEST(JsonSyntax, EachBreakIsFoundWhereItIs) {
  auto where = [](const std::string& text) {
    const auto problem = JsonSyntaxError(text, "s.json");
    return problem ? problem->substr(0, problem->find('\n')) : std::string("(none)");
  };
  EXPECT_EQ(where("{\"a\": 1,}"), "s.json:1:9: error: expected a quoted field name");
  EXPECT_EQ(where("{\"a\" 1}"), "s.json:1:6: error: expected ':' after the field name");
  EXPECT_EQ(where("{\"a\": 1\n \"b\": 2}"), "s.json:2:2: error: expected ',' or '}'");
  EXPECT_EQ(where("[1, 2"), "s.json:1:6: error: unexpected end of input: expected ',' or ']'");
  EXPECT_EQ(where("{\"a\": \"x"), "s.json:1:9: error: unexpected end of input inside a string");
  EXPECT_EQ(where("{\"a\": 01}"), "s.json:1:8: error: expected ',' or '}'");
  EXPECT_EQ(where("{\"a\": 1.}"), "s.json:1:9: error: expected a digit after the decimal point");
  EXPECT_EQ(where("{\"a\": tru}"), "s.json:1:7: error: unexpected word: expected a value (true, false, null, a "
                                   "number, string, object or array)");
  EXPECT_EQ(where("{\"a\": \"\\q\"}"), "s.json:1:9: error: unknown escape '\\q'");
  EXPECT_EQ(where("{} {}"), "s.json:1:4: error: unexpected text after the end of the JSON value");
  EXPECT_EQ(where(""), "s.json:1:1: error: unexpected end of input: expected a value");
  EXPECT_EQ(where("\x80"), "s.json:1:1: error: unexpected character '\\x80': expected a value");
}

TEST(JsonSyntax, DeepNestingIsAnErrorNotAStackOverflow) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const auto problem = JsonSyntaxError(deep, "deep.json");
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->substr(0, problem->find('\n')), "deep.json:1:258: error: nested deeper than 256 levels");
}

}  // namespace
}  // namespace sim::scenario
