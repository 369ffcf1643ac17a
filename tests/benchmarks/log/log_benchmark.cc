// What one access-log line (every RPC logs one) costs a service: formatting the JSON line, and
// writing it with one write(2), as log::Init's logger does (it flushes every line so that logs
// survive a crash). Lines go to a temporary file, as they do under `tools/dev up`. Figures of
// 2026-12-06 on the 2-core dev box: 2.2 us to format, 2.6 us to write; gathering lines into
// 64 KiB writes would cut the write to 0.17 us, about 0.5 % of chat-svc's CPU per message,
// which is why logs still go out line by line. By hand:
//   build/tests/benchmarks/log/log_benchmark
#include <benchmark/benchmark.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <stdlib.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "libs/log/log.h"

namespace chatter::log {
namespace {

// A line like chat-svc's "rpc" line for SendMessage.
std::string AccessLine() {
  return FormatLine(absl::Now(), Level::kInfo, "chat-svc", "01a2495b-38dc-76cf-8f01-615eecffcf29",
                    "rpc",
                    {{"code", "ok"},
                     {"duration_ms", 0.104979},
                     {"method", "/chatter.chat.v1.ChatService/SendMessage"}});
}

class TempLogFile {
 public:
  TempLogFile() : path_("/tmp/chatter-log-benchmark-XXXXXX") { fd_ = ::mkstemp(path_.data()); }
  ~TempLogFile() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

void BM_FormatLine(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(AccessLine());
}
BENCHMARK(BM_FormatLine);

void BM_WritePerLine(benchmark::State& state) {
  TempLogFile file;
  spdlog::logger logger("bench",
                        std::make_shared<spdlog::sinks::basic_file_sink_st>(file.path(), true));
  logger.set_pattern("%v");
  logger.flush_on(spdlog::level::trace);
  std::string line = AccessLine();
  for (auto _ : state) logger.info(line);
}
BENCHMARK(BM_WritePerLine);

}  // namespace
}  // namespace chatter::log

BENCHMARK_MAIN();
