// How sure a calibration is: the cluster's behaviour at a quantile of what
// its probes saw, instead of their mean (issue 19 item 5).
//
// Every message probe of build/mpi_calibrate times `repetitions` blocks and
// keeps each block's time beside their mean (measurements.proto,
// SizeTime.block_seconds). The mean calibrates the prediction. The blocks
// say how steady the cluster was: on the emulated cluster at 100 Mbit/s the
// 10th and 90th percentile blocks lay within 0.96-1.05x of the mean on 2
// and 3 ranks, and at 0.80-0.96x and 1.02-1.31x for a ring step on 8 or 9 ranks
// (validate/README.md, "How sure a prediction is"). A prediction's range over
// calibrated behaviours takes the measurements at quantile q of every probe's
// blocks, all at the same q (the cluster as a whole as steady or as
// disturbed as in that fraction of its blocks, the widest reading the
// blocks allow), and calibrates from them as from the mean; validate/compare
// --calibration-draws predicts a row at q = (k - 1/2) / N for draw k of N,
// each under flow-share seed k, and the 10th-90th percentile of those
// predictions is the row's range.
//
// Only the message probes carry blocks: the 1-byte time (a latency, not a
// rate), the compute phase and the fan-out's order statistics are kept as
// measured.
#pragma once

#include "sim/calibration/measurements.pb.h"

namespace sim::calibration {

// `measured` with every message probe's `seconds` replaced by the
// q-quantile (sim/core/quantile.h) of its `block_seconds`. Throws
// std::invalid_argument for q outside [0, 1], or listing every probe that
// kept no blocks (measured before they were recorded: measure again).
[[nodiscard]] HostMeasurements AtBlockQuantile(const HostMeasurements& measured, double q);

// Every rank count of `profile` so.
[[nodiscard]] ClusterProfile AtBlockQuantile(const ClusterProfile& profile, double q);

}  // namespace sim::calibration
