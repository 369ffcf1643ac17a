// Rendering and the pass rule of a run's report (see report.h).
#include "tools/loadgen/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace chatter::loadgen {
namespace {

double Millis(int64_t nanos) { return static_cast<double>(nanos) / 1e6; }

double PerSecond(uint64_t count, absl::Duration over) {
  double seconds = absl::ToDoubleSeconds(over);
  return seconds > 0 ? static_cast<double>(count) / seconds : 0;
}

nlohmann::json LatencyJson(const LatencyHistogram& histogram) {
  return {{"samples", histogram.count()},
          {"p50_ms", Millis(histogram.Percentile(50))},
          {"p99_ms", Millis(histogram.Percentile(99))},
          {"max_ms", Millis(histogram.max())},
          {"mean_ms", histogram.mean() / 1e6}};
}

std::string LatencyLine(const LatencyHistogram& histogram) {
  return absl::StrFormat("p50 %.2f  p99 %.2f  max %.2f  (%d samples)",
                         Millis(histogram.Percentile(50)), Millis(histogram.Percentile(99)),
                         Millis(histogram.max()), histogram.count());
}

template <typename Map>
std::string Breakdown(const Map& counts) {
  std::string text;
  for (const auto& [key, count] : counts) {
    absl::StrAppend(&text, text.empty() ? "" : ", ", key, ": ", count);
  }
  return text;
}

template <typename Map>
nlohmann::json BreakdownJson(const Map& counts) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [key, count] : counts) json[absl::StrCat(key)] = count;
  return json;
}

double MicrosPer(double seconds, uint64_t count) {
  return count > 0 ? seconds * 1e6 / static_cast<double>(count) : 0;
}

// The gateway is the edge; the message path behind it is everything else.
bool IsGateway(const ProcessUsage& process) { return process.name == "gateway"; }

struct CpuTotals {
  double all = 0;
  double outside_gateway = 0;
};

CpuTotals TotalCpu(const std::vector<ProcessUsage>& processes) {
  CpuTotals totals;
  for (const ProcessUsage& process : processes) {
    totals.all += process.cpu_seconds;
    if (!IsGateway(process)) totals.outside_gateway += process.cpu_seconds;
  }
  return totals;
}

std::string UsageText(const Report& r) {
  if (r.processes.empty()) return "";
  const uint64_t messages = r.deliveries.acked;
  const uint64_t deliveries = r.deliveries.received_total;
  std::string text = absl::StrFormat(
      "server CPU    from the first send to the end of the drain (%.1f s); per acked message "
      "(%d) and per delivery (%d)\n",
      absl::ToDoubleSeconds(r.send_elapsed + r.drain_elapsed), messages, deliveries);
  for (const ProcessUsage& p : r.processes) {
    if (!p.ok) {
      absl::StrAppendFormat(&text, "  %-16s pid %d could not be read\n", p.name, p.pid);
      continue;
    }
    absl::StrAppendFormat(
        &text, "  %-16s %7.2f s  %8.1f us/msg  %6.2f us/delivery  peak RSS %.1f MiB\n", p.name,
        p.cpu_seconds, MicrosPer(p.cpu_seconds, messages), MicrosPer(p.cpu_seconds, deliveries),
        static_cast<double>(p.peak_rss_kib) / 1024.0);
  }
  CpuTotals totals = TotalCpu(r.processes);
  absl::StrAppendFormat(&text, "  %-16s %7.2f s  %8.1f us/msg  %6.2f us/delivery\n", "all",
                        totals.all, MicrosPer(totals.all, messages),
                        MicrosPer(totals.all, deliveries));
  absl::StrAppendFormat(&text, "  %-16s %7.2f s  %8.1f us/msg  %6.2f us/delivery\n",
                        "all but gateway", totals.outside_gateway,
                        MicrosPer(totals.outside_gateway, messages),
                        MicrosPer(totals.outside_gateway, deliveries));
  return text;
}

nlohmann::json UsageJson(const Report& r) {
  const uint64_t messages = r.deliveries.acked;
  const uint64_t deliveries = r.deliveries.received_total;
  nlohmann::json processes = nlohmann::json::array();
  for (const ProcessUsage& p : r.processes) {
    processes.push_back({{"name", p.name},
                         {"pid", p.pid},
                         {"ok", p.ok},
                         {"cpu_s", p.cpu_seconds},
                         {"us_per_message", MicrosPer(p.cpu_seconds, messages)},
                         {"us_per_delivery", MicrosPer(p.cpu_seconds, deliveries)},
                         {"peak_rss_kib", p.peak_rss_kib}});
  }
  CpuTotals totals = TotalCpu(r.processes);
  return {{"processes", processes},
          {"cpu_s", totals.all},
          {"us_per_message", MicrosPer(totals.all, messages)},
          {"us_per_delivery", MicrosPer(totals.all, deliveries)},
          {"outside_gateway_us_per_message", MicrosPer(totals.outside_gateway, messages)}};
}

