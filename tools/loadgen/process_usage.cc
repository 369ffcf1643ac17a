// Per-process CPU and memory from /proc (see process_usage.h).
#include "tools/loadgen/process_usage.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace chatter::loadgen {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::vector<WatchedProcess>> ParseWatchList(absl::string_view text) {
  std::vector<WatchedProcess> processes;
  if (text.empty()) return processes;
  for (absl::string_view entry : absl::StrSplit(text, ',')) {
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(entry, '=');
    int pid = 0;
    if (parts.first.empty() || !absl::SimpleAtoi(parts.second, &pid) || pid <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--watch entry \"", entry, "\" is not name=pid"));
    }
    processes.push_back({std::string(parts.first), pid});
  }
  return processes;
}

absl::StatusOr<double> CpuSecondsFromStat(absl::string_view stat, long clock_ticks_per_second) {
  size_t close = stat.rfind(')');
  if (close == absl::string_view::npos || clock_ticks_per_second <= 0) {
    return absl::InvalidArgumentError("not a /proc/<pid>/stat line");
  }
  // After "pid (comm) " come state (field 3) ... utime (14) and stime (15).
  std::vector<absl::string_view> fields =
      absl::StrSplit(stat.substr(close + 1), ' ', absl::SkipEmpty());
  constexpr size_t kUtime = 14 - 3;
  constexpr size_t kStime = 15 - 3;
  uint64_t utime = 0;
  uint64_t stime = 0;
  if (fields.size() <= kStime || !absl::SimpleAtoi(fields[kUtime], &utime) ||
      !absl::SimpleAtoi(fields[kStime], &stime)) {
    return absl::InvalidArgumentError("not a /proc/<pid>/stat line");
  }
  return static_cast<double>(utime + stime) / static_cast<double>(clock_ticks_per_second);
}

int64_t PeakRssKibFromStatus(absl::string_view status) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (!absl::ConsumePrefix(&line, "VmHWM:")) continue;
    line = absl::StripAsciiWhitespace(line);
    absl::ConsumeSuffix(&line, "kB");
    int64_t kib = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kib)) return kib;
  }
  return 0;
}

std::vector<ProcessUsage> SampleUsage(const std::vector<WatchedProcess>& processes) {
  const long ticks = sysconf(_SC_CLK_TCK);
  std::vector<ProcessUsage> usage;
  for (const WatchedProcess& process : processes) {
    ProcessUsage sample{.name = process.name, .pid = process.pid};
    absl::StatusOr<double> cpu =
        CpuSecondsFromStat(ReadFile(absl::StrCat("/proc/", process.pid, "/stat")), ticks);
    sample.ok = cpu.ok();
    if (cpu.ok()) sample.cpu_seconds = *cpu;
    sample.peak_rss_kib =
        PeakRssKibFromStatus(ReadFile(absl::StrCat("/proc/", process.pid, "/status")));
    usage.push_back(std::move(sample));
  }
  return usage;
}

std::vector<ProcessUsage> UsageBetween(const std::vector<ProcessUsage>& start,
                                       const std::vector<ProcessUsage>& end) {
  std::vector<ProcessUsage> usage;
  for (size_t i = 0; i < start.size() && i < end.size(); ++i) {
    ProcessUsage delta = end[i];
    delta.ok = start[i].ok && end[i].ok;
    delta.cpu_seconds = delta.ok ? end[i].cpu_seconds - start[i].cpu_seconds : 0;
    usage.push_back(std::move(delta));
  }
  return usage;
}

std::vector<ProcessUsage> MergeByName(const std::vector<ProcessUsage>& usage) {
  std::vector<ProcessUsage> merged;
  for (const ProcessUsage& part : usage) {
    auto same = std::find_if(merged.begin(), merged.end(),
                             [&](const ProcessUsage& entry) { return entry.name == part.name; });
    if (same == merged.end()) {
      merged.push_back(part);
      continue;
    }
    same->cpu_seconds += part.cpu_seconds;
    same->peak_rss_kib += part.peak_rss_kib;
    same->ok = same->ok && part.ok;
  }
  return merged;
}

}  // namespace chatter::loadgen
