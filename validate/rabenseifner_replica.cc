#include "validate/rabenseifner_replica.h"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace sim::validate {
namespace {

constexpr int kReduceScatterTag = 101;
constexpr int kAllGatherTag = 102;
constexpr int kReadyTag = 103;

// Elements [begin, begin + count) of the data.
struct Window {
  std::size_t begin = 0;
  std::size_t count = 0;
};

// One exchange: `out` of `send_from` to the partner, its message into
// `receive_into` (as Open MPI's sendrecv: receive posted, blocking send, wait).
void Exchange(const float* send_from, Window out, float* receive_into, Window in, int partner, int tag,
              MPI_Comm comm, bool ready_handshake) {
  MPI_Request request;
  MPI_Irecv(receive_into + in.begin, static_cast<int>(in.count), MPI_FLOAT, partner, tag, comm, &request);
  if (ready_handshake) {
    char token = 0;
    MPI_Sendrecv_replace(&token, 1, MPI_CHAR, partner, kReadyTag, partner, kReadyTag, comm, MPI_STATUS_IGNORE);
  }
  MPI_Send(send_from + out.begin, static_cast<int>(out.count), MPI_FLOAT, partner, tag, comm);
  MPI_Wait(&request, MPI_STATUS_IGNORE);
}

}  // namespace

void RabenseifnerAllReduceSum(std::span<float> data, MPI_Comm comm, bool ready_handshake,
                              std::vector<float>& scratch) {
  int rank = 0, ranks = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &ranks);
  if (ranks < 1 || (ranks & (ranks - 1)) != 0) {
    throw std::invalid_argument("the Rabenseifner replica needs a power-of-two number of ranks, got " +
                                std::to_string(ranks));
  }
  scratch.resize(data.size());
  // Per halving step, the window the rank sent (its partner's part).
  std::vector<Window> sent;
  Window mine{0, data.size()};
  for (int distance = 1; distance < ranks; distance <<= 1) {
    const int partner = rank ^ distance;
    const std::size_t lower = mine.count / 2;
    const Window low{mine.begin, lower};
    const Window high{mine.begin + lower, mine.count - lower};
    const Window keep = rank < partner ? low : high;
    const Window give = rank < partner ? high : low;
    Exchange(data.data(), give, scratch.data(), keep, partner, kReduceScatterTag, comm, ready_handshake);
    for (std::size_t i = keep.begin; i < keep.begin + keep.count; ++i) data[i] += scratch[i];
    sent.push_back(give);
    mine = keep;
  }
  // All-gather: the halving steps undone in reverse, step k at distance 2^k.
  for (std::size_t step = sent.size(); step-- > 0;) {
    const Window theirs = sent[step];
    Exchange(data.data(), mine, data.data(), theirs, rank ^ (1 << step), kAllGatherTag, comm, ready_handshake);
    mine = Window{std::min(mine.begin, theirs.begin), mine.count + theirs.count};
  }
}

}  // namespace sim::validate