// The processes that hold state per WebSocket.
bool HoldsConnections(const std::string& name) {
  return name == "gateway" || name == "realtime-svc";
}

nlohmann::json MemoryJson(const Report& r) {
  nlohmann::json processes = nlohmann::json::array();
  for (const MemoryUse& m : r.memory) {
    processes.push_back(
        {{"name", m.name}, {"before_kib", m.before_kib}, {"after_kib", m.after_kib}});
  }
  return {{"processes", processes}, {"connection_kib", r.ConnectionKib()}};
}

std::string MemoryText(const Report& r) {
  if (r.memory.empty()) return "";
  std::string text = "memory        resident, before the WebSockets connected -> after:";
  for (const MemoryUse& m : r.memory) {
    absl::StrAppendFormat(&text, " %s %.1f -> %.1f MiB;", m.name,
                          static_cast<double>(m.before_kib) / 1024.0,
                          static_cast<double>(m.after_kib) / 1024.0);
  }
  absl::StrAppendFormat(&text, "\n              gateway + realtime-svc: %.2f KiB per connection\n",
                        r.ConnectionKib());
  return text;
}

}  // namespace

std::vector<MemoryUse> MemoryAtConnect(const std::vector<ProcessUsage>& before,
                                       const std::vector<ProcessUsage>& after) {
  std::vector<MemoryUse> memory;
  for (const ProcessUsage& first : before) {
    for (const ProcessUsage& last : after) {
      if (last.name != first.name || !first.ok || !last.ok) continue;
      memory.push_back(
          {.name = first.name, .before_kib = first.rss_kib, .after_kib = last.rss_kib});
    }
  }
  return memory;
}

double Report::ConnectionKib() const {
  if (connections.ready <= 0) return 0;
  int64_t added = 0;
  for (const MemoryUse& m : memory) {
    if (HoldsConnections(m.name)) added += m.after_kib - m.before_kib;
  }
  return static_cast<double>(added) / connections.ready;
}

uint64_t Report::Errors() const {
  return deliveries.send_failed + deliveries.unacked + deliveries.duplicates + deliveries.foreign +
         deliveries.unexpected_replies + connections.Errors();
}

bool Report::Passed(double min_completeness, int64_t max_errors) const {
  return deliveries.CompletenessPercent() >= min_completeness &&
         Errors() <= static_cast<uint64_t>(max_errors);
}

std::string FormatText(const Report& r, bool passed) {
  const LedgerTotals& d = r.deliveries;
  const ConnectionStats& c = r.connections;
  std::string text = absl::StrFormat(
      "loadgen: %d users (%d WebSockets each) in %d rooms, %.1f msg/s for %.1f s (+%.1f s "
      "warmup), %d threads\n",
      r.users, r.sessions_per_user, r.rooms, r.target_rate, absl::ToDoubleSeconds(r.duration),
      absl::ToDoubleSeconds(r.warmup), r.threads);
  absl::StrAppendFormat(&text, "setup         %.1f s, %d HTTP requests, %d retried\n",
                        absl::ToDoubleSeconds(r.setup.elapsed), r.setup.http_requests,
                        r.setup.http_retries);
  absl::StrAppendFormat(
      &text, "connections   %d ready, %d failed, %d closed unexpectedly (%.1f s, %.0f/s)\n",
      c.ready, c.failed, c.unexpected_closes, absl::ToDoubleSeconds(r.connect_elapsed),
      PerSecond(static_cast<uint64_t>(c.ready), r.connect_elapsed));
  if (!c.failure_reasons.empty()) {
    absl::StrAppend(&text, "  failures    ", Breakdown(c.failure_reasons), "\n");
  }
  if (!c.close_codes.empty()) {
    absl::StrAppend(&text, "  close codes ", Breakdown(c.close_codes), "\n");
  }
  if (!c.interruptions.empty()) {
    absl::StrAppendFormat(
        &text, "  cut off     %s; %d resumed with since_seq, all back within %.2f s\n",
        Breakdown(c.interruptions), c.resumed, absl::ToDoubleSeconds(c.longest_recovery));
  }
  if (!c.unsolicited_errors.empty()) {
    absl::StrAppend(&text, "  error frames without ref ", Breakdown(c.unsolicited_errors), "\n");
  }
  absl::StrAppendFormat(&text, "sent          %d (%.1f/s), acked %d, send errors %d, unacked %d\n",
                        d.sent, PerSecond(d.sent, r.send_elapsed), d.acked, d.send_failed,
                        d.unacked);
  if (!d.send_errors_by_code.empty()) {
    absl::StrAppend(&text, "  send errors ", Breakdown(d.send_errors_by_code), "\n");
  }
  absl::StrAppendFormat(
      &text, "deliveries    expected %d, received %d (unique %d), duplicates %d, foreign %d\n",
      d.expected, d.received_total, d.received_unique, d.duplicates, d.foreign);
  absl::StrAppendFormat(&text, "completeness  %.3f %%\n", d.CompletenessPercent());
  absl::StrAppend(&text, "latency ms    ", LatencyLine(d.delivery_latency),
                  "  send -> receive_message\n");
  absl::StrAppend(&text, "ack ms        ", LatencyLine(d.ack_latency), "\n");
  absl::StrAppendFormat(&text,
                        "other         order violations %d, unfilled gaps %d, resync_required %d, "
                        "unexpected replies %d\n",
                        c.order_violations, c.unfilled_gaps, c.resyncs, d.unexpected_replies);
  absl::StrAppend(&text, UsageText(r));
  absl::StrAppend(&text, MemoryText(r));
  absl::StrAppendFormat(&text, "elapsed       %.1f s (sending %.1f s, drain %.1f s)\n",
                        absl::ToDoubleSeconds(r.total_elapsed),
                        absl::ToDoubleSeconds(r.send_elapsed),
                        absl::ToDoubleSeconds(r.drain_elapsed));
  absl::StrAppendFormat(&text, "errors        %d  => %s\n", r.Errors(), passed ? "PASS" : "FAIL");
  return text;
}

