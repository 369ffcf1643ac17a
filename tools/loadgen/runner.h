// One load-generator run from start to report: setup over REST, WebSockets, paced sending,
// drain, close. Owns the io_context and its threads.
#pragma once

#include "absl/status/statusor.h"
#include "tools/loadgen/options.h"
#include "tools/loadgen/report.h"

namespace chatter::loadgen {

class Runner {
 public:
  explicit Runner(const Options& options) : options_(options) {}

  // Blocks the calling thread for the whole run. An error means the run could not be set up
  // (bad address, a failed signup...); a run that went badly still returns its Report.
  absl::StatusOr<Report> Run();

 private:
  const Options& options_;
};

}  // namespace chatter::loadgen
