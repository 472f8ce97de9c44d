// Gradient compression schemes and their options, as a scenario's
// `strategy.compression` will give them; every problem names its field by
// that path.
//
//   TOP_K        the ratio x n largest magnitudes (Aji & Heafield 2017)
//   RANDOM_K     ratio x n entries drawn uniformly without replacement
//                (Stich et al. 2018); rescaled by n/k when error feedback is
//                off, so that it is unbiased (Wangni et al. 2018)
//   QSGD         stochastic rounding of |g_i| / ||g||_2 to `levels` levels s
//                per bucket (Alistarh et al. 2017)
//   INT8         stochastic rounding to 255 levels of max |g_i| per bucket
//                (max-norm scaling, Wen et al. 2017)
//   SCALED_SIGN  1 bit per entry, scaled by ||g||_1 / n per bucket (Seide et
//                al. 2014; Karimireddy et al. 2019)
//   POWER_SGD    rank-r factors P, Q of each weight matrix by power iteration
//                with warm start (Vogels et al. 2019)
// Error feedback (Seide et al. 2014; Stich et al. 2018; Karimireddy et al.
// 2019) adds each worker's residual to its next gradient before compressing
// and keeps what the compressor dropped: p = g + e, e <- p - C(p). It is an
// option of every scheme.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "models/compression/matrix_shapes.h"

namespace sim::models {

enum class CompressionScheme { kNone, kTopK, kRandomK, kQsgd, kInt8, kScaledSign, kPowerSgd };

// "none", "top_k", "random_k", "qsgd", "int8", "scaled_sign", "power_sgd".
[[nodiscard]] std::string_view Name(CompressionScheme scheme) noexcept;

struct CompressionOptions {
  CompressionScheme scheme = CompressionScheme::kNone;
  // TOP_K, RANDOM_K: fraction of the entries sent, (0, 1]. 0.01 is the 99%
  // drop of Aji & Heafield 2017.
  double ratio = 0.01;
  // QSGD: number of levels s >= 1 (levels 0..s of ||g|| / s).
  std::uint32_t levels = 16;
  // QSGD, INT8, SCALED_SIGN: entries sharing one scale (norm, max or mean);
  // 0: the whole vector is one bucket. >= 0.
  std::int64_t bucket_size = 0;
  // POWER_SGD: rank r >= 1, at most the smaller dimension of every matrix.
  std::uint32_t rank = 2;
  // POWER_SGD: power iterations per step, >= 1; each costs one all-reduce of
  // P and one of Q. Vogels et al. use 1, with the warm start.
  std::uint32_t power_iterations = 1;
  bool error_feedback = true;
};

// Every bad option for a vector of `parameters` entries whose weight
// matrices are `shapes` (POWER_SGD only), each naming its field
// ("strategy.compression.ratio must be in (0, 1], got 0"). Only the fields
// the scheme reads are checked. Empty when valid.
[[nodiscard]] std::vector<std::string> CompressionProblems(const CompressionOptions& options, Eigen::Index parameters,
                                                           std::span<const MatrixShape> shapes = {});

// Throws std::invalid_argument("compression: p1; p2; ...") when there are
// problems.
void CheckCompressionOptions(const CompressionOptions& options, Eigen::Index parameters,
                             std::span<const MatrixShape> shapes = {});

// Entries a sparse scheme keeps: round(ratio x n), at least 1 (for n >= 1),
// at most n. Rounding to nearest keeps 1% of 100,000 at exactly 1,000 where
// a ceiling could give 1,001 from 0.01's binary error.
[[nodiscard]] Eigen::Index KeptEntries(double ratio, Eigen::Index parameters) noexcept;

// Buckets of a quantised vector: ceil(n / bucket_size), or 1 when
// bucket_size is 0.
[[nodiscard]] Eigen::Index Buckets(std::int64_t bucket_size, Eigen::Index parameters) noexcept;

// Calls visit(begin, size) for each bucket in order; the last may be short.
template <typename Visit>
void ForEachBucket(std::int64_t bucket_size, Eigen::Index parameters, Visit&& visit) {
  const Eigen::Index step = bucket_size <= 0 ? parameters : static_cast<Eigen::Index>(bucket_size);
  for (Eigen::Index begin = 0; begin < parameters; begin += step) visit(begin, std::min(step, parameters - begin));
}

}  // namespace sim::models
