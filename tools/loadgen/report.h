// The result of a run: figures from the ledger and the connections, the pass/fail rule, and the
// text and JSON renderings printed at the end.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/time/time.h"
#include "tools/loadgen/delivery_ledger.h"
#include "tools/loadgen/process_usage.h"
#include "tools/loadgen/run_recorder.h"

namespace chatter::loadgen {

struct SetupStats {
  absl::Duration elapsed;
  uint64_t http_requests = 0;
  uint64_t http_retries = 0;  // 429/503 answers and reconnects that were retried.
};

// A watched process's resident memory before the WebSockets connected and once they had.
struct MemoryUse {
  std::string name;
  int64_t before_kib = 0;
  int64_t after_kib = 0;
};
// Matched by name; processes missing from either sample are left out.
std::vector<MemoryUse> MemoryAtConnect(const std::vector<ProcessUsage>& before,
                                       const std::vector<ProcessUsage>& after);

struct Report {
  int users = 0;
  int sessions_per_user = 1;
  int rooms = 0;
  double target_rate = 0;
  absl::Duration duration;
  absl::Duration warmup;
  int threads = 0;
  SetupStats setup;
  absl::Duration connect_elapsed;
  absl::Duration send_elapsed;
  absl::Duration drain_elapsed;
  absl::Duration total_elapsed;
  LedgerTotals deliveries;
  ConnectionStats connections;
  // CPU of the watched server processes from the first send until the drain ended.
  std::vector<ProcessUsage> processes;
  std::vector<MemoryUse> memory;

  // KiB of resident memory per ready connection that the connect phase added to the gateway and
  // realtime-svc together (the processes holding per-connection state); 0 without them.
  double ConnectionKib() const;

  // Everything that breaks the contract: failed or unanswered sends, duplicates, deliveries to
  // the wrong place, replies to nothing, connection failures and unexpected closes.
  uint64_t Errors() const;
  // Completeness at least `min_completeness` percent and at most `max_errors` errors.
  bool Passed(double min_completeness, int64_t max_errors) const;
};

std::string FormatText(const Report& report, bool passed);
nlohmann::json ToJson(const Report& report, bool passed);

}  // namespace chatter::loadgen
