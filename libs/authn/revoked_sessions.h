// The logins (a token's `sid`) that ended while access tokens issued to them may still be
// unexpired: logout, logout_all, a password change for the other logins, account deletion,
// refresh-token reuse. Every verifier consults it after the signature check, so a token of an
// ended login is refused although it is validly signed and not expired yet.
//
// Each entry carries the instant after which every token of its login has expired anyway, and
// is dropped after it. Bounded: when full, expired entries go first, then the entries that
// expire soonest (a count of them is kept for the metric), so memory cannot grow without limit
// whatever the rate of logouts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/ids/clock.h"

namespace chatter::authn {

class RevokedSessions {
 public:
  // About 100 bytes per entry: the default bounds the list near 20 MB.
  static constexpr size_t kDefaultMaxEntries = 200000;

  // `clock` must outlive the list.
  explicit RevokedSessions(ids::Clock& clock, size_t max_entries = kDefaultMaxEntries);

  // Records that `session_id` ended; its tokens are refused until `until`. False when it was
  // already known (the later `until` is kept) or `until` has passed.
  bool Add(absl::string_view session_id, absl::Time until);
  // True while `session_id` is listed and its entry has not run out.
  bool Contains(absl::string_view session_id) const;

  size_t size() const;
  // Entries dropped before their time because the list was full.
  uint64_t evicted() const;

 private:
  absl::Time Now() const { return absl::FromUnixMillis(clock_.UnixMillis()); }
  void MakeRoomLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ids::Clock& clock_;
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, absl::Time> until_ ABSL_GUARDED_BY(mu_);
  uint64_t evicted_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace chatter::authn
