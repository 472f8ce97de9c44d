// The IDX reader on small files written here, in the layout of LeCun, Cortes
// & Burges' MNIST page: magic 0x00000803 (images) / 0x00000801 (labels), then
// big-endian uint32 dimensions, then unsigned bytes. Also the Fashion-MNIST
// loader on a miniature folder of such files, and its error messages.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/data/data_error.h"
#include "models/data/fashion_mnist.h"
#include "models/data/idx_reader.h"

namespace sim::models {
namespace {

namespace fs = std::filesystem;

using Bytes = std::vector<std::uint8_t>;

Bytes IdxBytes(std::uint8_t rank, const std::vector<std::uint32_t>& dims, const Bytes& values) {
  Bytes out = {0, 0, 0x08, rank};
  for (std::uint32_t d : dims) {
    out.push_back(static_cast<std::uint8_t>(d >> 24));
    out.push_back(static_cast<std::uint8_t>(d >> 16));
    out.push_back(static_cast<std::uint8_t>(d >> 8));
    out.push_back(static_cast<std::uint8_t>(d));
  }
  out.insert(out.end(), values.begin(), values.end());
  return out;
}

// A folder of this test's own: ctest runs the tests of this file as
// separate processes at once, and a shared folder let one test delete the
// files another was reading (seen once in CI).
// Removed when the test program exits.
struct ScratchFolders {
  std::vector<fs::path> made;
  ~ScratchFolders() {
    std::error_code ignored;
    for (const auto& dir : made) fs::remove_all(dir, ignored);
  }
};
ScratchFolders scratch_folders;

fs::path Scratch(const std::string& name) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::path(testing::TempDir()) / ("sim_models_idx_test_" + std::to_string(::getpid()) + "_" +
                                                       test->test_suite_name() + "." + test->name());
  if (fs::create_directories(dir)) scratch_folders.made.push_back(dir);
  return dir / name;
}

void WritePlain(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void WriteGzip(const fs::path& path, const Bytes& bytes) {
  gzFile file = gzopen(path.string().c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(file);
}

std::string ErrorOf(const fs::path& path) {
  try {
    (void)ReadIdx(path);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

// 3 images of 2 x 2: values 0..11 in row-major order.
const Bytes kImageValues = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255};

TEST(IdxReader, ReadsPlainImages) {
  const fs::path path = Scratch("images-idx3-ubyte");
  WritePlain(path, IdxBytes(3, {3, 2, 2}, kImageValues));
  const IdxArray array = ReadIdx(path);
  EXPECT_EQ(array.dims, (std::vector<std::int64_t>{3, 2, 2}));
  EXPECT_EQ(array.values, kImageValues);
}

TEST(IdxReader, ReadsGzippedLabelsWithLargeDimension) {
  // 300 labels: the size 0x0000012C exercises the big-endian byte order.
  Bytes labels(300);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::uint8_t>(i % 10);
  const fs::path path = Scratch("labels-idx1-ubyte.gz");
  WriteGzip(path, IdxBytes(1, {300}, labels));
  const IdxArray array = ReadIdx(path);
  EXPECT_EQ(array.dims, (std::vector<std::int64_t>{300}));
  EXPECT_EQ(array.values, labels);
}

TEST(IdxReader, RejectsBadMagic) {
  Bytes bytes = IdxBytes(1, {3}, {1, 2, 3});
  bytes[2] = 0x0D;  // type 0x0D = float, not unsigned byte
  const fs::path path = Scratch("bad-magic");
  WritePlain(path, bytes);
  const std::string error = ErrorOf(path);
  EXPECT_NE(error.find("bad magic number 0x00000d01"), std::string::npos) << error;
  EXPECT_NE(error.find(path.string()), std::string::npos) << error;
}

TEST(IdxReader, RejectsTruncatedData) {
  // Header says 3 x 2 x 2 = 12 bytes; only 10 follow.
  Bytes bytes = IdxBytes(3, {3, 2, 2}, kImageValues);
  bytes.resize(bytes.size() - 2);
  const fs::path plain = Scratch("truncated");
  WritePlain(plain, bytes);
  const std::string error = ErrorOf(plain);
  EXPECT_NE(error.find("truncated: header says 3x2x2 = 12 bytes of data, found 10"), std::string::npos) << error;
  // Cut inside the header.
  WritePlain(plain, Bytes{0, 0, 8, 3, 0, 0});
  EXPECT_NE(ErrorOf(plain).find("truncated inside the header"), std::string::npos);
}

// Found by fuzzing (tests/fuzz/corpus/idx/claims_4gib): a header claiming
// 2^28 x 16 = 4 GiB of data over a 1-byte body used to allocate the 4 GiB
// before finding the file short. The data is now read as it comes; the
// error is the same "truncated" (the fuzz build's memory limit is what
// would catch the allocation coming back).
TEST(IdxReader, AHeaderClaimingGigabytesOverATinyBodyIsTruncated) {
  const fs::path path = Scratch("claims-4gib");
  WritePlain(path, Bytes{0, 0, 8, 2, 0x10, 0, 0, 0, 0, 0, 0, 0x10, 1});
  const std::string error = ErrorOf(path);
  EXPECT_NE(error.find("truncated: header says 268435456x16 = 4294967296 bytes of data, found 1"), std::string::npos)
      << error;
}

TEST(IdxReader, RejectsTruncatedGzipStream) {
  // A valid gzip file cut in half: the compressed stream ends early.
  Bytes big(5'000);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>((i * 7919) % 251);
  const fs::path whole = Scratch("whole.gz");
  WriteGzip(whole, IdxBytes(1, {5'000}, big));
  std::ifstream in(whole, std::ios::binary);
  Bytes compressed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  compressed.resize(compressed.size() / 2);
  const fs::path cut = Scratch("cut.gz");
  WritePlain(cut, compressed);
  EXPECT_NE(ErrorOf(cut).find("truncated"), std::string::npos) << ErrorOf(cut);
}

TEST(IdxReader, RejectsTrailingBytesAndMissingFiles) {
  Bytes bytes = IdxBytes(1, {3}, {1, 2, 3});
  bytes.push_back(9);
  const fs::path path = Scratch("long");
  WritePlain(path, bytes);
  EXPECT_NE(ErrorOf(path).find("longer than its header says"), std::string::npos);
  EXPECT_NE(ErrorOf(Scratch("does-not-exist")).find("cannot open"), std::string::npos);
}

// A miniature Fashion-MNIST folder: 4 training and 2 test images of 2 x 2.
fs::path MiniFashionFolder(bool gzipped) {
  const fs::path dir = Scratch(gzipped ? "mini_fashion_gz" : "mini_fashion");
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto write = [&](const std::string& stem, const Bytes& bytes) {
    if (gzipped) {
      WriteGzip(dir / (stem + ".gz"), bytes);
    } else {
      WritePlain(dir / stem, bytes);
    }
  };
  write("train-images-idx3-ubyte", IdxBytes(3, {4, 2, 2}, {0, 51, 102, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  write("train-labels-idx1-ubyte", IdxBytes(1, {4}, {9, 0, 3, 3}));
  write("t10k-images-idx3-ubyte", IdxBytes(3, {2, 2, 2}, {255, 255, 0, 0, 1, 1, 1, 1}));
  write("t10k-labels-idx1-ubyte", IdxBytes(1, {2}, {1, 2}));
  return dir;
}

TEST(FashionMnistLoader, ScalesPixelsAndKeepsLabels) {
  for (bool gzipped : {false, true}) {
    const TrainTest sets = LoadFashionMnist(MiniFashionFolder(gzipped));
    ASSERT_EQ(sets.train.samples(), 4);
    ASSERT_EQ(sets.train.feature_count(), 4);
    EXPECT_EQ(sets.train.classes, 10);
    // 51 / 255 = 0.2, 102 / 255 = 0.4.
    EXPECT_FLOAT_EQ(sets.train.features(0, 1), 0.2f);
    EXPECT_FLOAT_EQ(sets.train.features(0, 2), 0.4f);
    EXPECT_FLOAT_EQ(sets.train.features(0, 3), 1.0f);
    EXPECT_EQ(sets.train.labels, (std::vector<std::int32_t>{9, 0, 3, 3}));
    EXPECT_EQ(sets.test.samples(), 2);
    EXPECT_EQ(sets.test.labels, (std::vector<std::int32_t>{1, 2}));
  }
  const TrainTest first_two = LoadFashionMnist(MiniFashionFolder(false), 2);
  EXPECT_EQ(first_two.train.samples(), 2);
  EXPECT_EQ(first_two.train.labels, (std::vector<std::int32_t>{9, 0}));
}

TEST(FashionMnistLoader, MissingFolderOrFileNamesItAndThePackage) {
  const fs::path dir = MiniFashionFolder(false);
  fs::remove(dir / "t10k-labels-idx1-ubyte");
  try {
    (void)LoadFashionMnist(dir);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("t10k-labels-idx1-ubyte"), std::string::npos) << message;
    EXPECT_NE(message.find("install the Debian package dataset-fashion-mnist"), std::string::npos) << message;
  }
  try {
    (void)LoadFashionMnist(Scratch("no_such_folder"));
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("no_such_folder"), std::string::npos) << message;
    EXPECT_NE(message.find("dataset-fashion-mnist"), std::string::npos) << message;
  }
}

TEST(FashionMnistLoader, RejectsLabelOutsideTenClasses) {
  const fs::path dir = MiniFashionFolder(false);
  WritePlain(dir / "train-labels-idx1-ubyte", IdxBytes(1, {4}, {9, 0, 10, 3}));
  EXPECT_THROW((void)LoadFashionMnist(dir), DataError);
}

}  // namespace
}  // namespace sim::models
