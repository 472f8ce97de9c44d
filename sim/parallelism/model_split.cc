#include "sim/parallelism/model_split.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "models/layers/tensor_parallel_layer.h"
#include "models/layers/tensor_parallelism.h"
#include "models/memory/activation_memory.h"

namespace sim::parallelism {
namespace {

// A group may end after layer i.
bool CanEnd(const std::vector<models::Layer>& layers, std::size_t i) {
  return layers[i].pipeline_cut || i + 1 == layers.size();
}

std::size_t CutPoints(const std::vector<models::Layer>& layers) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) n += CanEnd(layers, i) ? 1 : 0;
  return n;
}

models::TensorParallelism ParallelismOf(const ModelSplit& split) {
  return {.size = split.tensor, .sequence_parallel = split.sequence_parallel};
}

}  // namespace

std::vector<std::string> ModelSplitProblems(const std::vector<models::Layer>& layers, const ModelSplit& split) {
  std::vector<std::string> problems;
  if (split.tensor < 1) problems.push_back("tensor must be >= 1");
  if (split.pipeline < 1) problems.push_back("pipeline must be >= 1");
  if (split.data < 1) problems.push_back("data must be >= 1");
  if (split.micro_batch < 1) problems.push_back("micro_batch must be >= 1");
  if (split.micro_batches < 1) problems.push_back("micro-batches per step must be >= 1");
  if (split.chunks < 1) problems.push_back("chunks must be >= 1");
  if (!problems.empty()) return problems;
  if (split.chunks > 1 && split.schedule != PipelineScheduleKind::kInterleaved) {
    problems.push_back("chunks: " + std::to_string(split.chunks) +
                       " model chunks per GPU need the INTERLEAVED schedule");
  }
  if (split.schedule == PipelineScheduleKind::kInterleaved && split.micro_batches % split.pipeline != 0) {
    problems.push_back("schedule: the interleaved schedule runs micro-batches in groups of the pipeline size; " +
                       std::to_string(split.micro_batches) + " micro-batches per step is not a multiple of " +
                       std::to_string(split.pipeline));
  }
  const std::size_t groups = split.virtual_stages();
  if (!split.stage_layers.empty()) {
    if (split.stage_layers.size() != groups) {
      problems.push_back("stage_layers: " + std::to_string(split.stage_layers.size()) + " entries for " +
                         std::to_string(groups) + " virtual stages (pipeline x chunks)");
    } else {
      const std::uint64_t sum = std::accumulate(split.stage_layers.begin(), split.stage_layers.end(), std::uint64_t{0});
      if (sum != layers.size()) {
        problems.push_back("stage_layers: they add up to " + std::to_string(sum) + " layers; the model has " +
                           std::to_string(layers.size()));
      } else {
        std::size_t end = 0;
        for (std::size_t g = 0; g < groups; ++g) {
          if (split.stage_layers[g] == 0) {
            problems.push_back("stage_layers[" + std::to_string(g) + "]: a stage needs at least one layer");
            continue;
          }
          end += split.stage_layers[g];
          if (!CanEnd(layers, end - 1)) {
            problems.push_back("stage_layers[" + std::to_string(g) + "]: a stage cannot end after layer '" +
                               layers[end - 1].name + "' (the next layers need more than its output)");
          }
        }
      }
    }
  } else if (CutPoints(layers) < groups) {
    problems.push_back("pipeline: the model can be cut into at most " + std::to_string(CutPoints(layers)) +
                       " stages, not " + std::to_string(groups) + " (pipeline x chunks)");
  }
  if (split.tensor > 1 || split.sequence_parallel) {
    for (const models::Layer& layer : layers) {
      if (!layer.transformer) {
        problems.push_back("tensor: tensor parallelism splits transformer layers (Megatron-LM); layer '" + layer.name +
                           "' is not one");
        break;
      }
    }
    if (problems.empty() && !layers.empty()) {
      for (const std::string& p : models::TensorParallelismProblems(*layers.front().transformer, ParallelismOf(split))) {
        problems.push_back("tensor: " + p);
      }
    }
  }
  return problems;
}

