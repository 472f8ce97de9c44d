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
#pragma once

#include <cstddef>

namespace sim::collectives {

// Advises huge pages for the whole 2 MiB pages inside [data, data + bytes);
// does nothing for arrays under 4 MiB, or off Linux.
void AdviseHugePages(const void* data, std::size_t bytes) noexcept;

// The same for a vector's whole capacity (call it after reserve(), before
// the elements are written).
template <class Vector>
void AdviseHugePages(const Vector& v) noexcept {
  AdviseHugePages(v.data(), v.capacity() * sizeof(typename Vector::value_type));
}

}  // namespace sim::collectives
