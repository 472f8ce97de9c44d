// Writes a scenario text to a fresh temporary file for a test.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace sim::scenario::testing {

inline std::string WriteScenario(const std::string& text, const std::string& extension = ".pbtxt") {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::temp_directory_path() / "sim-tests";
  std::filesystem::create_directories(dir);
  auto path = dir / (std::string(info->test_suite_name()) + "." + info->name() + extension);
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace sim::scenario::testing
