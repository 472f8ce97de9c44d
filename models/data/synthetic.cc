#include "models/data/synthetic.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/core/random.h"

namespace sim::models {
namespace {

struct Teacher {
  Eigen::VectorXd regression;  // d
  Eigen::MatrixXd classifier;  // d x C
};

Dataset Draw(const SyntheticSpec& spec, const Teacher& teacher, std::int64_t samples, RandomStream rng,
             const std::string& name) {
  Dataset data;
  data.name = name;
  data.classes = spec.classes;
  data.features.resize(samples, spec.features);
  data.targets.resize(samples);
  data.labels.resize(static_cast<std::size_t>(samples));
  Eigen::VectorXd x(spec.features);
  Eigen::RowVectorXd logits(spec.classes);
  for (std::int64_t i = 0; i < samples; ++i) {
    for (std::int64_t j = 0; j < spec.features; ++j) x[j] = rng.normal();
    data.features.row(i) = x.transpose().cast<float>();
    data.targets[i] = static_cast<float>(teacher.regression.dot(x) + spec.noise * rng.normal());
    logits.noalias() = x.transpose() * teacher.classifier;
    for (std::int32_t c = 0; c < spec.classes; ++c) logits[c] += spec.noise * rng.normal();
    Eigen::Index label = 0;
    logits.maxCoeff(&label);
    data.labels[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(label);
  }
  return data;
}

}  // namespace

TrainTest MakeSyntheticData(const SyntheticSpec& spec, std::uint64_t seed) {
  if (spec.train_samples < 1 || spec.test_samples < 1 || spec.features < 1) {
    throw std::invalid_argument("synthetic data: train_samples, test_samples and features must be >= 1, got " +
                                std::to_string(spec.train_samples) + ", " + std::to_string(spec.test_samples) +
                                ", " + std::to_string(spec.features));
  }
  if (spec.classes < 2) {
    throw std::invalid_argument("synthetic data: classes must be >= 2, got " + std::to_string(spec.classes));
  }
  if (!(spec.noise >= 0.0) || !std::isfinite(spec.noise)) {
    throw std::invalid_argument("synthetic data: noise must be a finite value >= 0, got " + std::to_string(spec.noise));
  }
  RandomStream rng = NamedStream(seed, "data/synthetic/teacher");
  const double scale = 1.0 / std::sqrt(static_cast<double>(spec.features));
  Teacher teacher{Eigen::VectorXd(spec.features), Eigen::MatrixXd(spec.features, spec.classes)};
  for (std::int64_t j = 0; j < spec.features; ++j) teacher.regression[j] = scale * rng.normal();
  for (std::int64_t j = 0; j < spec.features; ++j) {
    for (std::int32_t c = 0; c < spec.classes; ++c) teacher.classifier(j, c) = scale * rng.normal();
  }
  TrainTest sets;
  sets.train = Draw(spec, teacher, spec.train_samples, NamedStream(seed, "data/synthetic/train"), "synthetic/train");
  sets.test = Draw(spec, teacher, spec.test_samples, NamedStream(seed, "data/synthetic/test"), "synthetic/test");
  return sets;
}

}  // namespace sim::models
