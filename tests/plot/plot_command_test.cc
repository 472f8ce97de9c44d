// `sim plot` as a user runs it, from another folder than the sources: every
// picture it names is a valid PNG (signature, IHDR chunk) or SVG (root element
// svg) of non-trivial size; a file of no known kind and a python3 without
// matplotlib exit 2 saying so; a series' step rows (--series-every) draw the
// training loss, its evaluation rows alone the accuracy. Skipped, with the
// reason, where python3 cannot import matplotlib (Debian's
// python3-matplotlib, in .ci/install-deps).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdint>
#include <set>

#include "tests/validate/process.h"

namespace sim::plot {
namespace {

using validate::testing::Outcome;
using validate::testing::Read;
using validate::testing::Shell;
namespace fs = std::filesystem;

std::string Sim() { return fs::absolute(validate::testing::Build()).string() + "/sim"; }

// The interpreter sim plot runs (sim/plot/python_process.h).
std::string Python() {
  if (const char* chosen = std::getenv("SIM_PYTHON"); chosen != nullptr && *chosen != '\0') return chosen;
  return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

class PlotCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Shell(Python() + " -c 'import matplotlib'").status != 0) {
      GTEST_SKIP() << Python() << " cannot import matplotlib: install Debian's python3-matplotlib";
    }
    dir_ = validate::testing::TempDir("sim-plot-tests");
  }
  fs::path dir_;
};

