#include "models/compute/host_calibration.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/data/batch.h"

namespace sim::models {
namespace {

// Random inputs of the model's shape: values in [0, 1), labels and targets
// for every model kind. The values do not change the work done.
Dataset CalibrationData(const Model& model, std::int64_t samples) {
  RandomStream rng = NamedStream(1, "calibration/data");
  Dataset data;
  data.name = "calibration";
  data.features.resize(samples, model.input_features());
  for (Eigen::Index i = 0; i < data.features.size(); ++i) data.features.data()[i] = static_cast<float>(rng.uniform());
  data.targets.resize(samples);
  data.classes = std::max<std::int32_t>(model.classes(), 1);
  data.labels.resize(static_cast<std::size_t>(samples));
  for (std::int64_t i = 0; i < samples; ++i) {
    data.targets[i] = static_cast<float>(rng.normal());
    data.labels[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(rng.uniform_index(
        static_cast<std::uint64_t>(data.classes)));
  }
  return data;
}

}  // namespace

FlopsPerSecond MeasureHostRate(const Model& model, std::int64_t batch, const HostRateOptions& options) {
  if (batch < 1) throw std::invalid_argument("MeasureHostRate: batch must be >= 1, got " + std::to_string(batch));
  if (options.rounds < 1) {
    throw std::invalid_argument("MeasureHostRate: rounds must be >= 1, got " + std::to_string(options.rounds));
  }
  std::unique_ptr<Model> work = model.clone();
  const Dataset data = CalibrationData(*work, batch);
  const std::vector<SampleIndex> rows = RowRange(0, batch);
  const Batch samples(data, rows);
  RandomStream init = NamedStream(1, "calibration/init");
  const Eigen::VectorXf params = work->initial_parameters(init);
  Eigen::VectorXf grad(params.size());

  // Warm-up: sizes the workspaces and brings the data into cache.
  for (int i = 0; i < 3; ++i) (void)work->loss_and_gradient(params, samples, grad);

  using Clock = std::chrono::steady_clock;
  const double flops_per_call = work->flops_per_sample().count * static_cast<double>(batch);
  std::vector<double> rates;
  for (int round = 0; round < options.rounds; ++round) {
    std::int64_t calls = 0;
    const auto start = Clock::now();
    double elapsed = 0.0;
    do {
      (void)work->loss_and_gradient(params, samples, grad);
      ++calls;
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < options.min_seconds_per_round);
    rates.push_back(flops_per_call * static_cast<double>(calls) / elapsed);
  }
  std::sort(rates.begin(), rates.end());
  return FlopsPerSecond{rates[rates.size() / 2]};
}

DeviceProfile HostProfile(FlopsPerSecond measured) { return DeviceProfile{"host", measured, 1.0, 0.0}; }

}  // namespace sim::models
