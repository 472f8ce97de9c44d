#include "validate/mpi_train/ring_allreduce.h"

#include <stdexcept>

#include "validate/mpi_train/rank_layout.h"

namespace sim::validate {

void RingAllReduceSum(std::span<float> data, MPI_Comm comm, std::vector<float>& scratch) {
  int rank = 0, p = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &p);
  if (p == 1) return;
  const auto n = static_cast<std::int64_t>(data.size());
  const int next = (rank + 1) % p, prev = (rank + p - 1) % p;
  const auto piece = [&](int index) { return ElementPiece(n, p, ((index % p) + p) % p); };
  scratch.resize(static_cast<std::size_t>(ElementPiece(n, p, 0).size()));

  // Reduce-scatter: rank i ends with piece i summed over all ranks.
  for (int s = 0; s < p - 1; ++s) {
    const ElementRange out = piece(rank - s - 1), in = piece(rank - s - 2);
    MPI_Request requests[2];
    MPI_Irecv(scratch.data(), static_cast<int>(in.size()), MPI_FLOAT, prev, s, comm, &requests[0]);
    MPI_Isend(data.data() + out.begin, static_cast<int>(out.size()), MPI_FLOAT, next, s, comm, &requests[1]);
    MPI_Waitall(2, requests, MPI_STATUSES_IGNORE);
    float* own = data.data() + in.begin;
    for (std::int64_t k = 0; k < in.size(); ++k) own[k] += scratch[static_cast<std::size_t>(k)];
  }
  // All-gather: every rank ends with every reduced piece.
  for (int s = 0; s < p - 1; ++s) {
    const ElementRange out = piece(rank - s), in = piece(rank - s - 1);
    MPI_Request requests[2];
    MPI_Irecv(data.data() + in.begin, static_cast<int>(in.size()), MPI_FLOAT, prev, p + s, comm, &requests[0]);
    MPI_Isend(data.data() + out.begin, static_cast<int>(out.size()), MPI_FLOAT, next, p + s, comm, &requests[1]);
    MPI_Waitall(2, requests, MPI_STATUSES_IGNORE);
  }
}

}  // namespace sim::validate
