// How a RunResult is shown: a readable summary table for the terminal, the
// busiest-links table, and the JSON file.
#pragma once

#include <string>

#include "sim/result/result.pb.h"

namespace sim {

std::string SummaryTable(const result::RunResult& run);
std::string LinksTable(const result::RunResult& run);
// Field names as in result.proto; zero values printed too, so every field a
// script expects is present (except the optional ones, absent when unset).
std::string ResultJson(const result::RunResult& run);

}  // namespace sim
