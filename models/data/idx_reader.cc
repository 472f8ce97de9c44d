#include "models/data/idx_reader.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>

#include "models/data/data_error.h"

namespace sim::models {
namespace {

struct GzCloser {
  void operator()(gzFile file) const noexcept { gzclose(file); }
};
using GzHandle = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

// Reads exactly `size` bytes or reports how many there were.
std::size_t ReadUpTo(gzFile file, std::uint8_t* out, std::size_t size, const std::string& name) {
  std::size_t done = 0;
  while (done < size) {
    // gzread takes an unsigned int count: read in chunks below 2^30.
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(size - done, 1U << 30));
    const int got = gzread(file, out + done, chunk);
    if (got < 0) {
      int code = 0;
      const char* message = gzerror(file, &code);
      if (code == Z_BUF_ERROR) {
        throw DataError("IDX file " + name + ": truncated: the compressed stream ends early");
      }
      throw DataError("IDX file " + name + ": read error: " + (message ? message : "unknown"));
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

// The bounds of one read of the data (the training images are 47 MB).
constexpr std::size_t kFirstReadBytes = std::size_t{64} << 10;
constexpr std::size_t kLargestReadBytes = std::size_t{16} << 20;

std::string Hex(std::uint32_t value) {
  std::array<char, 16> text{};
  std::snprintf(text.data(), text.size(), "0x%08x", value);
  return text.data();
}

}  // namespace

IdxArray ReadIdx(const std::filesystem::path& path) {
  const std::string name = path.string();
  GzHandle file(gzopen(name.c_str(), "rb"));
  if (!file) throw DataError("IDX file " + name + ": cannot open");
  gzbuffer(file.get(), 1U << 20);

  std::array<std::uint8_t, 4> magic{};
  if (ReadUpTo(file.get(), magic.data(), magic.size(), name) != magic.size()) {
    throw DataError("IDX file " + name + ": truncated: shorter than the 4-byte magic number");
  }
  const std::uint32_t magic_value = (std::uint32_t{magic[0]} << 24) | (std::uint32_t{magic[1]} << 16) |
                                    (std::uint32_t{magic[2]} << 8) | std::uint32_t{magic[3]};
  const int rank = magic[3];
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || rank < 1) {
    throw DataError("IDX file " + name + ": bad magic number " + Hex(magic_value) +
                    ", expected 0x000008NN (unsigned bytes, NN >= 1 dimensions; 0x00000803 images, "
                    "0x00000801 labels)");
  }

  IdxArray array;
  std::int64_t total = 1;
  for (int d = 0; d < rank; ++d) {
    std::array<std::uint8_t, 4> size{};
    if (ReadUpTo(file.get(), size.data(), size.size(), name) != size.size()) {
      throw DataError("IDX file " + name + ": truncated inside the header (dimension " + std::to_string(d) + " of " +
                      std::to_string(rank) + ")");
    }
    const std::int64_t extent = (std::int64_t{size[0]} << 24) | (std::int64_t{size[1]} << 16) |
                                (std::int64_t{size[2]} << 8) | std::int64_t{size[3]};
    array.dims.push_back(extent);
    if (extent > 0 && total > std::numeric_limits<std::int64_t>::max() / extent) {
      throw DataError("IDX file " + name + ": dimensions overflow");
    }
    total *= extent;
  }

  // Grow with the data actually read, never by what the header claims: a
  // corrupt or hostile header saying 4 GiB (fuzz corpus idx/claims_4gib)
  // must end in "truncated", not in allocating 4 GiB first.
  // Each read asks for as much as was read so far (at least 64 KiB, at most
  // 16 MiB), so memory stays within twice the data actually present.
  const auto expected = static_cast<std::size_t>(total);
  std::size_t got = 0;
  while (got < expected) {
    const std::size_t chunk =
        std::min(expected - got, std::clamp(got, kFirstReadBytes, kLargestReadBytes));
    array.values.resize(got + chunk);
    const std::size_t read = ReadUpTo(file.get(), array.values.data() + got, chunk, name);
    got += read;
    if (read < chunk) break;
  }
  array.values.resize(got);
  if (got != expected) {
    std::string shape;
    for (std::size_t d = 0; d < array.dims.size(); ++d) {
      if (d > 0) shape.push_back('x');
      shape.append(std::to_string(array.dims[d]));
    }
    throw DataError("IDX file " + name + ": truncated: header says " + shape + " = " + std::to_string(total) +
                    " bytes of data, found " + std::to_string(got));
  }
  std::uint8_t extra = 0;
  if (ReadUpTo(file.get(), &extra, 1, name) != 0) {
    throw DataError("IDX file " + name + ": longer than its header says (" + std::to_string(total) +
                    " bytes of data expected)");
  }
  return array;
}

}  // namespace sim::models
