// The randomness seam for id generation: tests make it predictable, production uses libsodium.
#pragma once

#include <cstdint>
#include <span>

namespace chatter::ids {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void Fill(std::span<uint8_t> out) = 0;
};

// randombytes_buf: a CSPRNG, thread-safe, so one instance may serve every generator.
class SodiumRandomSource final : public RandomSource {
 public:
  SodiumRandomSource();
  void Fill(std::span<uint8_t> out) override;
};

}  // namespace chatter::ids
