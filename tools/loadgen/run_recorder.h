// Turns what connections report into the run's figures: frames go to the DeliveryLedger,
// connection outcomes (ready, refused, closed and with which code) are counted here.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tools/loadgen/connection_observer.h"
#include "tools/loadgen/delivery_ledger.h"
#include "tools/loadgen/room_plan.h"

namespace chatter::loadgen {

struct ConnectionStats {
  int ready = 0;
  int failed = 0;
  std::map<std::string, int> failure_reasons;
  int unexpected_closes = 0;
  std::map<int, int> close_codes;  // Of unexpected closes; 0 = ended without a close frame.
  std::map<std::string, uint64_t> unsolicited_errors;  // `error` frames without a ref, by code.
  uint64_t order_violations = 0;  // A member saw a room seq below one it had seen.
  // Seqs a member never saw although it saw a later one, and was not told resync_required for:
  // live messages lost in silence.
  uint64_t unfilled_gaps = 0;
  uint64_t resyncs = 0;  // resync_required frames (the client would read history over REST).
  std::map<int, int> interruptions;  // Cut-offs the session came back from, by close code.
  int resumed = 0;                   // Reconnects whose subscribe with since_seq was accepted.
  // From the first cut-off of an outage until every session cut off in it was back; the
  // longest such span of the run (zero without outages).
  absl::Duration longest_recovery = absl::ZeroDuration();

  uint64_t Errors() const;
};

class RunRecorder : public ConnectionObserver {
 public:
  // Connection i is user i of `plan`; `room_ids[r]` is room r's id; `run` is the content tag.
  RunRecorder(const RoomPlan& plan, std::vector<std::string> room_ids, std::string run,
              DeliveryLedger& ledger);

  void OnReady(int connection) override;
  void OnConnectFailed(int connection, const std::string& reason) override;
  void OnFrame(int connection, const ServerFrame& frame, int64_t receive_ns) override;
  void OnSendFailed(int connection, uint64_t message_id, const std::string& reason) override;
  void OnClosed(int connection, int close_code, const std::string& reason, bool requested) override;
  void OnInterrupted(int connection, int close_code) override;
  void OnResumed(int connection) override;
  int64_t ResumeSeq(int connection) const override;

  // Ends the connect phase: connections not ready yet count as failed, and a later ready is
  // ignored, so expected deliveries do not change under the sender.
  void StopAcceptingReady();
  // Blocks (never call on an I/O thread) until every connection is ready or failed, or until
  // `deadline`; true when all settled.
  bool WaitAllSettled(absl::Time deadline);
  // Ready and not closed since (a session coming back after a cut-off is live: its sends wait).
  bool IsLive(int connection) const;
  ConnectionStats Stats() const;

 private:
  enum class State : uint8_t { kConnecting, kLive, kResuming, kFailed, kClosed };
  void FailLocked(int connection, const std::string& reason);
  // Counts as a subscriber: frames it reports are checked and credited.
  bool SubscribedLocked(int connection) const {
    State state = states_.at(connection);
    return state == State::kLive || state == State::kResuming;
  }

  const RoomPlan& plan_;
  const std::vector<std::string> room_ids_;
  const std::string run_;
  DeliveryLedger& ledger_;

  mutable std::mutex mu_;
  std::condition_variable settled_cv_;
  int settled_ = 0;
  std::vector<State> states_;
  std::vector<int64_t> last_seq_;
  int resuming_ = 0;                                // Sessions cut off and not back yet.
  absl::Time outage_start_ = absl::InfinitePast();  // When resuming_ last left zero.
  ConnectionStats stats_;
};

}  // namespace chatter::loadgen
