// The arithmetic of compressing one worker's gradient and of decompressing
// one received gradient into a running sum, for the simulator to charge at
// the device's rate (Flops, as device_profiles.h charges a training step) or,
// where that matters more, at its memory bandwidth (bytes touched).
//
// Counting convention: one FLOP per arithmetic operation or comparison on a
// gradient entry (a multiply-add is 2, as in the models' formulas); random
// draws, integer index arithmetic and bit packing are not counted. n entries,
// k kept, b buckets, encoded = EncodedSize(...).total():
//
//   error feedback     + 2n (p = g + e; e = p - C(p)), 24n bytes (g, e, p
//                      read or written in each)
//   none               compress 0;  decompress n (add), 12n bytes
//   top_k              compress n (magnitudes) + S(n, k) comparisons, 4n + 8k bytes;
//                      S(n, k) = 2n + 2k ln(n/k) + 2(n-k) ln(n/(n-k)), the
//                      expected comparisons of Hoare's selection (Knuth 1971)
//   random_k           compress k (k / n rescaling when unbiased: 2k), 12k bytes
//   top_k, random_k    decompress k (scatter-add), 16k bytes
//   qsgd               compress 2n (norm) + 4n (divide, floor, compare, sign),
//                      8n + encoded bytes (two passes); decompress 2n
//   int8               compress n (max) + 4n, 8n + encoded; decompress 2n
//   scaled_sign        compress 2n (|x|, sum) + n (sign), 8n + encoded; decompress 2n
//   qsgd, int8, sign   decompress reads the encoding and updates the sum: encoded + 8n bytes
//   power_sgd          per matrix (m x c, rank r) and power iteration: P = M Q
//                      and Q = M^T P, 2mcr each; Gram-Schmidt of P, 4 m r^2;
//                      8mc bytes (M read twice). Decompress P Q^T: 2mcr.
//                      The entries outside the matrices: n_out adds.
//
// Decompression is per received gradient: with an all-gather a worker
// decodes the W - 1 pieces it receives and adds them to its own; PowerSGD
// decodes once, the all-reduced factors.
#pragma once

#include <span>

#include <Eigen/Core>

#include "models/compression/compression_options.h"
#include "models/compression/matrix_shapes.h"
#include "sim/core/units.h"

namespace sim::models {

struct CodecWork {
  Flops flops;
  Bytes touched;  // bytes read plus bytes written
};

struct CompressionWork {
  CodecWork compress;    // on the sending worker, error feedback included
  CodecWork decompress;  // per received gradient
};

// The expected comparisons S(n, k) of selecting the k-th largest of n.
[[nodiscard]] double SelectionComparisons(double n, double k) noexcept;

// The work of `options` on a vector of `parameters` entries (options assumed
// valid: CompressionProblems).
[[nodiscard]] CompressionWork WorkOf(const CompressionOptions& options, Eigen::Index parameters,
                                     std::span<const MatrixShape> shapes = {});

}  // namespace sim::models
