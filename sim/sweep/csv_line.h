// One CSV record per line (RFC 4180 quoting: a cell with a comma or a quote
// is quoted, quotes doubled). A line break inside a cell becomes a space, so
// that a record is always exactly one line: a table appended row by row can
// then be read back line by line, and a line cut short by a kill is the last
// one, without its newline.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sim::sweep {

// The cells as one line, without the newline.
[[nodiscard]] std::string CsvLine(const std::vector<std::string>& cells);

// The cells of one line (no newline); nullopt when its quoting is broken.
[[nodiscard]] std::optional<std::vector<std::string>> SplitCsvLine(std::string_view line);

}  // namespace sim::sweep
