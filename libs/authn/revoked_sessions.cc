// RevokedSessions: session id -> until, under a reader-writer lock (reads are per call).
#include "libs/authn/revoked_sessions.h"

#include <algorithm>
#include <vector>

namespace chatter::authn {

RevokedSessions::RevokedSessions(ids::Clock& clock, size_t max_entries)
    : clock_(clock), max_entries_(std::max<size_t>(max_entries, 1)) {}

bool RevokedSessions::Add(absl::string_view session_id, absl::Time until) {
  absl::Time now = Now();
  if (until <= now) return false;
  absl::MutexLock lock(&mu_);
  auto found = until_.find(session_id);
  if (found != until_.end()) {
    found->second = std::max(found->second, until);
    return false;
  }
  if (until_.size() >= max_entries_) MakeRoomLocked(now);
  until_.emplace(session_id, until);
  return true;
}

bool RevokedSessions::Contains(absl::string_view session_id) const {
  absl::ReaderMutexLock lock(&mu_);
  if (until_.empty()) return false;
  auto found = until_.find(session_id);
  return found != until_.end() && found->second > Now();
}

void RevokedSessions::MakeRoomLocked(absl::Time now) {
  absl::erase_if(until_, [now](const auto& entry) { return entry.second <= now; });
  if (until_.size() < max_entries_) return;
  // Still full of live entries: drop the tenth that expires soonest, so the next inserts do
  // not each pay for a scan.
  std::vector<absl::Time> times;
  times.reserve(until_.size());
  for (const auto& [id, until] : until_) times.push_back(until);
  size_t drop = std::max<size_t>(until_.size() / 10, 1);
  std::nth_element(times.begin(), times.begin() + (drop - 1), times.end());
  absl::Time cutoff = times[drop - 1];
  size_t before = until_.size();
  absl::erase_if(until_, [cutoff](const auto& entry) { return entry.second <= cutoff; });
  evicted_ += before - until_.size();
}

size_t RevokedSessions::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return until_.size();
}

uint64_t RevokedSessions::evicted() const {
  absl::ReaderMutexLock lock(&mu_);
  return evicted_;
}

}  // namespace chatter::authn
