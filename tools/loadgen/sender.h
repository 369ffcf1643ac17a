// The sending phase: at a fixed total rate, a random live member sends one send_message over its
// own WebSocket; each message is entered in the ledger before it leaves.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tools/loadgen/asio_coro.h"
#include "tools/loadgen/delivery_ledger.h"
#include "tools/loadgen/room_plan.h"
#include "tools/loadgen/run_recorder.h"
#include "tools/loadgen/ws_connection.h"

namespace chatter::loadgen {

// How many messages are due `elapsed` after the start at `rate` per second: message k leaves at
// k / rate, so this is floor(elapsed * rate) + 1 for elapsed >= 0 (message 0 leaves at once).
uint64_t MessagesDue(absl::Duration elapsed, double rate);

struct SendSchedule {
  double rate = 0;
  absl::Duration warmup;
  absl::Duration duration;

  // Every message of the run; the first WarmupMessages() of them are not measured.
  uint64_t TotalMessages() const;
  uint64_t WarmupMessages() const;
};

struct SenderContext {
  const RoomPlan& plan;
  const std::vector<std::string>& room_ids;
  const std::vector<std::shared_ptr<WsConnection>>& connections;  // By user index.
  const RunRecorder& recorder;
  DeliveryLedger& ledger;
  std::string run;  // Content tag (the username prefix).
  int message_bytes = 0;
};

class Sender {
 public:
  Sender(SenderContext context, SendSchedule schedule, uint64_t seed);

  // Sends the whole schedule; ends early when no connection is live any more.
  net::awaitable<void> Run();

 private:
  // A live connection picked uniformly at random, or -1 when none is left.
  int PickLive();
  void SendOne(int user, bool measured);

  SenderContext context_;
  const SendSchedule schedule_;
  std::mt19937_64 random_;
};

}  // namespace chatter::loadgen
