// Command-line options of the load generator: absl flags read into one immutable Options value,
// checked before anything connects.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tools/loadgen/process_usage.h"
#include "tools/loadgen/reconnect_policy.h"

namespace chatter::loadgen {

// Where the gateway listens: http://host[:port][/prefix] (ws:// is accepted as a synonym).
struct BaseUrl {
  std::string host;
  uint16_t port = 80;
  std::string path_prefix;  // "" or "/something", never ending in '/'.

  // The Host header value: "host" or "host:port".
  std::string HostHeader() const;
};

absl::StatusOr<BaseUrl> ParseBaseUrl(absl::string_view url);

struct Options {
  BaseUrl url;
  std::string url_text;
  int users = 1000;
  int rooms = 20;
  // WebSockets per user (all in the user's room): connections without as many slow sign-ups.
  int sessions_per_user = 1;
  // Connections spread over 127.0.0.1 .. 127.0.0.N as source addresses (one address has about
  // 28k ephemeral ports towards one gateway port).
  int source_addresses = 1;
  double rate = 200;  // Messages per second, all senders together; 0: idle (connect and hold).
  absl::Duration duration = absl::Seconds(20);
  absl::Duration warmup = absl::ZeroDuration();
  absl::Duration drain = absl::Seconds(5);
  int threads = 2;
  std::string password;
  std::string prefix;  // Usernames are "<prefix>-<index>".
  double ws_connect_rate = 200;
  absl::Duration connect_timeout = absl::Seconds(10);
  int signup_parallelism = 8;
  int http_parallelism = 32;
  int message_bytes = 0;  // Pads message content to this many bytes (0: no padding).
  double min_completeness = 100;
  int64_t max_errors = 0;
  uint64_t seed = 0;
  // Sessions cut off with 1001/1012/1013 or without a close frame come back and resume.
  ReconnectPolicy reconnect;
  bool json = false;
  // Server processes whose CPU and peak RSS the report shows (tools/dev bench fills it).
  std::vector<WatchedProcess> watch;

  int connections() const { return users * sessions_per_user; }
  bool idle() const { return rate == 0; }
};

// Rewrites "--ws-connect-rate=5" to "--ws_connect_rate=5": absl flag names cannot contain dashes,
// but the documented spelling has them. Only the name part of "--name[=value]" changes; a lone
// "--" ends the flags and everything after it is kept as is.
std::vector<std::string> NormalizeFlagNames(std::vector<std::string> args);

// "lg" followed by 6 characters of [a-z0-9] derived from `random_bits`: unique enough that runs
// against the same database do not collide on usernames.
std::string RandomPrefix(uint64_t random_bits);

// Parses argv with absl (which prints usage and exits on --help or an unknown flag) and returns
// the options. `random_bits` fills the defaults of --prefix and --seed.
absl::StatusOr<Options> ParseOptions(int argc, char** argv, uint64_t random_bits);

// The options as the flags currently hold them, validated.
absl::StatusOr<Options> OptionsFromFlags(uint64_t random_bits);

// INVALID_ARGUMENT naming the first bad option.
absl::Status ValidateOptions(const Options& options);

}  // namespace chatter::loadgen
