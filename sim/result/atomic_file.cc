#include "sim/result/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace sim {

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
  // Unique per process, so concurrent sweeps writing beside each other do not collide.
  const fs::path temporary = target.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
    }
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
