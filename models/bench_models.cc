// Speed of the numerics every simulated worker runs: loss_and_gradient of
// softmax regression and of an MLP with one hidden layer of 256, on inputs
// the size of Fashion-MNIST (784 features, 10 classes), batches of 32 and 128.
// items_per_second is samples/s; "FLOP/s" is that times the model's own
// flops_per_sample() formula.
#include <benchmark/benchmark.h>

#include <memory>

#include "models/data/batch.h"
#include "models/nn/mlp.h"

namespace {

using sim::models::Batch;
using sim::models::Dataset;
using sim::models::Model;

constexpr Eigen::Index kFeatures = 784;
constexpr std::int32_t kClasses = 10;

Dataset RandomImages(std::int64_t samples) {
  sim::RandomStream rng = sim::NamedStream(1, "bench/data");
  Dataset data;
  data.name = "random_784";
  data.classes = kClasses;
  data.features.resize(samples, kFeatures);
  for (Eigen::Index i = 0; i < data.features.size(); ++i) data.features.data()[i] = static_cast<float>(rng.uniform());
  data.labels.resize(static_cast<std::size_t>(samples));
  for (auto& y : data.labels) y = static_cast<std::int32_t>(rng.uniform_index(kClasses));
  return data;
}

void RunGradient(benchmark::State& state, std::unique_ptr<Model> model) {
  const std::int64_t batch = state.range(0);
  const Dataset data = RandomImages(4096);
  sim::RandomStream init = sim::NamedStream(1, "bench/init");
  const Eigen::VectorXf params = model->initial_parameters(init);
  Eigen::VectorXf grad(params.size());
  // Batches walk through the data set so that the input is not always hot.
  std::vector<std::vector<sim::models::SampleIndex>> batches;
  for (std::int64_t start = 0; start + batch <= data.samples(); start += batch) {
    batches.push_back(sim::models::RowRange(start, batch));
  }
  std::size_t next = 0;
  for (auto _ : state) {
    const Batch b(data, batches[next]);
    benchmark::DoNotOptimize(model->loss_and_gradient(params, b, grad));
    benchmark::ClobberMemory();
    next = (next + 1) % batches.size();
  }
  const double samples = static_cast<double>(state.iterations()) * static_cast<double>(batch);
  state.SetItemsProcessed(static_cast<std::int64_t>(samples));
  state.counters["FLOP/s"] =
      benchmark::Counter(samples * model->flops_per_sample().count, benchmark::Counter::kIsRate);
}

void BM_SoftmaxGradient(benchmark::State& state) {
  RunGradient(state, std::make_unique<sim::models::SoftmaxRegression>(kFeatures, kClasses));
}
void BM_Mlp256Gradient(benchmark::State& state) {
  RunGradient(state, std::make_unique<sim::models::Mlp>(kFeatures, std::vector<Eigen::Index>{256}, kClasses));
}

BENCHMARK(BM_SoftmaxGradient)->Arg(32)->Arg(128);
BENCHMARK(BM_Mlp256Gradient)->Arg(32)->Arg(128);

}  // namespace

BENCHMARK_MAIN();
