// loadgen: drives a ChatterStack gateway with many WebSocket users and checks that every message
// reaches every room member exactly once, reporting completeness and latency. Wiring only.
#include <cstdio>
#include <iostream>
#include <random>

#include "absl/flags/usage.h"
#include "tools/loadgen/options.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/runner.h"

namespace {
constexpr int kExitFailed = 1;  // The run completed but missed --min_completeness/--max_errors.
constexpr int kExitCannotRun = 2;
// Above this many messages per second per user, sends may meet the gateway's per-session limit.
constexpr double kPerUserRateNote = 10;
}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Load generator for the ChatterStack gateway: signs up --users users, seats them in "
      "--rooms public rooms, opens one WebSocket each and sends --rate messages/s for "
      "--duration s.\nExample: loadgen --url=http://127.0.0.1:8080 --users=200 --rooms=10 "
      "--rate=100 --duration=10");
  std::random_device entropy;
  uint64_t random_bits = (static_cast<uint64_t>(entropy()) << 32) ^ entropy();
  absl::StatusOr<chatter::loadgen::Options> options =
      chatter::loadgen::ParseOptions(argc, argv, random_bits);
  if (!options.ok()) {
    std::cerr << "loadgen: " << options.status().message() << "\n";
    return kExitCannotRun;
  }
  std::cerr << "loadgen: users " << options->prefix << "-0.." << options->users - 1 << " on "
            << options->url_text << "\n";
  if (double per_user = options->rate / options->users; per_user > kPerUserRateNote) {
    std::cerr << "loadgen: note: about " << per_user
              << " messages/s per user; the gateway limits each WebSocket session "
                 "(CHATTER_WS_EVENTS_PER_SECOND, default 20) and answers resource_exhausted "
                 "beyond it\n";
  }

  chatter::loadgen::Runner runner(*options, [](const std::string& line) {
    std::cerr << "loadgen: " << line << std::endl;  // Flushed: scripts wait for these lines.
  });
  absl::StatusOr<chatter::loadgen::Report> report = runner.Run();
  if (!report.ok()) {
    std::cerr << "loadgen: " << report.status().message() << "\n";
    return kExitCannotRun;
  }
  bool passed = report->Passed(options->min_completeness, options->max_errors);
  std::cout << chatter::loadgen::FormatText(*report, passed);
  if (options->json) std::cout << chatter::loadgen::ToJson(*report, passed).dump() << "\n";
  std::cout.flush();
  return passed ? 0 : kExitFailed;
}
