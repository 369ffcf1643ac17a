// The wall-clock seam for id generation: tests pin time through it, production reads the system.
#pragma once

#include <cstdint>

namespace chatter::ids {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t UnixMillis() = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t UnixMillis() override;
};

}  // namespace chatter::ids
