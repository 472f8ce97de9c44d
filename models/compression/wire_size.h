// What one worker's compressed gradient occupies on the wire, in the
// encodings real systems use:
//
//   none         4n: fp32 values.
//   top_k,       k = round(ratio x n) (index, value) pairs, as DGC (Lin et
//   random_k     al. 2018) all-gathers them: fp32 values and uint32 indices,
//                the smallest fixed width for n <= 2^32 (int64 beyond): 8k
//                bytes. Frameworks that keep torch.topk's int64 indices send
//                12k. A random-k whose indices every worker regenerates from
//                one shared seed would send no indices; with a stream per
//                worker, as here, they are sent.
//   qsgd         per entry a sign bit and the level 0..s in bit_width(s) =
//                ceil(log2(s + 1)) bits, packed at fixed width, plus one fp32
//                norm per bucket: ceil(n (1 + bit_width(s)) / 8) + 4 buckets.
//                Fixed width packs and unpacks in parallel; the paper's Elias
//                code (Alistarh et al. 2017, section 3.2) is shorter for small
//                s but sequential.
//   int8         one int8 per entry plus one fp32 scale per bucket: n + 4 buckets.
//   scaled_sign  one bit per entry plus one fp32 scale per bucket:
//                ceil(n / 8) + 4 buckets (Karimireddy et al. 2019; 1-bit SGD,
//                Seide et al. 2014, sends two scales per column instead).
//   power_sgd    per power iteration the fp32 factors P (rows x r) and Q
//                (cols x r) of every weight matrix, and once the fp32 entries
//                outside the matrices: 4 (iterations x r x sum(rows + cols)
//                + outside). These are all-reduced, not gathered
//                (compressed_exchange.h).
#pragma once

#include <span>

#include <Eigen/Core>

#include "models/compression/compression_options.h"
#include "models/compression/matrix_shapes.h"
#include "sim/core/units.h"

namespace sim::models {

struct WireSize {
  Bytes values;   // the kept or quantised values, or PowerSGD's factors
  Bytes indices;  // positions of the kept entries (top_k, random_k)
  Bytes scales;   // norms or scales, one per bucket

  [[nodiscard]] Bytes total() const noexcept { return values + indices + scales; }
};

// Bytes per index of a sparse gradient of n entries: 4 up to 2^32, else 8.
[[nodiscard]] std::int64_t IndexBytes(Eigen::Index parameters) noexcept;

// The wire size of one worker's compressed gradient of `parameters` entries
// (options assumed valid: CompressionProblems). Every encoding above has a
// fixed size, so this is also what Compressor::compress reports.
[[nodiscard]] WireSize EncodedSize(const CompressionOptions& options, Eigen::Index parameters,
                                   std::span<const MatrixShape> shapes = {});

}  // namespace sim::models
