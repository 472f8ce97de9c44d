#include "sim/result/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace sim {
namespace {

// Writes all of `content` to `fd` and flushes it to the disk (fsync), or
// returns the errno of the first failure.
int WriteAndSync(int fd, const std::string& content) {
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  return ::fsync(fd) == 0 ? 0 : errno;
}

}  // namespace

std::optional<std::string> WhyCannotWrite(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target(path);
  if (path.empty()) return "empty path";
  if (fs::is_directory(target, ec)) return "'" + path + "' is a folder";
  fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  while (!fs::exists(folder, ec)) {
    if (!folder.has_parent_path() || folder == folder.parent_path()) {
      folder = folder.is_absolute() ? folder.root_path() : fs::path(".");
      break;
    }
    folder = folder.parent_path();
  }
  if (!fs::is_directory(folder, ec)) return "'" + folder.string() + "' is not a folder";
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    return "cannot write in folder '" + folder.string() + "': " + std::strerror(errno);
  }
  return std::nullopt;
}

void WriteFileAtomically(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  if (target.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw std::runtime_error(path + ": cannot create folder: " + ec.message());
  }
  // Unique per process, so concurrent sweeps writing beside each other do not
  // collide. Written, synced to the disk, then renamed over the target: a
  // reader (or a crash) sees the old file or the whole new one, never part.
  const fs::path temporary = target.string() + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
  const int written = WriteAndSync(fd, content);
  const int closed = ::close(fd) == 0 ? 0 : errno;
  if (written != 0 || closed != 0) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw std::runtime_error(path + ": cannot write: " + std::strerror(written != 0 ? written : closed));
  }
  std::error_code ec;
  fs::rename(temporary, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw std::runtime_error(path + ": cannot write: " + ec.message());
  }
}

}  // namespace sim