std::uint32_t BigEndian32(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

// PNG (ISO/IEC 15948, sec. 5.2-5.3 and 11.2.2): the 8-byte signature, then
// the IHDR chunk first, of length 13, holding width and height.
void ExpectPng(const fs::path& path) {
  const std::string bytes = Read(path);
  ASSERT_GT(bytes.size(), 10'000u) << path;
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << path;
  EXPECT_EQ(BigEndian32(bytes, 8), 13u) << path;
  EXPECT_EQ(bytes.substr(12, 4), "IHDR") << path;
  EXPECT_GE(BigEndian32(bytes, 16), 400u) << path << ": width";
  EXPECT_GE(BigEndian32(bytes, 20), 300u) << path << ": height";
}

// SVG: an XML document whose root element is svg (past the XML declaration,
// comments and the DOCTYPE), closed at the end.
void ExpectSvg(const fs::path& path) {
  const std::string text = Read(path);
  ASSERT_GT(text.size(), 5'000u) << path;
  std::size_t at = 0;
  while ((at = text.find('<', at)) != std::string::npos && (text[at + 1] == '?' || text[at + 1] == '!')) {
    at = text.find('>', at) + 1;
  }
  ASSERT_NE(at, std::string::npos) << path;
  EXPECT_EQ(text.substr(at, 5), "<svg ") << path;
  EXPECT_NE(text.find("</svg>", text.size() - 16), std::string::npos) << path;
}

TEST_F(PlotCommand, EveryKindOfFileGivesValidPngAndSvgFromAnyFolder) {
  const fs::path scenario = dir_ / "s.pbtxt";
  std::ofstream(scenario) << "cluster { workers: 4 device_profile { peak_tflops: 1 } }\n"
                             "workload { model { mlp { hidden: 32 } } dataset { synthetic { train_samples: 2000 "
                             "test_samples: 200 } } steps: 60 eval_every_steps: 10 }\n";
  const std::string sim = Sim();
  const fs::path table = dir_ / "sweep.csv";
  ASSERT_EQ(Shell(sim + " sweep -q -s " + scenario.string() + " --sweep cluster.workers=1:4:x2" +
                  " --sweep strategy.kind=SYNC_ALLREDUCE,ASYNC_PS --out " + table.string())
                .status,
            0);
  for (const char* kind : {"SYNC_ALLREDUCE", "ASYNC_PS"}) {
    // One series with step rows, as sim --series-every writes them.
    const std::string every = std::string(kind) == "ASYNC_PS" ? " --series-every 5" : "";
    ASSERT_EQ(Shell(sim + " -q -s " + scenario.string() + " --set strategy.kind=" + kind + every + " --out " +
                    (dir_ / kind).string())
                  .status,
              0);
  }
  const fs::path out = dir_ / "pictures";
  // From a folder with no sources in it: the script is inside sim.
  const Outcome o = Shell("cd " + dir_.string() + " && " + sim + " plot sweep.csv SYNC_ALLREDUCE/series.csv " +
                          "ASYNC_PS/series.csv ASYNC_PS/result.json --out pictures");
  ASSERT_EQ(o.status, 0) << o.output;
  std::set<std::string> made;
  for (const auto& entry : fs::directory_iterator(out)) made.insert(entry.path().filename().string());
  const std::set<std::string> expected = {"speedup.png",   "speedup.svg",  "time_breakdown.png", "time_breakdown.svg",
                                          "accuracy.png",  "accuracy.svg", "staleness.png",      "staleness.svg"};
  EXPECT_EQ(made, expected);
  for (const std::string& name : expected) {
    EXPECT_NE(o.output.find("pictures/" + name), std::string::npos) << o.output;  // each is named
    if (name.ends_with(".png")) ExpectPng(out / name);
    else ExpectSvg(out / name);
  }
}

// The points of the line whose gid is `id` in a sim plot SVG: the vertices
// (M and L) of the first path in the group of that id; 0 without it.
int PointsOfLine(const std::string& svg, const std::string& id) {
  const std::size_t group = svg.find("<g id=\"" + id + "\">");
  if (group == std::string::npos) return 0;
  const std::size_t begin = svg.find(" d=\"", group) + 4;
  const std::string d = svg.substr(begin, svg.find('"', begin) - begin);
  int points = 0;
  for (char c : d) points += (c == 'M' || c == 'L') ? 1 : 0;
  return points;
}

TEST_F(PlotCommand, StepRowsDrawTheTrainingLossAndTheAccuracyComesFromEvaluationsOnly) {
  // Three evaluations and four step rows (one without a loss, as a
  // timing-only run writes them); beside it a series of an older sim,
  // without the kind column.
  std::ofstream(dir_ / "with_steps.csv") << "step,sim_time_s,loss,accuracy,staleness,kind\n"
                                            "0,0,2.3,0.1,0,evaluation\n"
                                            "5,0.5,1.9,,0,step\n"
                                            "10,1,1.7,,0,step\n"
                                            "10,1,1.5,0.6,0,evaluation\n"
                                            "15,1.5,,,0,step\n"
                                            "20,2,1.1,,0,step\n"
                                            "20,2,1.0,0.8,0,evaluation\n";
  std::ofstream(dir_ / "older.csv") << "step,sim_time_s,loss,accuracy,staleness\n0,0,2.3,0.1,0\n10,1,1.2,0.7,0\n";
  const Outcome o = Shell("cd " + dir_.string() + " && " + Sim() + " plot with_steps.csv older.csv --out p");
  ASSERT_EQ(o.status, 0) << o.output;
  ExpectPng(dir_ / "p" / "accuracy.png");
  const std::string svg = Read(dir_ / "p" / "accuracy.svg");
  EXPECT_EQ(PointsOfLine(svg, "accuracy_0"), 3);
  EXPECT_EQ(PointsOfLine(svg, "test_loss_0"), 3);
  EXPECT_EQ(PointsOfLine(svg, "training_loss_0"), 3) << "the step rows with a loss";
  EXPECT_EQ(PointsOfLine(svg, "accuracy_1"), 2);
  EXPECT_EQ(PointsOfLine(svg, "training_loss_1"), 0);
  EXPECT_NE(svg.find("steps' training mini-batches"), std::string::npos);

  // A kind of row sim does not write, or an evaluation without its accuracy.
  std::ofstream(dir_ / "odd_kind.csv") << "step,sim_time_s,loss,accuracy,staleness,kind\n0,0,2.3,0.1,0,batch\n";
  const Outcome kind = Shell(Sim() + " plot " + (dir_ / "odd_kind.csv").string() + " --out " + (dir_ / "q").string());
  EXPECT_EQ(kind.status, 2) << kind.output;
  EXPECT_NE(kind.output.find("odd_kind.csv:2: kind 'batch'"), std::string::npos) << kind.output;
  std::ofstream(dir_ / "no_accuracy.csv") << "step,sim_time_s,loss,accuracy,staleness,kind\n0,0,2.3,,0,evaluation\n";
  const Outcome empty =
      Shell(Sim() + " plot " + (dir_ / "no_accuracy.csv").string() + " --out " + (dir_ / "q").string());
  EXPECT_EQ(empty.status, 2) << empty.output;
  EXPECT_NE(empty.output.find("no_accuracy.csv:2: an evaluation row needs a number in accuracy"), std::string::npos)
      << empty.output;
  EXPECT_FALSE(fs::exists(dir_ / "q"));
}

TEST_F(PlotCommand, AFileOfNoKnownKindExits2NamingIt) {
  const fs::path odd = dir_ / "odd.csv";
  std::ofstream(odd) << "a,b,c\n1,2,3\n";
  const Outcome o = Shell(Sim() + " plot " + odd.string() + " --out " + (dir_ / "p").string());
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find(odd.string() + ": its first line is neither"), std::string::npos) << o.output;
  EXPECT_FALSE(fs::exists(dir_ / "p"));

  const fs::path json = dir_ / "other.json";
  std::ofstream(json) << "{\"workers\": 4}\n";
  const Outcome j = Shell(Sim() + " plot " + json.string() + " --out " + (dir_ / "p").string());
  EXPECT_EQ(j.status, 2) << j.output;
  EXPECT_NE(j.output.find("without staleness_histogram"), std::string::npos) << j.output;
}

TEST_F(PlotCommand, AMissingMatplotlibExits2Saying) {
  // python3 -S leaves site-packages, where matplotlib lives, off the path.
  const fs::path python = dir_ / "python-without-site";
  std::ofstream(python) << "#!/bin/sh\nexec " << Python() << " -S \"$@\"\n";
  ::chmod(python.c_str(), 0755);
  ASSERT_NE(Shell(python.string() + " -c 'import matplotlib'").status, 0) << "-S did not hide matplotlib";
  const fs::path series = dir_ / "series.csv";
  std::ofstream(series) << "step,sim_time_s,loss,accuracy,staleness\n0,0,2.3,0.1,0\n";
  const Outcome o =
      Shell("SIM_PYTHON=" + python.string() + " " + Sim() + " plot " + series.string() + " --out " + dir_.string());
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("matplotlib is missing"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("python3-matplotlib"), std::string::npos) << o.output;

  const Outcome none = Shell("SIM_PYTHON=/nonexistent/python3 " + Sim() + " plot " + series.string() + " --out " +
                             dir_.string());
  EXPECT_EQ(none.status, 2) << none.output;
  EXPECT_NE(none.output.find("cannot run /nonexistent/python3"), std::string::npos) << none.output;
}

}  // namespace
}  // namespace sim::plot
