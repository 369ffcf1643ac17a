// Per-process CPU and memory from /proc (see process_usage.h).
#include "tools/loadgen/process_usage.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
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
    absl::string_view pid_text = parts.second;
    bool with_children = absl::ConsumeSuffix(&pid_text, ":tree");
    int pid = 0;
    if (parts.first.empty() || !absl::SimpleAtoi(pid_text, &pid) || pid <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--watch entry \"", entry, "\" is not name=pid or name=pid:tree"));
    }
    processes.push_back({std::string(parts.first), pid, with_children});
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

namespace {

int64_t KibField(absl::string_view status, absl::string_view field) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (!absl::ConsumePrefix(&line, field)) continue;
    line = absl::StripAsciiWhitespace(line);
    absl::ConsumeSuffix(&line, "kB");
    int64_t kib = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kib)) return kib;
  }
  return 0;
}

}  // namespace

int64_t PeakRssKibFromStatus(absl::string_view status) { return KibField(status, "VmHWM:"); }

int64_t RssKibFromStatus(absl::string_view status) { return KibField(status, "VmRSS:"); }

std::vector<int> ChildrenOf(int pid) {
  std::vector<int> children;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    int child = 0;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &child)) continue;
    std::string stat = ReadFile(absl::StrCat("/proc/", child, "/stat"));
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;  // Gone meanwhile.
    // After "pid (comm) " come state (field 3) and ppid (field 4).
    std::vector<absl::string_view> fields =
        absl::StrSplit(absl::string_view(stat).substr(close + 1), ' ', absl::SkipEmpty());
    int parent = 0;
    if (fields.size() > 1 && absl::SimpleAtoi(fields[1], &parent) && parent == pid) {
      children.push_back(child);
    }
  }
  return children;
}

std::vector<ProcessUsage> SampleUsage(const std::vector<WatchedProcess>& processes) {
  const long ticks = sysconf(_SC_CLK_TCK);
  std::vector<ProcessUsage> usage;
  auto sample = [&](const std::string& name, int pid, bool child) {
    ProcessUsage entry{.name = name, .pid = pid, .child = child};
    absl::StatusOr<double> cpu =
        CpuSecondsFromStat(ReadFile(absl::StrCat("/proc/", pid, "/stat")), ticks);
    entry.ok = cpu.ok();
    if (cpu.ok()) entry.cpu_seconds = *cpu;
    std::string status = ReadFile(absl::StrCat("/proc/", pid, "/status"));
    entry.peak_rss_kib = PeakRssKibFromStatus(status);
    entry.rss_kib = RssKibFromStatus(status);
    usage.push_back(std::move(entry));
  };
  for (const WatchedProcess& process : processes) {
    sample(process.name, process.pid, false);
    if (!process.with_children) continue;
    for (int child : ChildrenOf(process.pid)) sample(process.name, child, true);
  }
  return usage;
}

std::vector<ProcessUsage> UsageBetween(const std::vector<ProcessUsage>& start,
                                       const std::vector<ProcessUsage>& end) {
  std::vector<ProcessUsage> usage;
  for (const ProcessUsage& last : end) {
    auto first = std::find_if(start.begin(), start.end(), [&](const ProcessUsage& entry) {
      return entry.pid == last.pid && entry.name == last.name;
    });
    ProcessUsage delta = last;
    if (first != start.end()) {
      delta.ok = first->ok && last.ok;
      delta.cpu_seconds = delta.ok ? last.cpu_seconds - first->cpu_seconds : 0;
    } else if (!last.ok) {
      continue;  // Born and gone between the samples: nothing to say.
    }
    usage.push_back(std::move(delta));
  }
  // A watched process that vanished still shows, as unreadable; a child that exited does not.
  for (const ProcessUsage& first : start) {
    if (first.child) continue;
    bool still_there = std::any_of(end.begin(), end.end(), [&](const ProcessUsage& entry) {
      return entry.pid == first.pid && entry.name == first.name;
    });
    if (!still_there) {
      usage.push_back({.name = first.name, .pid = first.pid, .ok = false, .child = false});
    }
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
    same->rss_kib += part.rss_kib;
    same->ok = same->ok && part.ok;
  }
  return merged;
}

}  // namespace chatter::loadgen
