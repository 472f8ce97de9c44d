// A run's calibration from a cluster profile (measurements.proto,
// ClusterProfile): the cluster is measured once (validate/calibrate
// --cluster), and any run on it is then predicted without measuring that
// run: its pattern, message sizes, model and node count are read off the
// profile, and the result goes through the same fit as a per-run
// calibration (Calibrate, calibration.h).
//
// What is read, for a run of P ranks (workers + servers) and W workers:
// - the network from the profile's measurements on P ranks: the 1-byte
//   time, and every pattern's time at the run's message sizes
//   (MessageSizes), interpolated linearly in bytes between the two nearest
//   sizes of the profile's grid; below its smallest size along the line to
//   the 1-byte time (no message is faster than one byte), above its largest
//   along the line through the two largest. Open MPI's time per message is affine in its size on
//   each side of its eager limit (calibration.h), and the validation runs
//   raise that limit above every size, so the line between two sizes is
//   the time between them. A fan-out's receivers, first to last, each so;
// - compute from its measurements on W ranks, where W ranks computed at
//   once (as the run's workers do, sharing the hosts' cores as they will),
//   scaled from the profile's reference model to the run's by FLOPs per step
//   (the device model's own assumption: time = FLOPs / rate); the optimizer
//   step and the addition of two gradients by the gradient's bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/run_plan.h"
#include "sim/calibration/calibration.h"
#include "sim/calibration/measurements.pb.h"

namespace sim::calibration {

// Time of a message of `bytes` from the grid `times` (at least two sizes)
// and the 1-byte time `one_byte_s`: linear in bytes through the nearest two
// of them (as above).
[[nodiscard]] double InterpolatedSeconds(const google::protobuf::RepeatedPtrField<SizeTime>& times,
                                         std::int64_t bytes, double one_byte_s);

// The measurements mpi_calibrate would have taken on the run's ranks, from
// the profile. `gradient_bytes` and `flops_per_step` are the run's model's.
// Throws std::invalid_argument listing every problem (a rank count the
// profile did not measure, with those it did; a pattern without two sizes).
// Appends to `notes` what was read from where.
[[nodiscard]] HostMeasurements MeasurementsFromProfile(const ClusterProfile& profile, const scenario::RunPlan& plan,
                                                       AllreduceImplementation implementation,
                                                       std::int64_t gradient_bytes, double flops_per_step,
                                                       std::vector<std::string>& notes);

}  // namespace sim::calibration
