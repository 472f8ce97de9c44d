#include "models/layers/layer_profiles.h"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "models/layers/inception_v3.h"
#include "models/layers/resnet.h"
#include "models/layers/transformer.h"
#include "models/layers/vgg.h"

namespace sim::models {
namespace {

struct Entry {
  std::string_view name;
  std::string_view source;
  std::function<std::vector<Layer>(DataType)> make;
};

// BERT-large (Devlin et al. 2019, §3: L = 24, H = 1024, A = 16, "340M"
// parameters). Vocabulary 30,522 and 512 learned positions, 2 token types,
// a layer norm after the embeddings (post-norm: none before the logits): the
// released bert-large-uncased configuration. Sequences of 512 tokens, the
// longest of its pre-training (Devlin et al., Appendix A.2). Counted: embeddings and the 24 layers,
// 334,092,288 parameters; not the pooler (h² + h) nor the pre-training heads.
TransformerShape BertLarge() {
  return {.layers = 24,
          .hidden = 1024,
          .heads = 16,
          .sequence = 512,
          .vocabulary = 30'522,
          .learned_positions = 512,
          .token_types = 2,
          .embedding_norm = true,
          .final_norm = false};
}

// GPT-2 XL (Radford et al. 2019, Table 2: 48 layers, d_model 1600, "1542M"
// parameters). 25 heads, vocabulary 50,257 and 1,024 positions: the released
// checkpoint's configuration, whose 1,557,611,200 parameters this counts
// (12·l·h² + 13·l·h + (V + 1024)·h + 2h).
TransformerShape Gpt2Xl() {
  return {.layers = 48, .hidden = 1600, .heads = 25, .sequence = 1024, .vocabulary = 50'257, .learned_positions = 1024};
}

// GPT-3 175B (Brown et al. 2020, Table 2.1: n_layers 96, d_model 12288,
// n_heads 96, context 2048). Vocabulary 51,200, as Narayanan et al. 2021
// (Table 1) train it: 174.6e9 parameters by their eq. 2, plus 2h.
TransformerShape Gpt3() {
  return {
      .layers = 96, .hidden = 12'288, .heads = 96, .sequence = 2048, .vocabulary = 51'200, .learned_positions = 2048};
}

// LLaMA 2 (Touvron et al. 2023, "Llama 2", Table 1: context 4096, grouped-query
// attention for 70B; the architecture of LLaMA 1, Touvron et al. 2023 §2.2:
// pre-norm RMSNorm, SwiGLU, rotary positions, no biases, no dropout; output
// not tied). Sizes from the released configurations: 7B 32 layers, 4096
// hidden, 32 heads, FFN 11,008; 70B 80 layers, 8192 hidden, 64 heads, 8
// key-value heads, FFN 28,672; vocabulary 32,000. 6,738,415,616 and
// 68,976,648,192 parameters ("6.7B" and "69B").
TransformerShape Llama2(std::int64_t layers, std::int64_t hidden, std::int64_t heads, std::int64_t kv_heads,
                        std::int64_t ffn) {
  return {.layers = layers,
          .hidden = hidden,
          .heads = heads,
          .kv_heads = kv_heads,
          .sequence = 4096,
          .vocabulary = 32'000,
          .ffn = ffn,
          .feed_forward = FeedForward::kSwiGlu,
          .normalization = Normalization::kRmsNorm,
          .biases = false,
          .dropout = false,
          .tied_output = false};
}

const std::vector<Entry>& Entries() {
  // Stateless: every call builds its layers anew.
  static const std::vector<Entry> entries = {
      {"bert_large", "Devlin et al. 2019 (BERT-large); released bert-large-uncased configuration; s = 512",
       [](DataType type) { return MakeTransformer(BertLarge(), type); }},
      {"gpt2_xl", "Radford et al. 2019 (GPT-2 XL, 1.5B); released checkpoint configuration; s = 1024",
       [](DataType type) { return MakeTransformer(Gpt2Xl(), type); }},
      {"gpt3_175b", "Brown et al. 2020 (GPT-3 175B, Table 2.1); V = 51,200 as Narayanan et al. 2021; s = 2048",
       [](DataType type) { return MakeTransformer(Gpt3(), type); }},
      {"inception_v3", "Szegedy et al. 2016 (Inception V3), torchvision's model with the auxiliary classifier; 299x299",
       [](DataType type) { return MakeInceptionV3(type); }},
      {"llama2_70b", "Touvron et al. 2023 (Llama 2 70B, grouped-query attention, 8 kv heads); s = 4096",
       [](DataType type) { return MakeTransformer(Llama2(80, 8192, 64, 8, 28'672), type); }},
      {"llama2_7b", "Touvron et al. 2023 (Llama 2 7B); s = 4096",
       [](DataType type) { return MakeTransformer(Llama2(32, 4096, 32, 0, 11'008), type); }},
      {"resnet101", "He et al. 2016 (ResNet-101), torchvision's model (v1.5); 224x224",
       [](DataType type) { return MakeResNet101(type); }},
      {"resnet50", "He et al. 2016 (ResNet-50), torchvision's model (v1.5); 224x224",
       [](DataType type) { return MakeResNet50(type); }},
      {"vgg16", "Simonyan & Zisserman 2015 (VGG-16, configuration D), torchvision's model; 224x224",
       [](DataType type) { return MakeVgg16(type); }},
  };
  return entries;
}

}  // namespace

std::vector<std::string> LayerProfileNames() {
  std::vector<std::string> names;
  for (const auto& entry : Entries()) names.emplace_back(entry.name);
  std::sort(names.begin(), names.end());
  return names;
}

LayerProfile MakeLayerProfile(std::string_view name, DataType activation_type) {
  for (const auto& entry : Entries()) {
    if (entry.name == name) return {std::string(entry.name), entry.make(activation_type), std::string(entry.source)};
  }
  std::string known;
  for (const auto& known_name : LayerProfileNames()) known += (known.empty() ? "" : ", ") + known_name;
  throw std::invalid_argument("unknown layer profile '" + std::string(name) + "' (known: " + known + ")");
}

}  // namespace sim::models
