// Results are written whole or not at all: to a temporary file beside the
// target, then renamed over it (rename is atomic on POSIX). An interrupted or
// failed run never leaves a partial result file behind.
#pragma once

#include <optional>
#include <string>

namespace sim {

// Why `path` cannot be written, or nothing when it can: checked before a
// run, so that a result is not computed only to be lost (issue 20). The
// folders WriteFileAtomically would create are fine; the nearest existing
// one must be a folder this process may write in, and `path` must not be a
// folder.
[[nodiscard]] std::optional<std::string> WhyCannotWrite(const std::string& path);

// Writes `content` to `path` atomically; throws std::runtime_error naming the
// path on failure (and removes the temporary file).
void WriteFileAtomically(const std::string& path, const std::string& content);

}  // namespace sim
