// Delivery bookkeeping (see delivery_ledger.h). Counters are kept up to date on every event so
// the drain loop can ask AllDelivered() often without walking all messages.
#include "tools/loadgen/delivery_ledger.h"

namespace chatter::loadgen {

double LedgerTotals::CompletenessPercent() const {
  if (expected == 0) return 100.0;
  return 100.0 * static_cast<double>(received_unique) / static_cast<double>(expected);
}

DeliveryLedger::DeliveryLedger(std::vector<int> members)
    : members_(std::move(members)), subscribers_(members_.size(), 0) {}

void DeliveryLedger::AddSubscriber(int room) {
  std::lock_guard lock(mu_);
  ++subscribers_.at(room);
}

int DeliveryLedger::SubscribersOf(int room) const {
  std::lock_guard lock(mu_);
  return subscribers_.at(room);
}

uint64_t DeliveryLedger::RecordSend(int room, int64_t send_ns, bool measured) {
  std::lock_guard lock(mu_);
  Message message{.room = room,
                  .owed = subscribers_.at(room),
                  .measured = measured,
                  .send_ns = send_ns,
                  .bits = receipt_bits_.size()};
  receipt_bits_.resize(receipt_bits_.size() + (members_[room] + 63) / 64, 0);
  messages_.push_back(message);
  ++totals_.sent;
  ++totals_.unacked;
  return messages_.size() - 1;
}

void DeliveryLedger::RecordAck(uint64_t id, int64_t ack_ns) {
  std::lock_guard lock(mu_);
  if (id >= messages_.size() || messages_[id].state != State::kPending) {
    ++totals_.unexpected_replies;
    return;
  }
  Message& message = messages_[id];
  message.state = State::kAcked;
  --totals_.unacked;
  ++totals_.acked;
  totals_.expected += message.owed;
  totals_.received_unique += message.receipts;
  if (message.measured) totals_.ack_latency.Record(ack_ns - message.send_ns);
}

void DeliveryLedger::RecordSendFailed(uint64_t id, std::string_view code) {
  std::lock_guard lock(mu_);
  if (id >= messages_.size() || messages_[id].state != State::kPending) {
    ++totals_.unexpected_replies;
    return;
  }
  messages_[id].state = State::kFailed;
  --totals_.unacked;
  ++totals_.send_failed;
  ++totals_.send_errors_by_code[std::string(code)];
}

void DeliveryLedger::RecordUnexpectedReply() {
  std::lock_guard lock(mu_);
  ++totals_.unexpected_replies;
}

void DeliveryLedger::RecordReceipt(int room, int slot, uint64_t id, int64_t send_ns,
                                   int64_t receive_ns) {
  std::lock_guard lock(mu_);
  if (id >= messages_.size() || messages_[id].room != room || slot < 0 ||
      slot >= members_.at(room)) {
    ++totals_.foreign;
    return;
  }
  ++totals_.received_total;
  Message& message = messages_[id];
  uint64_t& word = receipt_bits_[message.bits + slot / 64];
  uint64_t bit = uint64_t{1} << (slot % 64);
  if (word & bit) {
    ++totals_.duplicates;
    return;
  }
  word |= bit;
  ++message.receipts;
  if (message.state == State::kAcked) ++totals_.received_unique;
  if (message.measured) totals_.delivery_latency.Record(receive_ns - send_ns);
}

void DeliveryLedger::RecordForeign() {
  std::lock_guard lock(mu_);
  ++totals_.foreign;
}

LedgerTotals DeliveryLedger::Totals() const {
  std::lock_guard lock(mu_);
  return totals_;
}

bool DeliveryLedger::AllDelivered() const {
  std::lock_guard lock(mu_);
  return totals_.AllDelivered();
}

}  // namespace chatter::loadgen
