// Exit statuses shared by every sub-command, and the exception a command
// throws from its callback to end the program with one of them.
#pragma once

#include <exception>
#include <iostream>
#include <new>
#include <stdexcept>

#include "models/data/data_error.h"
#include "sim/scenario/scenario_error.h"

namespace sim::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;
// The run stopped at --max-wall-time; its result, marked incomplete, was written.
inline constexpr int kExitIncomplete = 3;

struct Exit {
  int status;
};

// Runs `body`; prints any error on stderr as "sim: error: ..." (each scenario
// problem on its own line) and turns it into Exit{status}. Bad input
// (ScenarioError, a data file's DataError, std::invalid_argument) is status
// 2, anything else 1.
template <typename Body>
void RunReportingErrors(Body&& body) {
  try {
    body();
  } catch (const Exit&) {
    throw;
  } catch (const scenario::ScenarioError& e) {
    std::cerr << "sim: " << e.problems().size() << (e.problems().size() == 1 ? " problem" : " problems")
              << " in the input:\n";
    for (const auto& p : e.problems()) std::cerr << "  " << p << "\n";
    throw Exit{kExitBadInput};
  } catch (const models::DataError& e) {
    // A data file the scenario names is missing or malformed: bad input too.
    std::cerr << "sim: error: " << e.what() << "\n";
    throw Exit{kExitBadInput};
  } catch (const std::invalid_argument& e) {
    std::cerr << "sim: error: " << e.what() << "\n";
    throw Exit{kExitBadInput};
  } catch (const std::bad_alloc&) {
    std::cerr << "sim: error: out of memory: the run needs more memory than this machine can give it "
                 "(a batch, model or cluster too large; make it smaller)\n";
    throw Exit{kExitFailure};
  } catch (const std::exception& e) {
    std::cerr << "sim: error: " << e.what() << "\n";
    throw Exit{kExitFailure};
  }
}

}  // namespace sim::cli
