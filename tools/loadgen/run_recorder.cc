// Connection outcomes and frame dispatch for a run (see run_recorder.h).
#include "tools/loadgen/run_recorder.h"

#include <algorithm>
#include <chrono>

namespace chatter::loadgen {

uint64_t ConnectionStats::Errors() const {
  uint64_t errors = static_cast<uint64_t>(failed) + static_cast<uint64_t>(unexpected_closes);
  for (const auto& [code, count] : unsolicited_errors) errors += count;
  return errors + order_violations + unfilled_gaps;
}

RunRecorder::RunRecorder(const RoomPlan& plan, std::vector<std::string> room_ids, std::string run,
                         DeliveryLedger& ledger)
    : plan_(plan),
      room_ids_(std::move(room_ids)),
      run_(std::move(run)),
      ledger_(ledger),
      states_(plan.users(), State::kConnecting),
      last_seq_(plan.users(), -1) {}

void RunRecorder::OnReady(int connection) {
  std::lock_guard lock(mu_);
  if (states_.at(connection) != State::kConnecting) return;
  states_[connection] = State::kLive;
  ++stats_.ready;
  ++settled_;
  ledger_.AddSubscriber(plan_.SeatOf(connection).room);
  settled_cv_.notify_all();
}

void RunRecorder::OnConnectFailed(int connection, const std::string& reason) {
  std::lock_guard lock(mu_);
  if (states_.at(connection) != State::kConnecting) return;
  FailLocked(connection, reason);
}

void RunRecorder::FailLocked(int connection, const std::string& reason) {
  states_[connection] = State::kFailed;
  ++stats_.failed;
  ++stats_.failure_reasons[reason];
  ++settled_;
  settled_cv_.notify_all();
}

void RunRecorder::OnFrame(int connection, const ServerFrame& frame, int64_t receive_ns) {
  if (frame.event == "receive_message") {
    Seat seat = plan_.SeatOf(connection);
    std::optional<Delivery> delivery = ParseDelivery(frame);
    std::optional<Probe> probe;
    if (delivery && delivery->room_id == room_ids_[seat.room]) {
      probe = DecodeContent(run_, delivery->content);
    }
    {
      std::lock_guard lock(mu_);
      // A connection that is not counted as a subscriber owes nothing and proves nothing.
      if (!SubscribedLocked(connection)) return;
      if (probe && delivery->seq >= 0) {
        // An equal seq is a repeat, which the ledger counts as a duplicate.
        int64_t last = last_seq_[connection];
        if (delivery->seq < last) ++stats_.order_violations;
        // Before the first message the member's starting point is unknown (-1).
        if (last >= 0 && delivery->seq > last + 1) {
          stats_.unfilled_gaps += static_cast<uint64_t>(delivery->seq - last - 1);
        }
        last_seq_[connection] = std::max(last, delivery->seq);
      }
    }
    if (!probe) {
      ledger_.RecordForeign();
      return;
    }
    ledger_.RecordReceipt(seat.room, seat.slot, probe->id, probe->send_ns, receive_ns);
    return;
  }
  if (frame.event == "resync_required") {
    std::lock_guard lock(mu_);
    if (!SubscribedLocked(connection)) return;
    ++stats_.resyncs;
    // The client reads up to last_seq over REST; live delivery goes on after it.
    auto last_seq = frame.data.find("last_seq");
    if (last_seq != frame.data.end() && last_seq->is_number_integer()) {
      last_seq_[connection] = std::max(last_seq_[connection], last_seq->get<int64_t>());
    }
    return;
  }
  if (frame.event != "ack" && frame.event != "error") return;  // presence, typing, ...
  if (frame.ref.empty()) {
    if (frame.event == "error") {
      std::lock_guard lock(mu_);
      ++stats_.unsolicited_errors[ErrorCodeOf(frame)];
    }
    return;
  }
  std::optional<uint64_t> id = IdFromRef(frame.ref);
  if (!id) {
    ledger_.RecordUnexpectedReply();
  } else if (frame.event == "ack") {
    ledger_.RecordAck(*id, receive_ns);
  } else {
    ledger_.RecordSendFailed(*id, ErrorCodeOf(frame));
  }
}

void RunRecorder::OnSendFailed(int /*connection*/, uint64_t message_id, const std::string& reason) {
  ledger_.RecordSendFailed(message_id, reason);
}

void RunRecorder::OnClosed(int connection, int close_code, const std::string& /*reason*/,
                           bool requested) {
  std::lock_guard lock(mu_);
  if (!SubscribedLocked(connection)) return;
  if (states_[connection] == State::kResuming) --resuming_;
  states_[connection] = State::kClosed;
  if (requested) return;
  ++stats_.unexpected_closes;
  ++stats_.close_codes[close_code];
}

void RunRecorder::OnInterrupted(int connection, int close_code) {
  std::lock_guard lock(mu_);
  if (states_.at(connection) != State::kLive) return;
  states_[connection] = State::kResuming;
  ++stats_.interruptions[close_code];
  if (resuming_++ == 0) outage_start_ = absl::Now();
}

void RunRecorder::OnResumed(int connection) {
  std::lock_guard lock(mu_);
  if (states_.at(connection) != State::kResuming) return;
  states_[connection] = State::kLive;
  ++stats_.resumed;
  if (--resuming_ == 0) {
    stats_.longest_recovery = std::max(stats_.longest_recovery, absl::Now() - outage_start_);
  }
}

int64_t RunRecorder::ResumeSeq(int connection) const {
  std::lock_guard lock(mu_);
  return std::max<int64_t>(last_seq_.at(connection), 0);
}

void RunRecorder::StopAcceptingReady() {
  std::lock_guard lock(mu_);
  for (size_t connection = 0; connection < states_.size(); ++connection) {
    if (states_[connection] == State::kConnecting) {
      FailLocked(static_cast<int>(connection), "not ready within the connect deadline");
    }
  }
}

bool RunRecorder::WaitAllSettled(absl::Time deadline) {
  std::unique_lock lock(mu_);
  auto until = std::chrono::system_clock::now() +
               std::chrono::nanoseconds(absl::ToInt64Nanoseconds(deadline - absl::Now()));
  return settled_cv_.wait_until(lock, until, [&] { return settled_ >= plan_.users(); });
}

bool RunRecorder::IsLive(int connection) const {
  std::lock_guard lock(mu_);
  return SubscribedLocked(connection);
}

ConnectionStats RunRecorder::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace chatter::loadgen
