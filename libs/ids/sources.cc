// Production implementations of the Clock and RandomSource seams.
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "libs/ids/clock.h"
#include "libs/ids/random_source.h"

namespace chatter::ids {

int64_t SystemClock::UnixMillis() {
  // system_clock counts from the Unix epoch (guaranteed since C++20).
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SodiumRandomSource::SodiumRandomSource() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) {
      // Without a working CSPRNG every id would be guessable; refuse to run.
      std::fputs("libsodium: sodium_init failed\n", stderr);
      std::abort();
    }
  });
}

void SodiumRandomSource::Fill(std::span<uint8_t> out) { randombytes_buf(out.data(), out.size()); }

}  // namespace chatter::ids
