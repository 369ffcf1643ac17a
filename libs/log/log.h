// Structured JSON logs: one line per event with time, level, service, request_id, message and
// fields, ready for CloudWatch. The process logger is the one allowed singleton.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace spdlog::sinks {
class sink;
}

namespace chatter::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kCritical };

std::optional<Level> ParseLevel(absl::string_view name);
absl::string_view LevelName(Level level);

// Extra key/values of an event; must be a JSON object.
using Fields = nlohmann::json;

// Installs the process logger writing to stdout.
void Init(absl::string_view service, Level level);
// Same, writing to `sink` (tests capture lines this way).
void InitWithSink(absl::string_view service, Level level,
                  std::shared_ptr<spdlog::sinks::sink> sink);

bool Enabled(Level level);
// An empty `request_id` means "the thread's current one" (see ScopedRequestId), if any.
void Write(Level level, absl::string_view request_id, absl::string_view message,
           const Fields& fields);

// The request id of the work this thread is doing ("" when none): log lines that name no id
// carry it, so storage errors or publish failures deep below a handler are still tied to the
// request that caused them, and outgoing calls forward it.
const std::string& CurrentRequestId();

// Makes `request_id` the thread's current request id until the scope ends, then restores the
// previous one (scopes nest). Open it where a request's work starts on a thread (an RPC
// handler's entry). It follows the thread, not the request: work handed to another thread (a
// queue, a callback, a reactor's next step) must carry the id and open its own scope there.
class ScopedRequestId {
 public:
  explicit ScopedRequestId(std::string request_id);
  ~ScopedRequestId();
  ScopedRequestId(const ScopedRequestId&) = delete;
  ScopedRequestId& operator=(const ScopedRequestId&) = delete;

 private:
  std::string previous_;
};

inline void Debug(absl::string_view message, const Fields& fields = Fields::object()) {
  Write(Level::kDebug, "", message, fields);
}
inline void Info(absl::string_view message, const Fields& fields = Fields::object()) {
  Write(Level::kInfo, "", message, fields);
}
inline void Warn(absl::string_view message, const Fields& fields = Fields::object()) {
  Write(Level::kWarn, "", message, fields);
}
inline void Error(absl::string_view message, const Fields& fields = Fields::object()) {
  Write(Level::kError, "", message, fields);
}

// Logging on behalf of one request: every line carries its request id.
class RequestLog {
 public:
  explicit RequestLog(std::string request_id) : request_id_(std::move(request_id)) {}
  const std::string& request_id() const { return request_id_; }
  void Info(absl::string_view message, const Fields& fields = Fields::object()) const {
    Write(Level::kInfo, request_id_, message, fields);
  }
  void Warn(absl::string_view message, const Fields& fields = Fields::object()) const {
    Write(Level::kWarn, request_id_, message, fields);
  }
  void Error(absl::string_view message, const Fields& fields = Fields::object()) const {
    Write(Level::kError, request_id_, message, fields);
  }

 private:
  std::string request_id_;
};

// The JSON line for one event (pure; exposed for tests).
std::string FormatLine(absl::Time time, Level level, absl::string_view service,
                       absl::string_view request_id, absl::string_view message,
                       const Fields& fields);

}  // namespace chatter::log
