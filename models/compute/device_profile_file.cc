#include "models/compute/device_profile_file.h"

#include <google/protobuf/text_format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "models/compute/device_profiles.h"

namespace sim::models {

void WriteDeviceProfile(const sim::scenario::DeviceProfile& profile, const std::filesystem::path& path,
                        const std::string& comment) {
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(profile, &text)) {
    throw std::runtime_error("device profile " + path.string() + ": cannot format the profile");
  }
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path);
  if (!out) throw std::runtime_error("device profile " + path.string() + ": cannot open for writing");
  std::istringstream lines(comment);
  for (std::string line; std::getline(lines, line);) out << "# " << line << '\n';
  out << text;
  if (!out) throw std::runtime_error("device profile " + path.string() + ": write failed");
}

sim::scenario::DeviceProfile ReadDeviceProfile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("device profile " + path.string() + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  sim::scenario::DeviceProfile profile;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), &profile)) {
    throw std::runtime_error("device profile " + path.string() + ": not a text-format DeviceProfile");
  }
  const std::vector<std::string> problems = DeviceProfileProblems(profile);
  if (!problems.empty()) {
    std::string message = "device profile " + path.string() + ":";
    for (const auto& p : problems) message += " " + p + ";";
    message.pop_back();
    throw std::runtime_error(message);
  }
  return profile;
}

}  // namespace sim::models
