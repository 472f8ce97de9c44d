#include "sim/result/report.h"

#include <cstdio>
#include <stdexcept>

#include <google/protobuf/util/json_util.h>

namespace sim {
namespace {

void Row(std::string& out, const char* label, const std::string& value) {
  char line[256];
  std::snprintf(line, sizeof line, "  %-24s %s\n", label, value.c_str());
  out += line;
}

std::string Format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string Seconds(double s) {
  if (s == 0) return "0 s";
  if (s < 1e-3) return Format("%.3f us", s * 1e6);
  if (s < 1) return Format("%.3f ms", s * 1e3);
  return Format("%.3f s", s);
}

std::string Share(double part, double whole) {
  return Seconds(part) + (whole > 0 ? Format("  (%.1f%%)", 100.0 * part / whole) : std::string());
}

// The split, the schedule and the bubble, then one line per pipeline stage:
// what a user compares across splits (Narayanan et al. 2021 report the
// hardware TFLOP/s, recomputation counted).
void ModelParallelRows(std::string& out, const result::ModelParallelResult& mp) {
  Row(out, "split (t x p x d)",
      std::to_string(mp.tensor()) + " x " + std::to_string(mp.pipeline()) + " x " + std::to_string(mp.data()) +
          ", " + mp.schedule() + (mp.chunks() > 1 ? " (" + std::to_string(mp.chunks()) + " chunks)" : "") +
          ", recompute " + mp.recomputation());
  Row(out, "micro-batches",
      std::to_string(mp.micro_batches()) + " of " + std::to_string(mp.micro_batch()) +
          Format(" per replica  (global batch %.0f)", mp.global_batch()));
  Row(out, "bubble", Format("%.1f%% of a step", 100.0 * mp.bubble_share()));
  Row(out, "hardware TFLOP/s", Format("%.1f per GPU (recomputation counted)", mp.hardware_tflops_per_gpu()));
  for (const auto& s : mp.stages()) {
    Row(out, ("  stage " + std::to_string(s.stage())).c_str(),
        std::to_string(s.layers()) + " layers, " + Format("%.3g parameters, ", s.parameters()) +
            std::to_string(s.peak_in_flight()) + " in flight, " + Format("%.2f GiB", s.memory().peak_gib()) +
            (s.memory().exceeded() ? "  DOES NOT FIT" : ""));
  }
}

}  // namespace

std::string SummaryTable(const result::RunResult& r) {
  std::string out = "\n" + r.scenario() + ": " + r.strategy() + " on " + std::to_string(r.workers()) + " workers\n";
  Row(out, "steps", std::to_string(r.steps()) + Format("  (%.0f samples)", r.samples()));
  Row(out, "simulated time", Seconds(r.sim_time_s()));
  Row(out, "mean step", Seconds(r.mean_step_s()));
  Row(out, "throughput", Format("%.1f samples/s", r.samples_per_s()));
  const double per_worker = r.compute_s() + r.comm_s() + r.wait_s();
  Row(out, "compute (per worker)", Share(r.compute_s(), per_worker));
  Row(out, "communicate", Share(r.comm_s(), per_worker));
  Row(out, "wait", Share(r.wait_s(), per_worker));
  if (r.has_layer_wise()) {
    const result::LayerWiseResult& l = r.layer_wise();
    Row(out, "device", l.device() + ", " + l.precision());
    Row(out, "per step: compute", Share(l.compute_s(), r.mean_step_s()));
    Row(out, "  exposed comm", Share(l.exposed_comm_s(), r.mean_step_s()));
    for (const auto& t : l.traffic()) {
      Row(out, ("    " + t.kind()).c_str(), Seconds(t.exposed_s()) + " of " + Seconds(t.comm_s()));
    }
    Row(out, "  hidden comm", Seconds(l.hidden_comm_s()));
    Row(out, "  idle", Share(l.idle_s(), r.mean_step_s()));
    Row(out, "TFLOP/s per GPU", Format("%.1f", l.tflops_per_gpu()) + Format("  (MFU %.1f%%)", 100.0 * l.mfu()));
    if (l.has_model_parallel()) ModelParallelRows(out, l.model_parallel());
    std::string parts;
    for (const auto& p : l.memory().parts()) {
      if (p.gib() > 0) parts += (parts.empty() ? "" : " + ") + p.name() + Format(" %.2f", p.gib());
    }
    Row(out, "memory per GPU", Format("%.2f GiB of ", l.memory().peak_gib()) +
                                  Format("%.0f GiB", l.memory().capacity_gib()) +
                                  (l.memory().exceeded() ? "  DOES NOT FIT (simulated anyway)" : ""));
    Row(out, "  parts (GiB)", parts);
  } else if (r.effective_scenario().workload().model().has_timing_only()) {
    Row(out, "numerics", "none (timing-only model)");
  } else {
    Row(out, "final test loss", r.has_final_loss() ? Format("%.4f", r.final_loss()) : "none (diverged)");
    Row(out, "final test accuracy", Format("%.4f", r.final_accuracy()));
    if (r.has_time_to_target_s()) {
      Row(out, "time to target", Seconds(r.time_to_target_s()) + " (step " + std::to_string(r.steps_to_target()) + ")");
    } else if (r.effective_scenario().workload().target_accuracy() > 0) {
      Row(out, "time to target", "not reached");
    }
  }
  if (r.staleness_max() > 0) {
    Row(out, "staleness mean / max", Format("%.2f", r.staleness_mean()) + " / " + std::to_string(r.staleness_max()));
  }
  if (r.diverged()) Row(out, "DIVERGED", "at step " + std::to_string(r.diverged_at_step()));
  Row(out, "network bytes", Format("%.4g", r.network_bytes()));
  Row(out, "events", Format("%.0f", r.events()));
  Row(out, "wall time", Seconds(r.wall_s()));
  return out;
}

std::string LinksTable(const result::RunResult& r) {
  std::string out = "\nbusiest links\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-28s %14s %12s %8s\n", "link", "bytes", "busy (s)", "util");
  out += line;
  for (const auto& l : r.busiest_links()) {
    std::snprintf(line, sizeof line, "  %-28s %14.6g %12.6f %7.1f%%\n", l.link().c_str(), l.bytes(), l.busy_s(),
                  100.0 * l.utilization());
    out += line;
  }
  return out;
}

std::string ResultJson(const result::RunResult& r) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(r, &json, options);
  if (!status.ok()) throw std::runtime_error("cannot encode result as JSON: " + std::string(status.message()));
  return json;
}

}  // namespace sim
