// Structured JSON logs on top of spdlog (which owns sinks, locking and flushing).
#include "libs/log/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <utility>

#include "absl/time/clock.h"

namespace chatter::log {
namespace {

// Written once by Init before any thread logs; read-only afterwards.
std::string& ServiceName() {
  static std::string name = "chatter";
  return name;
}

std::atomic<int> min_level{static_cast<int>(Level::kInfo)};

// The current request of each thread; only ScopedRequestId changes it.
thread_local std::string current_request_id;

spdlog::level::level_enum ToSpdlog(Level level) {
  switch (level) {
    case Level::kTrace:
      return spdlog::level::trace;
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
    case Level::kCritical:
      return spdlog::level::critical;
  }
  return spdlog::level::info;
}

}  // namespace

std::optional<Level> ParseLevel(absl::string_view name) {
  if (name == "trace") return Level::kTrace;
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warn" || name == "warning") return Level::kWarn;
  if (name == "error") return Level::kError;
  if (name == "critical") return Level::kCritical;
  return std::nullopt;
}

absl::string_view LevelName(Level level) {
  switch (level) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
    case Level::kCritical:
      return "critical";
  }
  return "info";
}

void InitWithSink(absl::string_view service, Level level,
                  std::shared_ptr<spdlog::sinks::sink> sink) {
  ServiceName() = std::string(service);
  min_level = static_cast<int>(level);
  auto logger = std::make_shared<spdlog::logger>(std::string(service), std::move(sink));
  logger->set_pattern("%v");  // The line is complete JSON already.
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);  // Logs must survive a crash.
  spdlog::set_default_logger(std::move(logger));
}

void Init(absl::string_view service, Level level) {
  InitWithSink(service, level, std::make_shared<spdlog::sinks::stdout_sink_mt>());
}

bool Enabled(Level level) { return static_cast<int>(level) >= min_level.load(); }

std::string FormatLine(absl::Time time, Level level, absl::string_view service,
                       absl::string_view request_id, absl::string_view message,
                       const Fields& fields) {
  nlohmann::ordered_json line;
  line["time"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
  line["level"] = std::string(LevelName(level));
  line["service"] = std::string(service);
  if (!request_id.empty()) line["request_id"] = std::string(request_id);
  line["message"] = std::string(message);
  if (fields.is_object() && !fields.empty()) line["fields"] = fields;
  // Messages may echo client input: replace invalid UTF-8 instead of throwing.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

const std::string& CurrentRequestId() { return current_request_id; }

ScopedRequestId::ScopedRequestId(std::string request_id)
    : previous_(std::exchange(current_request_id, std::move(request_id))) {}

ScopedRequestId::~ScopedRequestId() { current_request_id = std::move(previous_); }

void Write(Level level, absl::string_view request_id, absl::string_view message,
           const Fields& fields) {
  if (!Enabled(level)) return;
  if (request_id.empty()) request_id = current_request_id;
  std::string line = FormatLine(absl::Now(), level, ServiceName(), request_id, message, fields);
  spdlog::default_logger_raw()->log(ToSpdlog(level), line);
}

}  // namespace chatter::log
