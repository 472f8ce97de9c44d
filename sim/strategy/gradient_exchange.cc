#include "sim/strategy/gradient_exchange.h"

#include <stdexcept>

#include "models/compression/compression_work.h"
#include "models/compression/wire_size.h"

namespace sim {

GradientExchange DenseExchange(Bytes gradient, std::uint32_t workers) {
  GradientExchange e;
  e.phases.push_back({models::ExchangeCollective::kAllReduce, gradient, models::AllReduceBytesSent(gradient, workers)});
  e.push = gradient;
  return e;
}

GradientExchange ExchangeOf(const models::CompressionOptions& options, std::int64_t parameters,
                            std::span<const models::MatrixShape> shapes, Bytes gradient, std::uint32_t workers,
                            const models::DeviceProfile& device) {
  if (options.scheme == models::CompressionScheme::kNone) return DenseExchange(gradient, workers);
  GradientExchange e;
  e.phases = models::ExchangePhases(options, parameters, shapes, workers);
  e.push = models::EncodedSize(options, parameters, shapes).total();
  const models::CompressionWork work = models::WorkOf(options, parameters, shapes);
  const FlopsPerSecond rate = models::SustainedRate(device);
  e.encode = ComputeTime(work.compress.flops, rate);
  // An all-gather brings the W - 1 other codes; PowerSGD's reduced factors
  // are decoded once.
  const double received =
      options.scheme == models::CompressionScheme::kPowerSgd ? 1.0 : static_cast<double>(workers) - 1.0;
  e.decode = ComputeTime(Flops{received * work.decompress.flops.count}, rate);
  return e;
}

void AfterCodec(Engine& engine, Time delay, Engine::Callback then) {
  if (delay > Time::zero()) {
    engine.schedule_in(delay, std::move(then));
  } else {
    then();
  }
}

void RunPhases(Communication& communication, std::span<const models::ExchangePhase> phases,
               Communication::Done done) {
  if (phases.empty()) throw std::logic_error("RunPhases: an exchange has at least one phase");
  const models::ExchangePhase& phase = phases.front();
  Communication::Done next;
  if (phases.size() == 1) {
    next = std::move(done);
  } else {
    next = [&communication, rest = phases.subspan(1), done = std::move(done)] { RunPhases(communication, rest, done); };
  }
  switch (phase.collective) {
    case models::ExchangeCollective::kAllReduce: communication.all_reduce(phase.per_worker, std::move(next)); return;
    case models::ExchangeCollective::kAllGather: communication.all_gather(phase.per_worker, std::move(next)); return;
    case models::ExchangeCollective::kParameterServer: break;
  }
  throw std::logic_error("RunPhases: a parameter server is not a collective phase");
}

Communication::Enter EnterPhases(Communication& communication, std::span<const models::ExchangePhase> phases,
                                 Communication::WorkerDone worker_done) {
  if (phases.empty()) throw std::logic_error("EnterPhases: an exchange has at least one phase");
  // Built from the last phase back: each phase's done enters the next.
  Communication::WorkerDone next = std::move(worker_done);
  Communication::Enter enter;
  for (auto phase = phases.rbegin(); phase != phases.rend(); ++phase) {
    switch (phase->collective) {
      case models::ExchangeCollective::kAllReduce:
        enter = communication.all_reduce_each(phase->per_worker, std::move(next));
        break;
      case models::ExchangeCollective::kAllGather:
        enter = communication.all_gather_each(phase->per_worker, std::move(next));
        break;
      case models::ExchangeCollective::kParameterServer:
        throw std::logic_error("EnterPhases: a parameter server is not a collective phase");
    }
    next = enter;
  }
  return enter;
}

}  // namespace sim
