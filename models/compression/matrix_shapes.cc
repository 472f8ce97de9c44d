#include "models/compression/matrix_shapes.h"

#include <algorithm>

namespace sim::models {
namespace {

std::string Describe(std::size_t index, const MatrixShape& m) {
  return "weight matrix " + std::to_string(index) + " (" + std::to_string(m.rows) + " x " + std::to_string(m.cols) +
         " at offset " + std::to_string(m.offset) + ")";
}

// Indices of the shapes sorted by offset.
std::vector<std::size_t> ByOffset(std::span<const MatrixShape> shapes) {
  std::vector<std::size_t> order(shapes.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return shapes[a].offset < shapes[b].offset || (shapes[a].offset == shapes[b].offset && a < b);
  });
  return order;
}

}  // namespace

std::vector<std::string> MatrixShapeProblems(std::span<const MatrixShape> shapes, Eigen::Index parameters) {
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const MatrixShape& m = shapes[i];
    if (m.rows < 1 || m.cols < 1) problems.push_back(Describe(i, m) + " is empty");
    if (m.offset < 0 || m.offset + std::max<Eigen::Index>(m.size(), 0) > parameters) {
      problems.push_back(Describe(i, m) + " does not fit in the " + std::to_string(parameters) + " parameters");
    }
  }
  const std::vector<std::size_t> order = ByOffset(shapes);
  for (std::size_t k = 1; k < order.size(); ++k) {
    const MatrixShape& before = shapes[order[k - 1]];
    const MatrixShape& after = shapes[order[k]];
    if (before.offset + std::max<Eigen::Index>(before.size(), 0) > after.offset) {
      problems.push_back(Describe(order[k - 1], before) + " overlaps " + Describe(order[k], after));
    }
  }
  return problems;
}

std::vector<std::pair<Eigen::Index, Eigen::Index>> RangesOutsideMatrices(std::span<const MatrixShape> shapes,
                                                                         Eigen::Index parameters) {
  std::vector<std::pair<Eigen::Index, Eigen::Index>> ranges;
  Eigen::Index next = 0;
  for (std::size_t i : ByOffset(shapes)) {
    if (shapes[i].offset > next) ranges.emplace_back(next, shapes[i].offset);
    next = std::max(next, shapes[i].offset + shapes[i].size());
  }
  if (next < parameters) ranges.emplace_back(next, parameters);
  return ranges;
}

Eigen::Index EntriesOutsideMatrices(std::span<const MatrixShape> shapes, Eigen::Index parameters) {
  Eigen::Index count = 0;
  for (const auto& [begin, end] : RangesOutsideMatrices(shapes, parameters)) count += end - begin;
  return count;
}

std::vector<MatrixShape> MlpWeightShapes(Eigen::Index inputs, const std::vector<Eigen::Index>& hidden,
                                         std::int32_t classes) {
  std::vector<MatrixShape> shapes;
  Eigen::Index in = inputs, offset = 0;
  std::vector<Eigen::Index> widths = hidden;
  widths.push_back(classes);
  for (Eigen::Index out : widths) {
    shapes.push_back({in, out, offset});
    offset += in * out + out;
    in = out;
  }
  return shapes;
}

}  // namespace sim::models
