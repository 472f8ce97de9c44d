// The sweep's CSV file on disk, durable point by point.
//
// Rows are appended in the order points finish, each with one write() and an
// fsync(), so a sweep killed at any moment keeps every point it finished; a
// kill during a write can cut only the last line, which has then no newline.
// When every point is in, the file is rewritten in point order (to a
// temporary file, fsync'ed, renamed over it), with speedups filled in for rows
// that finished before their baseline.
//
// Why append in finishing order and sort at the end, rather than write rows
// in point order as a prefix of points completes: points run largest first
// and in parallel, so the largest points, often last in point order, finish
// first; holding them back until every smaller point is done would keep the
// most expensive results in memory only, and a kill would lose them.
//
// Resuming (`--resume`) reads the rows already there, matching each to a
// point by its swept values (not its number, so a point keeps its row when the
// sweep lists are reordered), drops a cut last line, and runs only the rest.
// An flock() keeps two sweeps from writing one file at once.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "sim/sweep/sweep_table.h"

namespace sim::sweep {

class TableFile {
 public:
  // Opens `path` for a sweep of `points`. Without `resume`, an existing file
  // is refused; with it, its rows are read (see done()). Throws
  // std::invalid_argument (bad input: exit 2) when the file exists without
  // `resume`, when its header is not this sweep's, when a row is not a point
  // of this sweep, or when another sweep holds it; std::runtime_error when it
  // cannot be read or written.
  TableFile(std::string path, const std::vector<SweepAxis>& axes, const std::vector<SweepPoint>& points,
            std::vector<std::size_t> baselines, bool resume);
  ~TableFile();
  TableFile(const TableFile&) = delete;
  TableFile& operator=(const TableFile&) = delete;

  // Points whose rows the file already holds (from an earlier sweep).
  [[nodiscard]] bool done(std::size_t point) const { return rows_.contains(point); }
  [[nodiscard]] std::size_t rows() const;
  // Rows with an error.
  [[nodiscard]] std::size_t failed() const;

  // Appends the row of a finished point and fsyncs; safe from any thread.
  void add(PointRow row);
  // Rewrites the file in point order, every derived cell filled in.
  void finish();

 private:
  // The rows of an existing file (or its header, when it is new or empty).
  void read_rows(const std::vector<SweepAxis>& axes, const std::vector<SweepPoint>& points);
  void append(const std::string& text);
  [[nodiscard]] std::string line(const PointRow& row) const;

  std::string path_;
  std::vector<std::string> header_;
  std::vector<std::size_t> baselines_;
  int fd_ = -1;
  mutable std::mutex mutex_;
  std::map<std::size_t, PointRow> rows_;
};

}  // namespace sim::sweep
