// UUIDv7 layout and the monotonic counter that orders ids made within one millisecond.
#include "libs/ids/uuid_generator.h"

#include <algorithm>
#include <array>

namespace chatter::ids {
namespace {

constexpr int kCounterBits = 42;
constexpr uint64_t kCounterMax = (uint64_t{1} << kCounterBits) - 1;
constexpr int64_t kTimestampMax = (int64_t{1} << 48) - 1;

// A fresh counter value with the top bit clear, leaving 2^41 increments before rollover.
uint64_t SeedCounter(const std::array<uint8_t, 10>& random) {
  uint64_t seed = 0;
  for (int i = 0; i < 6; ++i) seed = (seed << 8) | random[i];
  return seed & (kCounterMax >> 1);
}

std::string ToText(const std::array<uint8_t, 16>& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xF]);
  }
  return out;
}

std::array<uint8_t, 16> Layout(int64_t millis, uint64_t counter,
                               const std::array<uint8_t, 10>& random) {
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(millis >> (40 - 8 * i));
  // rand_a (12 bits) holds the counter's top 12 bits behind the version nibble 0b0111.
  b[6] = static_cast<uint8_t>(0x70 | ((counter >> 38) & 0x0F));
  b[7] = static_cast<uint8_t>(counter >> 30);
  // rand_b: variant 0b10, then the counter's low 30 bits, then 32 random bits.
  b[8] = static_cast<uint8_t>(0x80 | ((counter >> 24) & 0x3F));
  b[9] = static_cast<uint8_t>(counter >> 16);
  b[10] = static_cast<uint8_t>(counter >> 8);
  b[11] = static_cast<uint8_t>(counter);
  std::copy(random.begin() + 6, random.end(), b.begin() + 12);
  return b;
}

}  // namespace

UuidGenerator::UuidGenerator(Clock& clock, RandomSource& random) : clock_(clock), random_(random) {}

std::string UuidGenerator::NewV7() {
  std::array<uint8_t, 10> random;
  std::lock_guard lock(mu_);
  random_.Fill(random);
  const int64_t now = std::clamp<int64_t>(clock_.UnixMillis(), 0, kTimestampMax);
  if (now > last_millis_) {
    last_millis_ = now;
    counter_ = SeedCounter(random);
  } else if (counter_ < kCounterMax) {
    // Same millisecond, or the clock stepped back: keep the last timestamp and count up.
    ++counter_;
  } else {
    // Rollover: borrow the next millisecond (RFC 9562 §6.2 allows running ahead of the clock).
    ++last_millis_;
    counter_ = SeedCounter(random);
  }
  return ToText(Layout(last_millis_, counter_, random));
}

}  // namespace chatter::ids
