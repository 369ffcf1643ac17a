// Flag definitions and validation for the load generator (see options.h).
#include "tools/loadgen/options.h"

#include <algorithm>
#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

ABSL_FLAG(std::string, url, "http://127.0.0.1:8080", "Gateway base URL (plain HTTP).");
ABSL_FLAG(int32_t, users, 1000, "Users to sign up; each opens one WebSocket.");
ABSL_FLAG(int32_t, rooms, 20, "Public rooms; users are split evenly between them.");
ABSL_FLAG(int32_t, sessions_per_user, 1,
          "WebSockets per user, all in the user's room (more connections without more of the "
          "deliberately slow sign-ups); above 1, --users must be a multiple of --rooms.");
ABSL_FLAG(int32_t, source_addresses, 1,
          "Spread the WebSockets over the source addresses 127.0.0.1 .. 127.0.0.N (a loopback "
          "--url only): one address has about 28k ephemeral ports towards one gateway port.");
ABSL_FLAG(double, rate, 200,
          "Messages per second, all senders together; 0 = idle: connect everyone, hold the "
          "connections for --duration and report memory per connection.");
ABSL_FLAG(double, duration, 20, "Seconds of measured sending.");
ABSL_FLAG(double, warmup, 0,
          "Seconds of sending before the measured part; those messages count for delivery "
          "checks but not for latency figures.");
ABSL_FLAG(double, drain, 5,
          "Seconds to wait after the last send for acks and deliveries (stops early when "
          "everything arrived).");
ABSL_FLAG(int32_t, threads, 2, "I/O threads.");
ABSL_FLAG(std::string, password, "loadgen-password", "Password of every generated user.");
ABSL_FLAG(std::string, prefix, "",
          "Username prefix, users are <prefix>-<n> (default: random, so runs never collide).");
ABSL_FLAG(double, ws_connect_rate, 200, "New WebSocket connections per second.");
ABSL_FLAG(double, connect_timeout, 10,
          "Seconds a WebSocket may take from its start to its ready frame.");
ABSL_FLAG(int32_t, signup_parallelism, 8,
          "Concurrent signups (each one is an expensive password hash on the server).");
ABSL_FLAG(int32_t, http_parallelism, 32, "Concurrent room creations and joins.");
ABSL_FLAG(int32_t, message_bytes, 0, "Pad message content to this many bytes (max 4000).");
ABSL_FLAG(double, min_completeness, 100,
          "Lowest delivery completeness (percent) that still exits 0.");
ABSL_FLAG(int64_t, max_errors, 0, "Most errors (send, connection, duplicates) that still exit 0.");
ABSL_FLAG(uint64_t, seed, 0, "Seed for picking senders (0: random).");
ABSL_FLAG(bool, reconnect, true,
          "Sessions closed with 1001, 1012 or 1013, or cut without a close frame, reconnect with "
          "jittered backoff, resubscribe with since_seq and send their unanswered messages again "
          "(same client_msg_id); off: such a close is an error.");
ABSL_FLAG(double, reconnect_give_up, 60,
          "Seconds a cut-off session keeps trying to come back before it counts as closed.");
ABSL_FLAG(bool, json, false, "Also print the result as one JSON object on its own line.");
ABSL_FLAG(std::string, watch, "",
          "Server processes to measure, name=pid,...: the report shows each one's CPU seconds "
          "from the first send until every delivery is in, per message and per delivery.");

namespace chatter::loadgen {
namespace {

constexpr int kMaxUsernameLength = 32;
constexpr int kMaxContentBytes = 4000;

int DecimalDigits(int64_t value) {
  int digits = 1;
  while (value >= 10) {
    value /= 10;
    ++digits;
  }
  return digits;
}

bool IsUsernameChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return absl::ascii_islower(u) || absl::ascii_isdigit(u) || c == '_' || c == '.' || c == '-';
}

absl::Status Invalid(absl::string_view flag, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, " ", reason));
}

}  // namespace

std::string BaseUrl::HostHeader() const {
  bool ipv6 = host.find(':') != std::string::npos;
  std::string name = ipv6 ? absl::StrCat("[", host, "]") : host;
  return port == 80 ? name : absl::StrCat(name, ":", port);
}

