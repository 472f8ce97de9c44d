// Transparent huge pages for the large arrays of a schedule and its run.
//
// A ring all-reduce on 1,024 ranks is 2.1 M transfers, ~100 MB of arrays
// that are written once, front to back, right after being allocated. Each
// first touch of a 4 KiB page is a page fault, and on the virtual machines
// this project runs on one costs ~12 us (measured: writing one byte per page
// of a fresh 118 MB mapping took 350-420 ms; with MADV_HUGEPAGE, 8 ms), which
// made page faults the largest single cost of building the schedule.
// Advising the kernel to back such an array with 2 MiB pages (Linux
// madvise(MADV_HUGEPAGE); effective when
// /sys/kernel/mm/transparent_hugepage/enabled is "madvise" or "always")
// cuts the faults 512-fold. It is advice only: results never depend on it,
// and where it is unsupported or refused nothing changes.
//
// The arrays get memory aligned to 2 MiB and a whole number of 2 MiB pages,
// so that every page of an array can be a huge one: from malloc, a large
// array starts 16 bytes past a 4 KiB boundary, advice can cover only the
// whole 2 MiB pages inside it, and the partial ones at its ends (up to 4 MiB
// an array) were still faulted in 4 KiB at a time.
//
// HugePageAllocator also leaves what resize() and emplace_back() add without
// a value default-initialized rather than zeroed (as `new T[n]` does): these
// arrays are filled right after they grow, and zeroing them first wrote
// every byte twice. No code here reads an element it has not written.
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace sim::collectives {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;
// Smaller arrays come from the ordinary allocator.
inline constexpr std::size_t kHugeArrayBytes = 2 * kHugePageBytes;

// `bytes` (>= kHugeArrayBytes) rounded up to whole 2 MiB pages, aligned to
// 2 MiB and advised as above; on Linux mapped from the kernel directly and
// unmapped by FreeHugePages, so that the memory goes back when freed. Throws
// std::bad_alloc.
[[nodiscard]] void* AllocateHugePages(std::size_t bytes);
// Frees what AllocateHugePages(bytes) returned.
void FreeHugePages(void* data, std::size_t bytes) noexcept;

template <class T>
class HugePageAllocator {
 public:
  using value_type = T;

  HugePageAllocator() noexcept = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // rebinding, as allocators must convert

  [[nodiscard]] T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugeArrayBytes) return std::allocator<T>().allocate(n);
    return static_cast<T*>(AllocateHugePages(bytes));
  }
  void deallocate(T* data, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugeArrayBytes) {
      std::allocator<T>().deallocate(data, n);
    } else {
      FreeHugePages(data, bytes);
    }
  }

  // Default-initializes (see above); with arguments, constructs as usual.
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }

  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) noexcept { return true; }
};

// A vector for the large arrays of a schedule and its run.
template <class T>
using HugePageVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace sim::collectives
