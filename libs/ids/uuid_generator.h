// UUIDv7 generation (RFC 9562): time-ordered ids that sort by creation time as text and as bytes.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "libs/ids/clock.h"
#include "libs/ids/random_source.h"

namespace chatter::ids {

// Ids from one generator strictly increase, even within one millisecond or when the clock steps
// back (RFC 9562 §6.2 method 1): a 42-bit counter spans rand_a and the top 30 bits of rand_b,
// seeded randomly each new millisecond with its top bit clear, so it cannot roll over in
// practice; the last 32 bits stay random so neighbouring ids are not guessable. Thread-safe.
class UuidGenerator {
 public:
  // Both must outlive the generator.
  UuidGenerator(Clock& clock, RandomSource& random);

  UuidGenerator(const UuidGenerator&) = delete;
  UuidGenerator& operator=(const UuidGenerator&) = delete;

  // Lower-case canonical text, e.g. "01890a5d-ac96-774b-bcce-b302099a8057".
  std::string NewV7();

 private:
  Clock& clock_;
  RandomSource& random_;
  // std::mutex rather than absl::Mutex: Debian's libabsl is not built for ThreadSanitizer, so
  // TSan cannot see absl::Mutex and would report races under it.
  std::mutex mu_;
  int64_t last_millis_ = -1;  // Guarded by mu_, as is counter_.
  uint64_t counter_ = 0;
};

}  // namespace chatter::ids
