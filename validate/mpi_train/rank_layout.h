// Who is who in a real run: ranks 0..p-1 are the workers (worker k is rank
// k, with shard k and sampler k, as in the simulation), then the dedicated
// parameter servers, server s being rank p+s (the endpoints after the workers,
// as scenario.proto places them).
#pragma once

#include <cstdint>

namespace sim::validate {

struct RankLayout {
  int rank = 0;
  int ranks = 1;
  std::uint32_t workers = 1;
  std::uint32_t servers = 0;  // dedicated parameter servers

  [[nodiscard]] bool is_worker() const noexcept { return static_cast<std::uint32_t>(rank) < workers; }
  [[nodiscard]] std::uint32_t worker() const noexcept { return static_cast<std::uint32_t>(rank); }
  [[nodiscard]] std::uint32_t server() const noexcept { return static_cast<std::uint32_t>(rank) - workers; }
  [[nodiscard]] int server_rank(std::uint32_t s) const noexcept { return static_cast<int>(workers + s); }
};

// Element range [begin, end) of shard `index` of `count` elements cut into
// `parts`: the first count % parts shards are one element longer (the rule
// of collectives::Partition, in elements instead of bytes).
struct ElementRange {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  [[nodiscard]] std::int64_t size() const noexcept { return end - begin; }
};

[[nodiscard]] inline ElementRange Piece(std::int64_t count, std::int64_t parts, std::int64_t index) noexcept {
  const std::int64_t base = count / parts, extra = count % parts;
  const std::int64_t begin = index * base + (index < extra ? index : extra);
  return {begin, begin + base + (index < extra ? 1 : 0)};
}

}  // namespace sim::validate
