#include "sim/collectives/huge_pages.h"

#include <cstdint>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace sim::collectives {
namespace {

std::size_t WholePages(std::size_t bytes) noexcept {
  return (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
}

}  // namespace

#if defined(__linux__)

void* AllocateHugePages(std::size_t bytes) {
  const std::size_t size = WholePages(bytes);
  // Map one page more than needed, then unmap the parts before the first
  // 2 MiB boundary and after the array.
  void* mapped = mmap(nullptr, size + kHugePageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  const auto first = reinterpret_cast<std::uintptr_t>(mapped);
  const std::uintptr_t begin = (first + kHugePageBytes - 1) & ~std::uintptr_t{kHugePageBytes - 1};
  if (begin > first) munmap(mapped, begin - first);
  const std::uintptr_t tail = first + size + kHugePageBytes - (begin + size);
  if (tail > 0) munmap(reinterpret_cast<void*>(begin + size), tail);
#if defined(MADV_HUGEPAGE)
  // Advice only: a refusal (EINVAL where THP is compiled out) changes nothing.
  (void)madvise(reinterpret_cast<void*>(begin), size, MADV_HUGEPAGE);
#endif
  return reinterpret_cast<void*>(begin);
}

void FreeHugePages(void* data, std::size_t bytes) noexcept { munmap(data, WholePages(bytes)); }

#else

void* AllocateHugePages(std::size_t bytes) {
  return ::operator new(WholePages(bytes), std::align_val_t{kHugePageBytes});
}

void FreeHugePages(void* data, std::size_t bytes) noexcept {
  ::operator delete(data, WholePages(bytes), std::align_val_t{kHugePageBytes});
}

#endif

}  // namespace sim::collectives
