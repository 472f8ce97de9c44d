// What the simulator costs on top of the numerics it runs, and what memory an
// async run with many workers holds.
//
//   build/bench_training --benchmark_counters_tabular=true
//
// BM_PlainTraining: single-process SGD of an MLP (784-256-10) on
// Fashion-MNIST, `steps` updates of batch 8 x 32, nothing else: the floor.
// BM_SimulatedSync8: the same samples trained by a simulated 8-worker
// synchronous ring all-reduce run (8 gradients of batch 32 per step, the
// network, the engine, the bookkeeping). Issue 6's target: at most 1.3x the
// floor. Both share one loaded data set, loaded outside the timing.
//
// BM_AsyncMemory/256: async parameter server with 256 workers on the same
// MLP; reports the process's peak resident memory, and what one copy of the
// parameters weighs, so that the peak can be read as (data set + k copies):
// k near the gradients in flight plus the versions actually held, not
// 256 x (replica + gradient + optimizer state).
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <memory>

#include "models/data/global_batch_sampler.h"
#include "models/data/load_dataset.h"
#include "models/nn/make_model.h"
#include "sim/run/training_run.h"
#include "sim/scenario/run_plan.h"

namespace {

constexpr int kSteps = 100;
constexpr int kWorkers = 8;

sim::scenario::RunPlan MlpPlan(std::uint32_t workers, const std::string& kind, int steps) {
  return sim::scenario::PlanFromText(R"(
    cluster { device_profile { peak_tflops: 15.7 efficiency: 0.3 } }
    workload { model { mlp { hidden: 256 } } dataset { fashion_mnist {} } batch_size: 32 eval_samples: 1000
               optimizer { learning_rate: 0.05 momentum: 0.9 } }
  )",
                                     {"cluster.workers=" + std::to_string(workers), "strategy.kind=" + kind,
                                      "workload.steps=" + std::to_string(steps),
                                      "workload.eval_every_steps=" + std::to_string(steps)},
                                     "bench");
}

std::shared_ptr<const sim::models::TrainTest> FashionMnist() {
  static auto data = std::make_shared<const sim::models::TrainTest>(
      sim::models::LoadDataset(*MlpPlan(1, "SYNC_ALLREDUCE", 1).workload.dataset, 1));
  return data;
}

void BM_PlainTraining(benchmark::State& state) {
  const auto plan = MlpPlan(kWorkers, "SYNC_ALLREDUCE", kSteps);
  const auto data = FashionMnist();
  for (auto _ : state) {
    auto model = sim::models::MakeModel(*plan.workload.model, data->train.feature_count(), data->train.classes);
    Eigen::VectorXf params = sim::models::InitialParameters(*model, plan.seed);
    auto shards = sim::models::ShardTrainingSet(plan.workload.sharding, data->train, kWorkers, plan.seed);
    auto sampler = sim::models::MakeGlobalBatchSampler(shards, 32, plan.seed);
    sim::models::OptimizerOptions options = plan.workload.optimizer;
    sim::models::ScheduleOf(options).total_steps = kSteps;
    const auto optimizer = sim::models::MakeOptimizer(options);
    Eigen::VectorXf grad;
    for (int t = 0; t < kSteps; ++t) {
      model->loss_and_gradient(params, sim::models::Batch(data->train, sampler.next()), grad);
      optimizer->apply(params, grad);
    }
    benchmark::DoNotOptimize(model->evaluate(params, data->test, 1000).loss);
  }
  state.SetItemsProcessed(state.iterations() * kSteps * 32 * kWorkers);
}
BENCHMARK(BM_PlainTraining)->Unit(benchmark::kMillisecond);

void BM_SimulatedSync8(benchmark::State& state) {
  const auto plan = MlpPlan(kWorkers, "SYNC_ALLREDUCE", kSteps);
  sim::TrainingRunOptions options;
  options.data = FashionMnist();
  for (auto _ : state) {
    auto out = sim::RunTraining(plan, options);
    benchmark::DoNotOptimize(out.result.final_loss());
  }
  state.SetItemsProcessed(state.iterations() * kSteps * 32 * kWorkers);
}
BENCHMARK(BM_SimulatedSync8)->Unit(benchmark::kMillisecond);

