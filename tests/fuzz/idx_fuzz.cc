// Fuzz target: a dataset file in the IDX format (models/data/idx_reader.h),
// plain or gzip-compressed, read through the same ReadIdx that loads
// Fashion-MNIST. The input goes to an anonymous in-memory file
// (memfd_create), so the reader opens it by path as it opens a real one.
// Bad input: DataError (exit 2 in sim).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "models/data/data_error.h"
#include "models/data/idx_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = memfd_create("fuzz.idx", 0);
  if (fd < 0) std::abort();
  for (std::size_t done = 0; done < size;) {
    const ssize_t wrote = write(fd, data + done, size - done);
    if (wrote <= 0) std::abort();
    done += static_cast<std::size_t>(wrote);
  }
  try {
    (void)sim::models::ReadIdx("/proc/self/fd/" + std::to_string(fd));
  } catch (const sim::models::DataError&) {
  }
  close(fd);
  return 0;
}
