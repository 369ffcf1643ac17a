// The delivery bookkeeping of a run: every message sent, its ack, and which room member got it.
// Expected deliveries are the room's subscriber count at send time for each acked message, since
// every subscriber, the sender included, receives its own receive_message.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tools/loadgen/latency_histogram.h"

namespace chatter::loadgen {

struct LedgerTotals {
  uint64_t sent = 0;
  uint64_t acked = 0;
  uint64_t send_failed = 0;         // An error reply, or the frame could not be written.
  uint64_t unacked = 0;             // Neither acked nor failed (yet).
  uint64_t expected = 0;            // Deliveries owed for acked messages.
  uint64_t received_unique = 0;     // Distinct (message, member) deliveries of acked messages.
  uint64_t received_total = 0;      // Every receive_message of this run, duplicates included.
  uint64_t duplicates = 0;          // The same message delivered to the same member again.
  uint64_t foreign = 0;             // receive_message not matching any message this run sent there.
  uint64_t unexpected_replies = 0;  // ack/error for an unknown ref or an already answered one.
  std::map<std::string, uint64_t> send_errors_by_code;
  LatencyHistogram delivery_latency;  // send -> receive_message, measured messages only.
  LatencyHistogram ack_latency;       // send -> ack, measured messages only.

  // Unique deliveries in percent of expected ones (100 when nothing was expected).
  double CompletenessPercent() const;
  // Every message answered and every owed delivery made.
  bool AllDelivered() const { return unacked == 0 && received_unique == expected; }
};

// Thread-safe: connections on different strands report into one ledger.
class DeliveryLedger {
 public:
  // `members[r]`: seats in room r (members' slots are 0..members[r]-1).
  explicit DeliveryLedger(std::vector<int> members);

  // A member of `room` is subscribed from now on; later messages owe it a delivery.
  void AddSubscriber(int room);
  int SubscribersOf(int room) const;

  // A new message for `room`; returns its id. `measured` = counts for latency figures.
  uint64_t RecordSend(int room, int64_t send_ns, bool measured);
  void RecordAck(uint64_t id, int64_t ack_ns);
  void RecordSendFailed(uint64_t id, std::string_view code);
  // A reply whose ref names no message of this run.
  void RecordUnexpectedReply();
  // Member `slot` of `room` received message `id` sent at `send_ns` (from the content probe).
  void RecordReceipt(int room, int slot, uint64_t id, int64_t send_ns, int64_t receive_ns);
  // A receive_message that is not one of this run's messages in that room.
  void RecordForeign();

  LedgerTotals Totals() const;
  bool AllDelivered() const;

 private:
  enum class State : uint8_t { kPending, kAcked, kFailed };
  struct Message {
    int room;
    int owed;  // Subscribers of the room at send time.
    int receipts = 0;
    State state = State::kPending;
    bool measured;
    int64_t send_ns;
    size_t bits;  // Offset into receipt_bits_: one bit per seat of the room.
  };

  mutable std::mutex mu_;
  std::vector<int> members_;
  std::vector<int> subscribers_;
  std::vector<Message> messages_;
  std::vector<uint64_t> receipt_bits_;
  LedgerTotals totals_;
};

}  // namespace chatter::loadgen
