// Which collective can carry each scheme's compressed gradients, and the
// bytes each worker then sends, as data a strategy reads.
//
// All-reduce sums its inputs as it goes (every hop adds what it received to
// its own piece), so it carries only a code whose sum is the code of the sum:
//   none       dense floats: all-reduce.
//   power_sgd  P = sum_w M_w Q and Q = sum_w M_w^T P are linear in M_w, so
//              the factors are all-reduced in the compressed domain, P then
//              Q (Vogels et al. 2019); nothing else can carry them, since
//              each worker needs the reduced P before computing its Q.
//   top_k,     two workers keep different indices: the sum of two sparse
//   random_k   vectors is denser than either, so a hop cannot add in place.
//              All-gather of the (index, value) pairs (DGC, Lin et al. 2018),
//              each worker summing the W sparse gradients itself; or a
//              parameter server, which decodes and sums each push.
//   qsgd,      each worker's code has its own norm or scale: the sum of two
//   int8,      codes is not the code of the sum (nor does it fit in the same
//   sign       bits). All-gather, each worker decoding the W codes; or a
//              parameter server, which decodes each push.
// Through a parameter server a worker pushes its compressed gradient and
// pulls the dense parameters (4 bytes each): compression shrinks the push
// only.
//
// Bytes sent by one worker, p = W workers:
//   all-gather of pieces of c bytes:  (p - 1) c      (ring: each rank
//       forwards every piece but its successor's; recursive doubling sends
//       c + 2c + 4c + ... = (p - 1) c as well)
//   all-reduce of a vector of m bytes: 2 (p - 1) m / p, rounded up (ring:
//       reduce-scatter then all-gather of m / p pieces, Patarasuk & Yuan
//       2009; also halving-doubling's, Thakur et al. 2005); exact when p
//       divides m, and the ring's pieces differ by at most a byte otherwise.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Core>

#include "models/compression/compression_options.h"
#include "models/compression/matrix_shapes.h"
#include "sim/core/units.h"

namespace sim::models {

enum class ExchangeCollective { kAllReduce, kAllGather, kParameterServer };

// The collectives that can carry `scheme`'s gradients, the usual one first.
[[nodiscard]] std::vector<ExchangeCollective> CollectivesFor(CompressionScheme scheme);

// One collective of a step's exchange.
struct ExchangePhase {
  ExchangeCollective collective = ExchangeCollective::kAllReduce;
  // Each worker's input: the vector all-reduced, or the piece all-gathered.
  // (sim::collectives counts an all-gather by its gathered output: W x this.)
  Bytes per_worker;
  // What each worker sends during the phase (formulas above).
  Bytes sent_per_worker;
};

// The collectives of one synchronous step among `workers` workers without a
// parameter server: one all-reduce (none), one all-gather (sparse and
// quantised schemes), or for PowerSGD per power iteration an all-reduce of
// the P factors then one of the Q factors, the entries outside the matrices
// riding in the first P all-reduce. Options assumed valid.
[[nodiscard]] std::vector<ExchangePhase> ExchangePhases(const CompressionOptions& options, Eigen::Index parameters,
                                                        std::span<const MatrixShape> shapes, std::uint32_t workers);

// (p - 1) c.
[[nodiscard]] Bytes AllGatherBytesSent(Bytes piece, std::uint32_t workers) noexcept;
// ceil(2 (p - 1) m / p).
[[nodiscard]] Bytes AllReduceBytesSent(Bytes vector, std::uint32_t workers) noexcept;

}  // namespace sim::models
