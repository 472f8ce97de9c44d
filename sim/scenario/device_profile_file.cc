#include "sim/scenario/device_profile_file.h"

#include <google/protobuf/text_format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/scenario/device_resolution.h"

namespace sim::scenario {

void WriteDeviceProfile(const models::DeviceProfile& profile, const std::filesystem::path& path,
                        const std::string& comment) {
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(DeviceProfileMessage(profile), &text)) {
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

models::DeviceProfile ReadDeviceProfile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("device profile " + path.string() + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  DeviceProfile message;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), &message)) {
    throw std::runtime_error("device profile " + path.string() + ": not a text-format DeviceProfile");
  }
  const models::DeviceProfile profile = DeviceProfileOf(message);
  const std::vector<std::string> problems = models::DeviceProfileProblems(profile);
  if (!problems.empty()) {
    std::string message_text = "device profile " + path.string() + ":";
    for (const auto& p : problems) message_text += " " + p + ";";
    message_text.pop_back();
    throw std::runtime_error(message_text);
  }
  return profile;
}

}  // namespace sim::scenario
