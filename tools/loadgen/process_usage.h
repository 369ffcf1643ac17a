// CPU time and peak memory of the server processes under test, read from the kernel's
// per-process counters (/proc/<pid>/stat utime+stime, /proc/<pid>/status VmHWM), so a run reports
// what each process spent on the messages it carried (`--watch=gateway=123,chat-svc=456`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace chatter::loadgen {

struct WatchedProcess {
  std::string name;
  int pid = 0;
  // Also every child of `pid` alive when sampled (PostgreSQL's backends): a child born after the
  // first sample counts all its CPU; one that exits before the last counts none.
  bool with_children = false;
};

// "name=pid,name=pid:tree" (empty: none). INVALID_ARGUMENT naming the bad entry.
absl::StatusOr<std::vector<WatchedProcess>> ParseWatchList(absl::string_view text);

// utime + stime of the process in seconds, from the text of /proc/<pid>/stat. The command name
// (field 2) may hold spaces and parentheses, so fields are counted from its last ')'.
absl::StatusOr<double> CpuSecondsFromStat(absl::string_view stat, long clock_ticks_per_second);
// VmHWM (peak resident set) in KiB, from the text of /proc/<pid>/status; 0 when absent.
int64_t PeakRssKibFromStatus(absl::string_view status);
// VmRSS (resident set now) in KiB, from the same text; 0 when absent.
int64_t RssKibFromStatus(absl::string_view status);

struct ProcessUsage {
  std::string name;
  int pid = 0;
  double cpu_seconds = 0;  // Over the measured window.
  int64_t peak_rss_kib = 0;
  int64_t rss_kib = 0;  // When sampled.
  bool ok = true;       // False when the process could not be read (gone, or not ours).
  bool child = false;   // Found as a child of a watched process (it may come and go).
};

// The pids whose parent is `pid`, from /proc.
std::vector<int> ChildrenOf(int pid);

// Reads every watched process's CPU seconds now (ok=false for those that cannot be read).
std::vector<ProcessUsage> SampleUsage(const std::vector<WatchedProcess>& processes);
// `end` minus `start` per process (matched by pid; one missing from `start` was born since and
// counts from zero), with the peak RSS of `end`.
std::vector<ProcessUsage> UsageBetween(const std::vector<ProcessUsage>& start,
                                       const std::vector<ProcessUsage>& end);

// One entry per name, in first-seen order: CPU seconds and peak RSS added up (PostgreSQL is a
// postmaster and one process per connection), ok only when every part was read.
std::vector<ProcessUsage> MergeByName(const std::vector<ProcessUsage>& usage);

}  // namespace chatter::loadgen
