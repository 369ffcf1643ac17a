// Typed settings read from environment variables, validated at start-up. Every problem names
// its variable; secrets never appear in errors or in the effective-configuration summary.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace chatter::config {

// Where values come from: the process environment in production, a map in tests.
class EnvSource {
 public:
  virtual ~EnvSource() = default;
  virtual std::optional<std::string> Get(absl::string_view name) const = 0;
};

class ProcessEnv final : public EnvSource {
 public:
  std::optional<std::string> Get(absl::string_view name) const override;
};

class MapEnv final : public EnvSource {
 public:
  explicit MapEnv(absl::flat_hash_map<std::string, std::string> values)
      : values_(std::move(values)) {}
  std::optional<std::string> Get(absl::string_view name) const override;

 private:
  absl::flat_hash_map<std::string, std::string> values_;
};

// Reads settings one by one, remembering the first error and what was read, so a component can
// read all its settings and the process checks status() once.
class ConfigReader {
 public:
  explicit ConfigReader(const EnvSource& env) : env_(env) {}

  std::string String(absl::string_view name, absl::string_view default_value);
  // Required secret: masked in Effective(), never echoed in errors.
  std::string Secret(absl::string_view name);
  // Optional secret; empty when unset.
  std::string OptionalSecret(absl::string_view name);
  int64_t Int(absl::string_view name, int64_t default_value, int64_t min, int64_t max);
  bool Bool(absl::string_view name, bool default_value);
  // A duration given in milliseconds.
  absl::Duration Millis(absl::string_view name, int64_t default_ms, int64_t min_ms, int64_t max_ms);
  // "host:port" or "[v6]:port"; port 0 means "any free port".
  std::string HostPort(absl::string_view name, absl::string_view default_value);
  // Where a gRPC client connects: "host:port"; a comma-separated list of IPv4 "a.b.c.d:port"
  // (tried in order, failing over to the next: returned as gRPC's "ipv4:a:p,b:q" target); or a
  // gRPC "dns:///name:port" target as it is (every address the name resolves to).
  std::string GrpcTarget(absl::string_view name, absl::string_view default_value);
  // One of `allowed`.
  std::string Enum(absl::string_view name, absl::string_view default_value,
                   const std::vector<std::string>& allowed);
  // Comma-separated list, items trimmed, empty items dropped.
  std::vector<std::string> List(absl::string_view name, absl::string_view default_value);
  // Required postgresql:// or postgres:// URL; shown with the password masked.
  std::string PostgresUrl(absl::string_view name);
  // Required redis:// URL; shown with the password masked.
  std::string RedisUrl(absl::string_view name);
  // The same, but "" when unset (a feature that works without Redis).
  std::string OptionalRedisUrl(absl::string_view name);

  // A setting that no longer exists: set, it stops the start naming what replaced it, rather
  // than being silently ignored (an operator's old limit would quietly stop applying).
  void Removed(absl::string_view name, absl::string_view replacement);

  // Records a problem found by the caller's own parsing of a value read here (e.g. a key list),
  // so it is reported like any other bad setting.
  void Reject(absl::string_view name, absl::string_view problem) { Fail(name, problem); }

  // OK, or the first problem: "CHATTER_DB_POOL_SIZE: must be an integer in [1, 256], got \"x\"".
  const absl::Status& status() const { return status_; }
  // Every setting read, as printed at start (secrets masked), in name order.
  const std::map<std::string, std::string>& Effective() const { return effective_; }

 private:
  std::optional<std::string> Raw(absl::string_view name);
  void Fail(absl::string_view name, absl::string_view problem);
  std::string Url(absl::string_view name, const std::vector<absl::string_view>& schemes,
                  bool required = true);

  const EnvSource& env_;
  absl::Status status_;
  std::map<std::string, std::string> effective_;
};

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db"; also masks a
// `password=` query parameter. Anything unparseable is returned fully masked.
std::string MaskUrlPassword(absl::string_view url);

// Splits "host:port" / "[::1]:port"; nullopt when malformed.
struct HostAndPort {
  std::string host;
  uint16_t port;
};
std::optional<HostAndPort> ParseHostPort(absl::string_view value);

}  // namespace chatter::config
