// The table on disk: never overwritten without --resume, rows kept across a
// resume (matched by swept values), a line cut by a kill dropped, foreign
// files refused, and the final rewrite in point order.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/sweep/csv_line.h"
#include "sim/sweep/table_file.h"

namespace sim::sweep {
namespace {

namespace fs = std::filesystem;

const std::vector<SweepAxis> kAxes = {{"cluster.workers", {"1", "2", "4"}}};

fs::path Temp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::temp_directory_path() / "sim-sweep-table-tests" / info->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir / "t.csv";
}

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const fs::path& p) {
  std::vector<std::string> lines;
  std::istringstream in(Read(p));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

PointRow Row(const SweepPoint& p, const std::string& samples_per_s) {
  PointRow row = RowOfError(p, "");
  row.error.clear();
  row.measured[0] = p.values[0];  // workers
  row.measured[5] = samples_per_s;
  return row;
}

TEST(TableFile, RowsAreAppendedAsTheyFinishAndSortedAtTheEnd) {
  const auto path = Temp();
  const auto points = PointsOf(kAxes);
  {
    TableFile table(path.string(), kAxes, points, {0, 0, 0}, false);
    table.add(Row(points[2], "400"));
    // Appended at once, before the baseline (point 0) is known.
    const auto lines = Lines(path);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1].substr(0, 4), "2,4,");
    table.add(Row(points[0], "100"));
    table.add(Row(points[1], "150"));
    table.finish();
  }
  const auto lines = Lines(path);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], CsvLine(Header(kAxes)));
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(lines[i + 1].substr(0, 2), std::to_string(i) + ",");
  // Point 2's speedup, empty when first written, is filled in: 400 / 100.
  const auto cells = *SplitCsvLine(lines[3]);
  EXPECT_EQ(cells[9], "4");
  EXPECT_EQ(cells[10], "1");  // 4 / (4 / 1)
}

TEST(TableFile, AnExistingFileIsNotOverwrittenWithoutResume) {
  const auto path = Temp();
  std::ofstream(path) << "precious\n";
  EXPECT_THROW(TableFile(path.string(), kAxes, PointsOf(kAxes), {0, 0, 0}, false), std::invalid_argument);
  EXPECT_EQ(Read(path), "precious\n");
}

TEST(TableFile, ResumeKeepsTheRowsAndDropsALineCutShort) {
  const auto path = Temp();
  const auto points = PointsOf(kAxes);
  {
    TableFile table(path.string(), kAxes, points, {0, 0, 0}, false);
    table.add(Row(points[1], "150"));
  }
  std::ofstream(path, std::ios::app) << "0,1,1,SYNC_ALL";  // a kill in the middle of a write
  TableFile table(path.string(), kAxes, points, {0, 0, 0}, true);
  EXPECT_TRUE(table.done(1));
  EXPECT_FALSE(table.done(0));
  EXPECT_FALSE(table.done(2));
  EXPECT_EQ(Lines(path).size(), 2u);  // header and point 1; the cut line is gone
  EXPECT_EQ(Read(path).back(), '\n');
}

TEST(TableFile, ResumeMatchesRowsByTheirSweptValues) {
  const auto path = Temp();
  const auto points = PointsOf(kAxes);
  {
    TableFile table(path.string(), kAxes, points, {0, 0, 0}, false);
    table.add(Row(points[2], "400"));  // workers = 4, point 2
  }
  // The same values listed in another order: workers = 4 is now point 0.
  const std::vector<SweepAxis> reordered = {{"cluster.workers", {"4", "2", "1"}}};
  TableFile table(path.string(), reordered, PointsOf(reordered), {0, 0, 0}, true);
  EXPECT_TRUE(table.done(0));
  EXPECT_FALSE(table.done(2));
}

TEST(TableFile, ResumeRefusesAnotherSweepsTable) {
  const auto path = Temp();
  const auto points = PointsOf(kAxes);
  {
    TableFile table(path.string(), kAxes, points, {0, 0, 0}, false);
    table.add(Row(points[2], "400"));
  }
  const std::string before = Read(path);
  // Another path swept: another header.
  const std::vector<SweepAxis> other_path = {{"workload.steps", {"1", "2", "4"}}};
  EXPECT_THROW(TableFile(path.string(), other_path, PointsOf(other_path), {0, 0, 0}, true), std::invalid_argument);
  // The same path, but the row's value 4 is not swept any more.
  const std::vector<SweepAxis> other_values = {{"cluster.workers", {"1", "2", "8"}}};
  EXPECT_THROW(TableFile(path.string(), other_values, PointsOf(other_values), {0, 0, 0}, true),
               std::invalid_argument);
  EXPECT_EQ(Read(path), before);
}

TEST(TableFile, TwoSweepsCannotWriteOneFile) {
  const auto path = Temp();
  const auto points = PointsOf(kAxes);
  TableFile first(path.string(), kAxes, points, {0, 0, 0}, false);
  EXPECT_THROW(TableFile(path.string(), kAxes, points, {0, 0, 0}, true), std::invalid_argument);
}

}  // namespace
}  // namespace sim::sweep