std::vector<std::uint32_t> BalancedStageLayers(const std::vector<models::Layer>& layers, std::uint32_t groups) {
  const std::size_t n = layers.size();
  if (groups < 1 || CutPoints(layers) < groups) {
    throw std::invalid_argument("BalancedStageLayers: " + std::to_string(CutPoints(layers)) + " cut points for " +
                                std::to_string(groups) + " groups");
  }
  std::vector<double> prefix(n + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    prefix[i + 1] = prefix[i] + layers[i].forward_flops.count + layers[i].backward_flops.count;
  }
  const auto cost = [&](std::size_t begin, std::size_t end) { return prefix[end] - prefix[begin]; };
  constexpr double kNone = std::numeric_limits<double>::infinity();
  // best[g][e]: the smallest largest cost of layers [0, e) in g + 1 groups.
  std::vector<std::vector<double>> best(groups, std::vector<double>(n + 1, kNone));
  for (std::size_t e = 1; e <= n; ++e) {
    if (CanEnd(layers, e - 1)) best[0][e] = cost(0, e);
  }
  for (std::uint32_t g = 1; g < groups; ++g) {
    for (std::size_t e = 1; e <= n; ++e) {
      if (!CanEnd(layers, e - 1)) continue;
      for (std::size_t b = 1; b < e; ++b) {
        if (best[g - 1][b] == kNone) continue;
        best[g][e] = std::min(best[g][e], std::max(best[g - 1][b], cost(b, e)));
      }
    }
  }
  const double bound = best[groups - 1][n];
  // Fill from the back, each group as large as the bound allows while the
  // groups before it can still be formed: the earlier stages, which keep
  // more micro-batches in flight under 1F1B, get the smaller share.
  std::vector<std::uint32_t> sizes(groups);
  std::size_t end = n;  // invariant: best[g][end] <= bound
  for (std::uint32_t g = groups; g-- > 1;) {
    std::size_t begin = end;
    for (std::size_t b = end - 1; b >= 1 && cost(b, end) <= bound; --b) {
      if (CanEnd(layers, b - 1) && best[g - 1][b] <= bound) begin = b;
    }
    sizes[g] = static_cast<std::uint32_t>(end - begin);
    end = begin;
  }
  sizes[0] = static_cast<std::uint32_t>(end);
  return sizes;
}

std::vector<std::uint32_t> StageLayers(const std::vector<models::Layer>& layers, const ModelSplit& split) {
  return split.stage_layers.empty() ? BalancedStageLayers(layers, split.virtual_stages()) : split.stage_layers;
}

std::vector<std::vector<models::Layer>> StageShards(const std::vector<models::Layer>& layers, const ModelSplit& split) {
  std::vector<std::vector<models::Layer>> shards;
  std::size_t at = 0;
  for (std::uint32_t count : StageLayers(layers, split)) {
    std::vector<models::Layer>& shard = shards.emplace_back();
    for (std::uint32_t i = 0; i < count; ++i, ++at) {
      const models::Layer& layer = layers[at];
      shard.push_back(layer.transformer ? models::ShardTensorParallel(layer, ParallelismOf(split)) : layer);
    }
  }
  return shards;
}

std::vector<StageMemory> StageMemories(const std::vector<std::vector<models::Layer>>& shards, const ModelSplit& split,
                                       const MemoryOptions& options) {
  std::vector<StageMemory> stages;
  for (std::uint32_t s = 0; s < split.pipeline; ++s) {
    StageMemory& stage = stages.emplace_back();
    std::vector<Bytes> kept(split.chunks);  // per micro-batch in flight, by chunk
    Bytes rebuilt;
    for (std::uint32_t c = 0; c < split.chunks; ++c) {
      const std::vector<models::Layer>& shard = shards.at(c * split.pipeline + s);
      stage.parameters += models::TotalParameters(shard);
      const Bytes once = models::ActivationBytes(shard, split.micro_batch, 0, split.recomputation);
      kept[c] = models::ActivationBytes(shard, split.micro_batch, 1, split.recomputation) - once;
      rebuilt = std::max(rebuilt, once);
    }
    // Walk the schedule: a forward pass adds its chunk's activations, the
    // backward pass of the same micro-batch and chunk frees them.
    Bytes live, peak;
    std::uint32_t in_flight = 0;
    for (const PipelinePass& pass : StagePasses(split.schedule, split.pipeline, s, split.micro_batches, split.chunks)) {
      live = pass.forward ? live + kept[pass.chunk] : live - kept[pass.chunk];
      in_flight = pass.forward ? in_flight + 1 : in_flight - 1;
      if (live > peak) {
        peak = live;
        stage.peak_in_flight = in_flight;
      }
    }
    stage.breakdown = models::DeviceMemory(
        models::ModelStatesPerDevice(stage.parameters, split.data, options.zero, options.state_bytes), peak + rebuilt,
        options.communication_buffers);
  }
  return stages;
}

}  // namespace sim::parallelism
