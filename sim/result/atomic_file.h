// Results are written whole or not at all: to a temporary file beside the
// target, then renamed over it (rename is atomic on POSIX). An interrupted or
// failed run never leaves a partial result file behind.
#pragma once

#include <string>

namespace sim {

// Writes `content` to `path` atomically; throws std::runtime_error naming the
// path on failure (and removes the temporary file).
void WriteFileAtomically(const std::string& path, const std::string& content);

}  // namespace sim
