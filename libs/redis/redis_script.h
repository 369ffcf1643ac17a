// A Lua script run with EVALSHA: loaded into the server's script cache on first use and loaded
// again when the cache was flushed (NOSCRIPT after a Redis restart), so callers just run it.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace chatter::redis {

class Script {
 public:
  explicit Script(std::string source) : source_(std::move(source)) {}
  Script(const Script&) = delete;
  Script& operator=(const Script&) = delete;

  const std::string& source() const { return source_; }
  // The SHA1 the server answered to SCRIPT LOAD; nullopt before the first load. Thread-safe.
  std::optional<std::string> sha() const {
    std::lock_guard lock(mu_);
    return sha_;
  }
  void set_sha(std::string sha) const {
    std::lock_guard lock(mu_);
    sha_ = std::move(sha);
  }

 private:
  std::string source_;
  mutable std::mutex mu_;
  mutable std::optional<std::string> sha_;
};

// The keys and arguments of one run of a script.
struct ScriptCall {
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

}  // namespace chatter::redis
