#include "sim/taskgraph/chrome_trace.h"

#include <cstdio>

namespace sim::taskgraph {

std::string ChromeTraceJson(const TaskGraphRun& run) {
  const TaskGraph& g = run.graph();
  std::string out = "{\"traceEvents\":[";
  char line[256];
  bool first = true;
  for (StreamId s = 0; s < g.streams(); ++s) {
    const Stream& stream = g.stream(s);
    std::snprintf(line, sizeof line,
                  "%s\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":\"%s\"}}",
                  first ? "" : ",", stream.device, s, stream.name.c_str());
    out += line;
    first = false;
  }
  for (OpId id = 0; id < g.size(); ++id) {
    const Time start = run.start_of(id), end = run.end_of(id);
    if (end == Time::max()) continue;
    const Op& op = g.op(id);
    std::snprintf(line, sizeof line,
                  ",\n{\"name\":\"%.*s\",\"ph\":\"X\",\"pid\":%u,\"tid\":%u,\"ts\":%.6f,\"dur\":%.6f,"
                  "\"args\":{\"step\":%u}}",
                  static_cast<int>(CategoryName(op.category).size()), CategoryName(op.category).data(),
                  g.device_of(id), op.stream, start.microseconds(), (end - start).microseconds(), op.step);
    out += line;
  }
  out += "\n],\"displayTimeUnit\":\"ms\"}\n";
  return out;
}

}  // namespace sim::taskgraph