void BM_AsyncMemory(benchmark::State& state) {
  const auto workers = static_cast<std::uint32_t>(state.range(0));
  const auto plan = MlpPlan(workers, "ASYNC_PS", 4 * static_cast<int>(workers));
  sim::TrainingRunOptions options;
  options.data = FashionMnist();
  double staleness = 0;
  for (auto _ : state) {
    auto out = sim::RunTraining(plan, options);
    staleness = out.result.staleness_mean();
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double model_mb = 4.0 * (784 * 256 + 256 + 256 * 10 + 10) / 1e6;
  const double data_mb = 4.0 * (70'000.0 * 784) / 1e6;
  state.counters["peak_rss_MB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
  state.counters["dataset_MB"] = data_mb;
  state.counters["one_copy_MB"] = model_mb;
  state.counters["copies_above_data"] = (static_cast<double>(usage.ru_maxrss) / 1024.0 - data_mb) / model_mb;
  state.counters["staleness_mean"] = staleness;
}
BENCHMARK(BM_AsyncMemory)->Arg(256)->Iterations(1)->Unit(benchmark::kMillisecond);

// Issue 14's speed check: 100 steps of ResNet-50, data parallel on 512 GPUs
// of the library's 1,024-host fat-tree, with 25 MiB buckets overlapped with
// backward (Arg 1) and with one all-reduce after backward (Arg 0). Target:
// the bucketed run within 2x of the other's wall time.
void BM_ResNet50DataParallel512(benchmark::State& state) {
  const bool buckets = state.range(0) != 0;
  const auto plan = sim::scenario::PlanFromText(R"(
    cluster { workers: 512 device: "v100_16gb" roofline { compute: 0.5 memory: 0.8 }
              topology { library: "fat_tree_1024" } }
    workload { model { timing_only { profile: "resnet50" } } batch_size: 64 steps: 100 precision: FP16 }
    strategy { kind: SYNC_ALLREDUCE allreduce: RING data_parallel { bucket_mb: 25 } }
  )",
                                                {std::string("strategy.data_parallel.overlap=") + (buckets ? "true" : "false")},
                                                "bench");
  double step_s = 0, shortcut = 0;
  for (auto _ : state) {
    const auto out = sim::RunTraining(plan);
    step_s = out.result.mean_step_s();
    shortcut = out.result.layer_wise().collectives_shortcut();
  }
  state.counters["step_ms"] = step_s * 1e3;
  state.counters["collectives_shortcut"] = shortcut;
}
BENCHMARK(BM_ResNet50DataParallel512)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// Issue 15's speed and memory check: 10 steps of GPT-3 175B on 1,024 A100s
// of DGX A100 nodes on a rail-optimised fat-tree, tensor 8 x pipeline 16 x
// data 8, 1F1B, micro-batch 1, global batch 1,536 (Narayanan et al. 2021's
// setting; scenarios/gpt3_3d_split.pbtxt). Targets: under 10 s of wall time
// and 2 GB of memory. Arg 0: steady steps repeated once they are shown
// periodic (taskgraph/periodic_steps.h); Arg 1: every step simulated event by
// event, the same results. peak_rss_MB is the process's peak so far: run
// one argument alone (--benchmark_filter=BM_Gpt3_1024/0) to read its own.
void BM_Gpt3_1024(benchmark::State& state) {
  const auto plan = sim::scenario::PlanFromText(R"(
    cluster { workers: 1024 device: "a100_80gb" roofline { compute: 0.5 memory: 0.8 }
              topology { library: "dgx_a100_rail_fat_tree" } }
    workload { model { timing_only { profile: "gpt3_175b" } } batch_size: 1 steps: 10 precision: BF16 }
    strategy { kind: SYNC_ALLREDUCE
               model_parallel { tensor: 8 pipeline: 16 schedule: ONE_F_ONE_B micro_batch: 1 global_batch: 1536
                                recomputation: FULL } }
  )",
                                                {}, "bench");
  sim::TrainingRunOptions options;
  options.every_step = state.range(0) != 0;
  double step_s = 0, events = 0, simulated = 0;
  for (auto _ : state) {
    const auto out = sim::RunTraining(plan, options);
    step_s = out.result.mean_step_s();
    events = out.result.events();
    simulated = out.result.layer_wise().steps_simulated();
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["step_s"] = step_s;
  state.counters["events"] = events;
  state.counters["steps_simulated"] = simulated;
  state.counters["peak_rss_MB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
}
BENCHMARK(BM_Gpt3_1024)->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