absl::StatusOr<BaseUrl> ParseBaseUrl(absl::string_view url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "http://") && !absl::ConsumePrefix(&rest, "ws://")) {
    if (absl::StartsWith(url, "https://") || absl::StartsWith(url, "wss://")) {
      return absl::InvalidArgumentError(
          absl::StrCat("TLS is not supported, point --url at a plain HTTP listener: ", url));
    }
    return absl::InvalidArgumentError(absl::StrCat("URL must start with http://: ", url));
  }
  if (rest.find_first_of("?#") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("URL may not have a query or fragment: ", url));
  }
  size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  BaseUrl result;
  if (slash != absl::string_view::npos) {
    absl::string_view path = rest.substr(slash);
    while (absl::ConsumeSuffix(&path, "/")) {
    }
    result.path_prefix = std::string(path);
  }
  absl::string_view port_text;
  if (absl::ConsumePrefix(&authority, "[")) {  // [v6-address]:port
    size_t close = authority.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("unterminated IPv6 address: ", url));
    }
    result.host = std::string(authority.substr(0, close));
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty() && !absl::ConsumePrefix(&after, ":")) {
      return absl::InvalidArgumentError(absl::StrCat("bad host: ", url));
    }
    port_text = after;
  } else {
    size_t colon = authority.rfind(':');
    result.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) port_text = authority.substr(colon + 1);
    if (colon != absl::string_view::npos && port_text.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("empty port: ", url));
    }
  }
  if (result.host.empty()) return absl::InvalidArgumentError(absl::StrCat("no host: ", url));
  if (!port_text.empty()) {
    uint32_t port = 0;
    if (!absl::SimpleAtoi(port_text, &port) || port == 0 || port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("bad port: ", url));
    }
    result.port = static_cast<uint16_t>(port);
  }
  return result;
}

std::vector<std::string> NormalizeFlagNames(std::vector<std::string> args) {
  for (size_t i = 1; i < args.size(); ++i) {
    std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    size_t name_start = arg.find_first_not_of('-');
    size_t name_end = std::min(arg.find('='), arg.size());
    for (size_t k = name_start; k < name_end; ++k) {
      if (arg[k] == '-') arg[k] = '_';
    }
  }
  return args;
}

std::string RandomPrefix(uint64_t random_bits) {
  constexpr absl::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string prefix = "lg";
  for (int i = 0; i < 6; ++i) {
    prefix.push_back(kAlphabet[random_bits % kAlphabet.size()]);
    random_bits /= kAlphabet.size();
  }
  return prefix;
}

absl::StatusOr<Options> ParseOptions(int argc, char** argv, uint64_t random_bits) {
  // --help lists the flags of this directory (absl's default looks for a file named after the
  // program).
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view path) {
    return absl::StrContains(path, "tools/loadgen/");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  std::vector<std::string> args = NormalizeFlagNames(std::vector<std::string>(argv, argv + argc));
  std::vector<char*> pointers;
  for (std::string& arg : args) pointers.push_back(arg.data());
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(pointers.size()), pointers.data());
  if (positional.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected argument \"", positional[1], "\" (options are --name=value)"));
  }
  return OptionsFromFlags(random_bits);
}

absl::StatusOr<Options> OptionsFromFlags(uint64_t random_bits) {
  Options options;
  options.url_text = absl::GetFlag(FLAGS_url);
  absl::StatusOr<BaseUrl> url = ParseBaseUrl(options.url_text);
  if (!url.ok()) return url.status();
  options.url = *std::move(url);
  options.users = absl::GetFlag(FLAGS_users);
  options.rooms = absl::GetFlag(FLAGS_rooms);
  options.sessions_per_user = absl::GetFlag(FLAGS_sessions_per_user);
  options.source_addresses = absl::GetFlag(FLAGS_source_addresses);
  options.rate = absl::GetFlag(FLAGS_rate);
  options.duration = absl::Seconds(absl::GetFlag(FLAGS_duration));
  options.warmup = absl::Seconds(absl::GetFlag(FLAGS_warmup));
  options.drain = absl::Seconds(absl::GetFlag(FLAGS_drain));
  options.threads = absl::GetFlag(FLAGS_threads);
  options.password = absl::GetFlag(FLAGS_password);
  options.prefix = absl::GetFlag(FLAGS_prefix);
  if (options.prefix.empty()) options.prefix = RandomPrefix(random_bits);
  options.ws_connect_rate = absl::GetFlag(FLAGS_ws_connect_rate);
  options.connect_timeout = absl::Seconds(absl::GetFlag(FLAGS_connect_timeout));
  options.signup_parallelism = absl::GetFlag(FLAGS_signup_parallelism);
  options.http_parallelism = absl::GetFlag(FLAGS_http_parallelism);
  options.message_bytes = absl::GetFlag(FLAGS_message_bytes);
  options.min_completeness = absl::GetFlag(FLAGS_min_completeness);
  options.max_errors = absl::GetFlag(FLAGS_max_errors);
  options.seed = absl::GetFlag(FLAGS_seed);
  if (options.seed == 0) options.seed = random_bits | 1;
  options.reconnect.enabled = absl::GetFlag(FLAGS_reconnect);
  options.reconnect.give_up_after = absl::Seconds(absl::GetFlag(FLAGS_reconnect_give_up));
  options.json = absl::GetFlag(FLAGS_json);
  absl::StatusOr<std::vector<WatchedProcess>> watch = ParseWatchList(absl::GetFlag(FLAGS_watch));
  if (!watch.ok()) return watch.status();
  options.watch = *std::move(watch);
  if (absl::Status valid = ValidateOptions(options); !valid.ok()) return valid;
  return options;
}