nlohmann::json ToJson(const Report& r, bool passed) {
  const LedgerTotals& d = r.deliveries;
  const ConnectionStats& c = r.connections;
  return {
      {"passed", passed},
      {"users", r.users},
      {"sessions_per_user", r.sessions_per_user},
      {"rooms", r.rooms},
      {"target_rate", r.target_rate},
      {"duration_s", absl::ToDoubleSeconds(r.duration)},
      {"warmup_s", absl::ToDoubleSeconds(r.warmup)},
      {"threads", r.threads},
      {"setup",
       {{"elapsed_s", absl::ToDoubleSeconds(r.setup.elapsed)},
        {"http_requests", r.setup.http_requests},
        {"http_retries", r.setup.http_retries}}},
      {"connections",
       {{"ready", c.ready},
        {"failed", c.failed},
        {"failure_reasons", BreakdownJson(c.failure_reasons)},
        {"unexpected_closes", c.unexpected_closes},
        {"close_codes", BreakdownJson(c.close_codes)},
        {"unsolicited_errors", BreakdownJson(c.unsolicited_errors)},
        {"interruptions", BreakdownJson(c.interruptions)},
        {"resumed", c.resumed},
        {"longest_recovery_s", absl::ToDoubleSeconds(c.longest_recovery)},
        {"elapsed_s", absl::ToDoubleSeconds(r.connect_elapsed)},
        {"per_second", PerSecond(static_cast<uint64_t>(c.ready), r.connect_elapsed)}}},
      {"memory", MemoryJson(r)},
      {"sent", d.sent},
      {"send_rate", PerSecond(d.sent, r.send_elapsed)},
      {"acked", d.acked},
      {"send_errors", d.send_failed},
      {"send_errors_by_code", BreakdownJson(d.send_errors_by_code)},
      {"unacked", d.unacked},
      {"expected_deliveries", d.expected},
      {"received", d.received_total},
      {"received_unique", d.received_unique},
      {"duplicates", d.duplicates},
      {"foreign", d.foreign},
      {"unexpected_replies", d.unexpected_replies},
      {"order_violations", c.order_violations},
      {"unfilled_gaps", c.unfilled_gaps},
      {"resyncs", c.resyncs},
      {"server_cpu", UsageJson(r)},
      {"completeness_percent", d.CompletenessPercent()},
      {"latency", LatencyJson(d.delivery_latency)},
      {"ack_latency", LatencyJson(d.ack_latency)},
      {"errors", r.Errors()},
      {"elapsed_s", absl::ToDoubleSeconds(r.total_elapsed)},
      {"send_elapsed_s", absl::ToDoubleSeconds(r.send_elapsed)},
      {"drain_elapsed_s", absl::ToDoubleSeconds(r.drain_elapsed)},
  };
}

}  // namespace chatter::loadgen
