#include "sim/sweep/table_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <unordered_map>

#include "sim/sweep/csv_line.h"

namespace sim::sweep {
namespace {

std::runtime_error SystemError(const std::string& path, const char* what) {
  return std::runtime_error(path + ": cannot " + what + ": " + std::strerror(errno));
}

void WriteAll(int fd, const std::string& text, const std::string& path) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw SystemError(path, "write");
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) throw SystemError(path, "fsync");
}

std::string ReadAll(int fd, const std::string& path) {
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw SystemError(path, "read");
    if (n == 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

std::string Key(const std::vector<std::string>& values) {
  std::string key;
  for (const auto& v : values) key += v + '\0';
  return key;
}

}  // namespace

TableFile::TableFile(std::string path, const std::vector<SweepAxis>& axes, const std::vector<SweepPoint>& points,
                     std::vector<std::size_t> baselines, bool resume)
    : path_(std::move(path)), header_(Header(axes)), baselines_(std::move(baselines)) {
  namespace fs = std::filesystem;
  if (!resume && fs::exists(path_)) {
    throw std::invalid_argument(path_ + " exists: pass --resume to run only the points it lacks, or choose another "
                                "--out (a sweep never overwrites a table)");
  }
  if (const fs::path parent = fs::path(path_).parent_path(); !parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) throw std::runtime_error(path_ + ": cannot create folder: " + ec.message());
  }
  fd_ = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw SystemError(path_, "open");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw std::invalid_argument(path_ + " is being written by another sweep");
  }
  try {
    read_rows(axes, points);
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

void TableFile::read_rows(const std::vector<SweepAxis>& axes, const std::vector<SweepPoint>& points) {
  const std::string text = ReadAll(fd_, path_);
  const std::string header_line = CsvLine(header_);
  if (text.empty()) {
    WriteAll(fd_, header_line + "\n", path_);
    return;
  }
  // A last line without its newline was cut by a kill: its point runs again.
  const std::size_t complete = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
  // Only once the whole file is known to be this sweep's is it changed.
  auto drop_cut_line = [&] {
    if (complete == text.size()) return;
    std::cerr << "sim sweep: " << path_ << ": dropping its last line, cut short: \"" << text.substr(complete)
              << "\"\n";
    if (::ftruncate(fd_, static_cast<off_t>(complete)) != 0) throw SystemError(path_, "truncate");
  };
  // (A file cut inside its header holds a prefix of it.)
  const bool header_matches =
      complete == 0 ? header_line.starts_with(text) : text.substr(0, text.find('\n')) == header_line;
  if (!header_matches) {
    throw std::invalid_argument(path_ + ": its header is not this sweep's columns, so its rows are not points of "
                                "this sweep; expected: " + header_line);
  }
  if (complete == 0) {
    drop_cut_line();
    WriteAll(fd_, header_line + "\n", path_);
    return;
  }
  std::unordered_map<std::string, std::size_t> point_of_values;
  for (const SweepPoint& p : points) point_of_values.emplace(Key(p.values), p.index);
  std::size_t line_number = 1;
  for (std::size_t begin = text.find('\n') + 1; begin < complete; ++line_number) {
    const std::size_t end = text.find('\n', begin);
    const std::string_view line(text.data() + begin, end - begin);
    begin = end + 1;
    const auto cells = SplitCsvLine(line);
    const auto row = cells ? RowOfCells(*cells, axes.size()) : std::nullopt;
    const std::string where = path_ + ":" + std::to_string(line_number + 1);
    if (!row) throw std::invalid_argument(where + ": not a row of this sweep's table: " + std::string(line));
    const auto point = point_of_values.find(Key(row->values));
    if (point == point_of_values.end()) {
      throw std::invalid_argument(where + ": its swept values are not a point of this sweep (resume with the same "
                                  "--sweep values, or choose another --out)");
    }
    PointRow kept = *row;
    kept.point = point->second;
    if (!rows_.emplace(kept.point, std::move(kept)).second) {
      std::cerr << "sim sweep: " << where << ": a second row of point " << point->second << ", ignored\n";
    }
  }
  drop_cut_line();
}

TableFile::~TableFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t TableFile::rows() const {
  std::lock_guard lock(mutex_);
  return rows_.size();
}

std::size_t TableFile::failed() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(rows_.begin(), rows_.end(), [](const auto& entry) { return !entry.second.error.empty(); }));
}

std::string TableFile::line(const PointRow& row) const {
  const std::size_t baseline = baselines_[row.point];
  const auto base = rows_.find(baseline);
  return CsvLine(Cells(row, baseline, base == rows_.end() ? nullptr : &base->second)) + "\n";
}

void TableFile::append(const std::string& text) { WriteAll(fd_, text, path_); }

void TableFile::add(PointRow row) {
  std::lock_guard lock(mutex_);
  const std::size_t point = row.point;
  rows_.insert_or_assign(point, std::move(row));
  append(line(rows_.at(point)));
}

void TableFile::finish() {
  std::lock_guard lock(mutex_);
  std::string content = CsvLine(header_) + "\n";
  for (const auto& [point, row] : rows_) content += line(row);
  // Beside the target, so that rename() stays on one file system.
  const std::string temporary = path_ + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw SystemError(temporary, "open");
  try {
    WriteAll(fd, content, temporary);
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path_.c_str()) != 0) {
    ::unlink(temporary.c_str());
    throw SystemError(path_, "replace");
  }
  // The rename itself is made durable by syncing the folder that holds it.
  const std::string folder = std::filesystem::path(path_).parent_path().empty()
                                 ? std::string(".")
                                 : std::filesystem::path(path_).parent_path().string();
  if (const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace sim::sweep