absl::Status ValidateOptions(const Options& o) {
  if (o.users < 1) return Invalid("users", "must be at least 1");
  if (o.rooms < 1 || o.rooms > o.users) return Invalid("rooms", "must be between 1 and --users");
  if (!(o.rate >= 0)) return Invalid("rate", "must be >= 0");
  if (o.sessions_per_user < 1 || o.sessions_per_user > 1000) {
    return Invalid("sessions_per_user", "must be 1-1000");
  }
  if (o.sessions_per_user > 1 && o.users % o.rooms != 0) {
    return Invalid("users", "must be a multiple of --rooms with several sessions per user");
  }
  if (static_cast<int64_t>(o.users) * o.sessions_per_user > 1'000'000) {
    return Invalid("sessions_per_user", "gives more than 1,000,000 connections");
  }
  if (o.source_addresses < 1 || o.source_addresses > 254) {
    return Invalid("source_addresses", "must be 1-254");
  }
  if (o.duration <= absl::ZeroDuration()) return Invalid("duration", "must be > 0");
  if (o.warmup < absl::ZeroDuration()) return Invalid("warmup", "must be >= 0");
  if (o.drain < absl::ZeroDuration()) return Invalid("drain", "must be >= 0");
  if (o.threads < 1 || o.threads > 256) return Invalid("threads", "must be 1-256");
  if (o.password.size() < 8 || o.password.size() > 128) {
    return Invalid("password", "must be 8-128 characters (the server's rule)");
  }
  if (o.prefix.empty()) return Invalid("prefix", "must not be empty");
  for (char c : o.prefix) {
    if (!IsUsernameChar(c)) return Invalid("prefix", "may only hold a-z, 0-9, _ . -");
  }
  int username_length = static_cast<int>(o.prefix.size()) + 1 + DecimalDigits(o.users - 1);
  if (username_length > kMaxUsernameLength) {
    return Invalid("prefix",
                   absl::StrCat("is too long: usernames \"", o.prefix, "-<n>\" reach ",
                                username_length, " characters, the limit is ", kMaxUsernameLength));
  }
  if (username_length < 3) return Invalid("prefix", "is too short: usernames need 3 characters");
  if (!(o.ws_connect_rate > 0)) return Invalid("ws_connect_rate", "must be > 0");
  if (o.connect_timeout <= absl::ZeroDuration()) return Invalid("connect_timeout", "must be > 0");
  if (o.signup_parallelism < 1) return Invalid("signup_parallelism", "must be at least 1");
  if (o.http_parallelism < 1) return Invalid("http_parallelism", "must be at least 1");
  if (o.message_bytes < 0 || o.message_bytes > kMaxContentBytes) {
    return Invalid("message_bytes", absl::StrCat("must be 0-", kMaxContentBytes));
  }
  if (!(o.min_completeness >= 0 && o.min_completeness <= 100)) {
    return Invalid("min_completeness", "must be 0-100");
  }
  if (o.max_errors < 0) return Invalid("max_errors", "must be >= 0");
  if (o.reconnect.give_up_after <= absl::ZeroDuration()) {
    return Invalid("reconnect_give_up", "must be > 0");
  }
  return absl::OkStatus();
}

}  // namespace chatter::loadgen
