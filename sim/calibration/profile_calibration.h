// A run calibrated from the cluster profile its scenario names
// (cluster.profile): the cluster was measured once (validate/calibrate
// --cluster), and `sim` calibrates each run on it from that profile, as
// `build/validation calibration --profile` does, without measuring the run:
// the run's model gives its FLOPs per step and gradient bytes, its strategy
// and node count the pattern and message sizes (calibration.h), the profile
// the measurements at them (cluster_profile.h), and the fit the overrides.
//
// Covered: a star of hosts with one device each, a strategy mpi_train runs
// (SYNC_ALLREDUCE and LOCAL_SGD by RING, SYNC_PS, SYNC_BACKUP, ASYNC_PS,
// SSP), on rank and worker counts the profile measured. Anything else is
// refused, every reason listed at once: the profile holds no measurement of
// it, and a guess would not say so.
#pragma once

#include <string>

#include "sim/calibration/measurements.pb.h"
#include "sim/scenario/run_plan.h"

namespace sim::calibration {

// The overrides that calibrate `plan` from `profile`, with notes of what was
// read from where. Throws std::invalid_argument listing every problem, one a
// line.
[[nodiscard]] scenario::LoadOptions::ProfileCalibration CalibrateFromProfile(const ClusterProfile& profile,
                                                                             const scenario::RunPlan& plan);

// The profile in the JSON file at `path`. Throws std::invalid_argument when
// it cannot be read or is not a profile.
[[nodiscard]] ClusterProfile ReadClusterProfile(const std::string& path);

// `options` with the hook that applies a scenario's cluster profile
// (LoadOptions::calibrate_from_profile): for the commands that read profiles.
[[nodiscard]] scenario::LoadOptions ReadingClusterProfiles(scenario::LoadOptions options);

}  // namespace sim::calibration
