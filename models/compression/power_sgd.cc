#include "models/compression/power_sgd.h"

#include <stdexcept>

namespace sim::models {

void OrthonormaliseColumns(Eigen::MatrixXf& m) {
  for (Eigen::Index i = 0; i < m.cols(); ++i) {
    for (Eigen::Index j = 0; j < i; ++j) m.col(i) -= m.col(j).dot(m.col(i)) * m.col(j);
    const float norm = m.col(i).norm();
    if (norm > 0.0f) m.col(i) /= norm;
  }
}

PowerSgd::PowerSgd(const CompressionOptions& options, Eigen::Index parameters, std::vector<MatrixShape> shapes,
                   std::uint32_t workers, RandomStream init)
    : options_(RequireScheme(options, CompressionScheme::kPowerSgd)),
      parameters_(parameters),
      shapes_(std::move(shapes)),
      workers_(workers) {
  CheckCompressionOptions(options_, parameters_, shapes_);
  if (workers_ == 0) throw std::invalid_argument("power_sgd: needs at least one worker");
  cost_ = {EncodedSize(options_, parameters_, shapes_), WorkOf(options_, parameters_, shapes_)};
  outside_ = RangesOutsideMatrices(shapes_, parameters_);
  const auto rank = static_cast<Eigen::Index>(options_.rank);
  for (const MatrixShape& m : shapes_) {
    Eigen::MatrixXf q(m.cols, rank);
    for (Eigen::Index c = 0; c < rank; ++c) {
      for (Eigen::Index r = 0; r < m.cols; ++r) q(r, c) = static_cast<float>(init.normal());
    }
    q_.push_back(std::move(q));
  }
  residuals_.assign(workers_, Eigen::VectorXf::Zero(parameters_));
  corrected_.resize(workers_);
}

void PowerSgd::reset() noexcept {
  for (auto& e : residuals_) e.setZero();
}

CompressedGradient PowerSgd::reduce(std::span<const Eigen::VectorXf* const> gradients, Eigen::VectorXf& applied) {
  if (gradients.size() != workers_) {
    throw std::invalid_argument("power_sgd: " + std::to_string(gradients.size()) + " gradients for " +
                                std::to_string(workers_) + " workers");
  }
  for (const Eigen::VectorXf* g : gradients) {
    if (g == &applied) throw std::invalid_argument("power_sgd: applied must be another vector than the gradients");
    if (g->size() != parameters_) {
      throw std::invalid_argument("power_sgd: gradient has " + std::to_string(g->size()) + " entries, the model " +
                                  std::to_string(parameters_));
    }
  }
  const float inverse_workers = 1.0f / static_cast<float>(workers_);
  for (std::uint32_t w = 0; w < workers_; ++w) {
    corrected_[w] = *gradients[w];
    if (options_.error_feedback) corrected_[w] += residuals_[w];
  }
  applied.resize(parameters_);
  // Outside the matrices: the plain mean, summed in rank order.
  for (const auto& [begin, end] : outside_) {
    auto out = applied.segment(begin, end - begin);
    out = gradients[0]->segment(begin, end - begin);
    for (std::uint32_t w = 1; w < workers_; ++w) out += gradients[w]->segment(begin, end - begin);
    out *= inverse_workers;
  }
  for (std::size_t j = 0; j < shapes_.size(); ++j) {
    const MatrixShape& s = shapes_[j];
    const auto matrix = [&](std::uint32_t w) {
      return Eigen::Map<const Eigen::MatrixXf>(corrected_[w].data() + s.offset, s.rows, s.cols);
    };
    Eigen::MatrixXf& q = q_[j];
    warm_start_ = q;
    for (std::uint32_t it = 0; it < options_.power_iterations; ++it) {
      p_.noalias() = matrix(0) * q;
      for (std::uint32_t w = 1; w < workers_; ++w) p_.noalias() += matrix(w) * q;
      OrthonormaliseColumns(p_);
      q.noalias() = matrix(0).transpose() * p_;
      for (std::uint32_t w = 1; w < workers_; ++w) q.noalias() += matrix(w).transpose() * p_;
      q *= inverse_workers;
    }
    Eigen::Map<Eigen::MatrixXf> out(applied.data() + s.offset, s.rows, s.cols);
    out.noalias() = p_ * q.transpose();
    // A column of Q that came out 0 (the matrix was 0 along it, e.g. a zero
    // gradient) would keep P = M Q at 0 from then on: the next step starts
    // from the previous column instead.
    for (Eigen::Index c = 0; c < q.cols(); ++c) {
      if (q.col(c).squaredNorm() == 0.0f) q.col(c) = warm_start_.col(c);
    }
    if (options_.error_feedback) {
      for (std::uint32_t w = 0; w < workers_; ++w) {
        Eigen::Map<Eigen::MatrixXf>(residuals_[w].data() + s.offset, s.rows, s.cols) = matrix(w) - out;
      }
    }
  }
  return cost_;
}

}  // namespace sim::models
