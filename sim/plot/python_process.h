// Runs a Python script given as text, `python3 - ARGS...`, with the script on
// its standard input: no file to install or find.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sim::plot {

// The interpreter: $SIM_PYTHON when set, else Debian's /usr/bin/python3
// (where Debian's python3-matplotlib is importable, whatever python3 comes
// first on PATH), else python3 on PATH.
[[nodiscard]] std::string PythonInterpreter();

// Exit status of the script, or kPythonNotFound when the interpreter could
// not be started. Its output goes to this process's stdout and stderr.
inline constexpr int kPythonNotFound = 127;
[[nodiscard]] int RunPythonScript(const std::string& interpreter, std::string_view script,
                                  const std::vector<std::string>& arguments);

}  // namespace sim::plot
