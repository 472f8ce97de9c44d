// mpi_calibrate's probes on this machine's ranks (loopback, no root): the
// timing every message probe shares leaves its first call untimed (a pair's
// first message also connects it). Skipped when mpirun is not installed.
#include <gtest/gtest.h>

#include <string>

#include "tests/validate/process.h"

namespace sim::validate {
namespace {

using namespace sim::validate::testing;

TEST(MpiCalibrateProbes, FirstCallIsUntimedAndEveryBlockIsCounted) {
  if (!Have("mpirun")) GTEST_SKIP() << "mpirun not found: Open MPI is needed for the probes";
  for (const int ranks : {1, 3}) {
    const Outcome o = Shell(LocalMpirun() + " -np " + std::to_string(ranks) + " " + Build() + "/tests/probe_warm_up_check");
    EXPECT_EQ(o.status, 0) << ranks << " ranks\n" << o.output;
    EXPECT_NE(o.output.find("warm-up untimed: 9 calls"), std::string::npos) << o.output;
  }
}

}  // namespace
}  // namespace sim::validate
