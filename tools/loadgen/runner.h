// One load-generator run from start to report: setup over REST, WebSockets, paced sending,
// drain, close. Owns the io_context and its threads.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "tools/loadgen/options.h"
#include "tools/loadgen/report.h"

namespace chatter::loadgen {

class Runner {
 public:
  // `progress` hears one line as each phase ends (scripts time faults by "sending").
  using Progress = std::function<void(const std::string& line)>;

  Runner(const Options& options, Progress progress)
      : options_(options), progress_(std::move(progress)) {}

  // Blocks the calling thread for the whole run. An error means the run could not be set up
  // (bad address, a failed signup...); a run that went badly still returns its Report.
  absl::StatusOr<Report> Run();

 private:
  const Options& options_;
  Progress progress_;
};

}  // namespace chatter::loadgen
