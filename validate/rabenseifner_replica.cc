#include "validate/rabenseifner_replica.h"

#include <algorithm>
#include <chrono>
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

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// One exchange: `out` of `send_from` to the partner, its message into
// `receive_into` (as Open MPI's sendrecv: receive posted, blocking send,
// wait). Recorded into `record` when given.
void Exchange(const float* send_from, Window out, float* receive_into, Window in, int partner, int tag,
              MPI_Comm comm, bool ready_handshake, ExchangeRecord* record) {
  if (record != nullptr) {
    record->partner = partner;
    record->bytes_out = static_cast<long long>(out.count * sizeof(float));
    record->begin_s = Now();
  }
  MPI_Request request;
  MPI_Irecv(receive_into + in.begin, static_cast<int>(in.count), MPI_FLOAT, partner, tag, comm, &request);
  if (ready_handshake) {
    char token = 0;
    MPI_Sendrecv_replace(&token, 1, MPI_CHAR, partner, kReadyTag, partner, kReadyTag, comm, MPI_STATUS_IGNORE);
  }
  MPI_Send(send_from + out.begin, static_cast<int>(out.count), MPI_FLOAT, partner, tag, comm);
  if (record != nullptr) record->sent_s = Now();
  MPI_Wait(&request, MPI_STATUS_IGNORE);
  if (record != nullptr) record->done_s = Now();
}

// The record of the next exchange, numbered `step`, or none without a trace.
ExchangeRecord* NextRecord(std::vector<ExchangeRecord>* trace, int step) {
  if (trace == nullptr) return nullptr;
  trace->push_back(ExchangeRecord{.step = step});
  return &trace->back();
}

}  // namespace

void RabenseifnerAllReduceSum(std::span<float> data, MPI_Comm comm, bool ready_handshake,
                              std::vector<float>& scratch, std::vector<ExchangeRecord>* trace) {
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
  int step_number = 0;
  for (int distance = 1; distance < ranks; distance <<= 1) {
    const int partner = rank ^ distance;
    const std::size_t lower = mine.count / 2;
    const Window low{mine.begin, lower};
    const Window high{mine.begin + lower, mine.count - lower};
    const Window keep = rank < partner ? low : high;
    const Window give = rank < partner ? high : low;
    Exchange(data.data(), give, scratch.data(), keep, partner, kReduceScatterTag, comm, ready_handshake,
             NextRecord(trace, step_number++));
    for (std::size_t i = keep.begin; i < keep.begin + keep.count; ++i) data[i] += scratch[i];
    sent.push_back(give);
    mine = keep;
  }
  // All-gather: the halving steps undone in reverse, step k at distance 2^k.
  for (std::size_t step = sent.size(); step-- > 0;) {
    const Window theirs = sent[step];
    Exchange(data.data(), mine, data.data(), theirs, rank ^ (1 << step), kAllGatherTag, comm, ready_handshake,
             NextRecord(trace, step_number++));
    mine = Window{std::min(mine.begin, theirs.begin), mine.count + theirs.count};
  }
}

}  // namespace sim::validate
