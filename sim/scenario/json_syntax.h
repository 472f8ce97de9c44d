// Where a JSON scenario breaks JSON's grammar (RFC 8259), as
// "file:line:column: error: message" with the line and a caret, the way
// text-format errors read. Protobuf's JSON parser reports a syntax error
// without a position, so the loader checks the grammar first; what is left
// for protobuf is the schema (unknown fields, wrong types).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace sim::scenario {

// The first syntax error of `text`, or nothing when it is one JSON value.
// Nesting deeper than 256 levels is an error too (a scenario needs about 6),
// so that hostile input cannot exhaust the stack.
[[nodiscard]] std::optional<std::string> JsonSyntaxError(const std::string& text, const std::string& source_name);

// "file:line:column: error: message" for the character at `offset` of
// `text`, with its line and a caret under it.
[[nodiscard]] std::string ProblemAt(const std::string& text, std::size_t offset, const std::string& source_name,
                                    const std::string& message);

}  // namespace sim::scenario
