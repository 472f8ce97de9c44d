// What every fuzz target shares. The targets follow libFuzzer's interface
// (LLVMFuzzerTestOneInput). Built with -DSIM_FUZZ=ON (clang) they are
// libFuzzer programs; in the ordinary build they link replay_main.cc instead
// and run the files of their corpus once each, as the suite's regression
// tests (tests/fuzz/README.md).
//
// Each target catches only the error type its reader documents for bad
// input (the one `sim` reports with exit status 2): anything else (a crash,
// a sanitizer report, another exception, a hang, running out of memory) is
// a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sim::fuzz {

[[nodiscard]] inline std::string AsText(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace sim::fuzz
