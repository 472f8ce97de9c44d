// Reader for the IDX format of LeCun, Cortes & Burges' MNIST page
// (yann.lecun.com/exdb/mnist), also used by Fashion-MNIST:
//   bytes 0-1  zero
//   byte  2    element type (0x08 = unsigned byte, the only one these sets use)
//   byte  3    number of dimensions n
//   then n big-endian uint32 sizes, then the elements in row-major order.
// So images have magic 0x00000803 (n x rows x cols), labels 0x00000801 (n).
// Files may be plain or gzip-compressed (read through zlib, which passes
// uncompressed files through unchanged).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace sim::models {

struct IdxArray {
  std::vector<std::int64_t> dims;
  std::vector<std::uint8_t> values;  // row-major, product(dims) entries
};

// Throws DataError naming the file when it cannot be opened, when its magic is
// not an unsigned-byte IDX header, or when it is shorter or longer than its
// header says.
[[nodiscard]] IdxArray ReadIdx(const std::filesystem::path& path);

}  // namespace sim::models
