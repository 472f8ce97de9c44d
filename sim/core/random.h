// Named, seeded random streams (sim/DESIGN.md, decision 2). Every consumer of
// randomness asks for its own stream by name ("straggler/worker/3"), derived
// from the run's seed and that name alone, so adding a worker or a link does
// not shift the draws of any other.
//
// The distributions are written out here instead of using <random>'s, whose
// algorithms are implementation-defined: the same seed must give the same bits
// with every standard library.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string_view>

namespace sim {

// SplitMix64 (Steele, Lea & Flood 2014): a tiny, well-mixed 64-bit generator,
// used both to seed streams and as the stream generator itself.
class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed) noexcept : state_(seed) {}

  std::uint64_t next_u64() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform on [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform integer on [0, n); n > 0. Lemire's multiply-shift (bias < n/2^64).
  std::uint64_t uniform_index(std::uint64_t n) noexcept {
    __extension__ using u128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<u128>(next_u64()) * n) >> 64);
  }
  // Exponential with the given mean, by inversion: -mean ln(1 - U), 1 - U in
  // (0, 1]. (log rather than log1p: the same values to within rounding, and
  // markedly cheaper; this draw sits on the engine benchmark's hot path.)
  double exponential(double mean) noexcept { return -mean * std::log(1.0 - uniform()); }
  // Standard normal, Box-Muller (one of the pair is discarded for simplicity).
  double normal() noexcept {
    double u1 = 1.0 - uniform();  // (0, 1]
    double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  bool bernoulli(double p) noexcept { return uniform() < p; }

 private:
  std::uint64_t state_;
};

// Derives the stream for `name` under `seed`: FNV-1a of the name, mixed with
// the seed through one SplitMix64 step.
[[nodiscard]] inline RandomStream NamedStream(std::uint64_t seed, std::string_view name) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  RandomStream mix(seed ^ h);
  return RandomStream(mix.next_u64());
}

}  // namespace sim
