// The phases of a run (see runner.h). This thread only waits on the phases; all I/O happens on
// the io_context's own threads.
#include "tools/loadgen/runner.h"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tools/loadgen/delivery_ledger.h"
#include "tools/loadgen/frames.h"
#include "tools/loadgen/room_plan.h"
#include "tools/loadgen/run_recorder.h"
#include "tools/loadgen/sender.h"
#include "tools/loadgen/setup.h"
#include "tools/loadgen/ws_connection.h"

namespace chatter::loadgen {
namespace {

using tcp = boost::asio::ip::tcp;

constexpr absl::Duration kPollInterval = absl::Milliseconds(20);
constexpr absl::Duration kCloseGrace = absl::Seconds(3);

// The io_context and the threads that run it, stopped and joined on destruction.
class IoThreads {
 public:
  explicit IoThreads(int threads) : work_(io_.get_executor()) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~IoThreads() { Stop(); }
  void Stop() {
    work_.reset();
    io_.stop();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

// Polls `done` until it holds or `deadline` passes; true when it held.
template <typename Done>
bool PollUntil(Done done, absl::Time deadline) {
  while (!done()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(kPollInterval);
  }
  return true;
}

absl::StatusOr<tcp::resolver::results_type> Resolve(boost::asio::io_context& io,
                                                    const BaseUrl& url) {
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec) return absl::UnavailableError(absl::StrCat("resolve ", url.host, ": ", ec.message()));
  return endpoints;
}

// Starts connection i at i / ws_connect_rate seconds so the gateway is not stampeded.
net::awaitable<void> StartPaced(std::vector<std::shared_ptr<WsConnection>>& connections,
                                double per_second) {
  net::steady_timer timer(co_await net::this_coro::executor);
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < connections.size(); ++i) {
    timer.expires_at(start + std::chrono::nanoseconds(
                                 static_cast<int64_t>(static_cast<double>(i) / per_second * 1e9)));
    boost::system::error_code ignored;
    co_await timer.async_wait(Await(ignored));
    connections[i]->Start();
  }
}

// Every connection holds a socket: raises the soft open-file limit when the run needs more, or says
// which limit stands in the way.
absl::Status EnsureOpenFiles(const Options& o) {
  rlim_t needed = static_cast<rlim_t>(o.connections()) +
                  static_cast<rlim_t>(std::max(o.signup_parallelism, o.http_parallelism)) + 64;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed) return absl::OkStatus();
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed) {
    return absl::FailedPreconditionError(absl::StrCat(o.connections(), " connections need about ",
                                                      needed, " open files but the hard limit is ",
                                                      limit.rlim_max, " (ulimit -Hn)"));
  }
  limit.rlim_cur = needed;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("could not raise the open-file limit to ", needed, " (ulimit -n)"));
  }
  return absl::OkStatus();
}

// Connection i's source address: 127.0.0.(1 + i % count), or none (the kernel's choice) with
// one address. Only for a loopback IPv4 gateway.
absl::StatusOr<std::optional<boost::asio::ip::address>> SourceAddress(
    const tcp::resolver::results_type& endpoints, int count, int connection) {
  if (count <= 1) return std::nullopt;
  boost::asio::ip::address target = endpoints.begin()->endpoint().address();
  if (!target.is_v4() || !target.is_loopback()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--source_addresses needs a loopback IPv4 --url, not ", target.to_string()));
  }
  return boost::asio::ip::address(
      boost::asio::ip::address_v4((127u << 24) | static_cast<uint32_t>(1 + connection % count)));
}

// Resident memory of each watched process now, summed by name.
std::vector<ProcessUsage> SampleMemory(const std::vector<WatchedProcess>& watch) {
  return MergeByName(SampleUsage(watch));
}

// Runs `coroutine` on its own strand and blocks until it finishes.
template <typename MakeCoroutine>
void RunToEnd(boost::asio::io_context& io, MakeCoroutine make) {
  std::promise<void> done;
  net::co_spawn(net::make_strand(io), std::move(make),
                [&done](std::exception_ptr) { done.set_value(); });
  done.get_future().wait();
}

}  // namespace

absl::StatusOr<Report> Runner::Run() {
  const Options& o = options_;
  if (absl::Status files = EnsureOpenFiles(o); !files.ok()) return files;
  absl::Time start = absl::Now();
  IoThreads io_threads(o.threads);
  boost::asio::io_context& io = io_threads.io();
  absl::StatusOr<tcp::resolver::results_type> endpoints = Resolve(io, o.url);
  if (!endpoints.ok()) return endpoints.status();

  // Accounts are seated in rooms; connections too, the same way: connection c belongs to
  // account c % users, whose room it is (users is a multiple of rooms with several sessions
  // each). The ledger counts every connection as a member owed every message of its room.
  RoomPlan accounts(o.users, o.rooms);
  RoomPlan plan(o.connections(), o.rooms);
  absl::StatusOr<SetupResult> setup = RunSetup(io, *endpoints, o, accounts);
  if (!setup.ok()) return setup.status();
  progress_(absl::StrCat("setup done in ", absl::FormatDuration(absl::Now() - start)));

  std::vector<int> members;
  for (int room = 0; room < plan.rooms(); ++room) members.push_back(plan.MembersOf(room));
  DeliveryLedger ledger(std::move(members));
  RunRecorder recorder(plan, setup->room_ids, o.prefix, ledger);

  // Connect every user, paced; wait until all are ready or failed, or the deadline.
  std::vector<ProcessUsage> memory_before = SampleMemory(o.watch);
  absl::Time connect_start = absl::Now();
  std::vector<std::shared_ptr<WsConnection>> connections;
  for (int user = 0; user < plan.users(); ++user) {
    const Account& account = setup->accounts[user % o.users];
    absl::StatusOr<std::optional<boost::asio::ip::address>> source =
        SourceAddress(*endpoints, o.source_addresses, user);
    if (!source.ok()) return source.status();
    WsConnectionParams params{
        .index = user,
        .endpoints = *endpoints,
        .source_address = *source,
        .host_header = o.url.HostHeader(),
        .target = WsTarget(o.url.path_prefix, account.access_token,
                           setup->room_ids[plan.SeatOf(user).room]),
        .resume_target = WsResumeTarget(o.url.path_prefix, account.access_token),
        .room_id = setup->room_ids[plan.SeatOf(user).room],
        .handshake_timeout = o.connect_timeout,
        .reconnect = o.reconnect,
        .seed = o.seed + static_cast<uint64_t>(user)};
    connections.push_back(
        std::make_shared<WsConnection>(net::make_strand(io), std::move(params), recorder));
  }
  net::co_spawn(net::make_strand(io), StartPaced(connections, o.ws_connect_rate),
                [](std::exception_ptr) {});
  absl::Duration pacing = absl::Seconds(static_cast<double>(plan.users()) / o.ws_connect_rate);
  recorder.WaitAllSettled(connect_start + pacing + o.connect_timeout);
  recorder.StopAcceptingReady();
  for (int user = 0; user < plan.users(); ++user) {
    if (!recorder.IsLive(user)) connections[user]->Close();
  }
  absl::Duration connect_elapsed = absl::Now() - connect_start;
  std::vector<ProcessUsage> memory_after = SampleMemory(o.watch);
  progress_(absl::StrCat(recorder.Stats().ready, " WebSockets ready; ",
                         o.idle() ? "holding them" : "sending"));

  // Send for warmup + duration.
  std::vector<ProcessUsage> usage_at_start = SampleUsage(o.watch);
  absl::Time send_start = absl::Now();
  Sender sender(SenderContext{.plan = plan,
                              .room_ids = setup->room_ids,
                              .connections = connections,
                              .recorder = recorder,
                              .ledger = ledger,
                              .run = o.prefix,
                              .message_bytes = o.message_bytes},
                SendSchedule{.rate = o.rate, .warmup = o.warmup, .duration = o.duration}, o.seed);
  if (o.idle()) {
    absl::SleepFor(o.warmup + o.duration);  // Holding the connections is the run.
  } else if (recorder.Stats().ready > 0) {
    RunToEnd(io, [&sender] { return sender.Run(); });
  }
  absl::Duration send_elapsed = absl::Now() - send_start;

  // Drain: stop as soon as every ack and delivery is in.
  absl::Time drain_start = absl::Now();
  PollUntil([&] { return ledger.AllDelivered(); }, drain_start + o.drain);
  absl::Duration drain_elapsed = absl::Now() - drain_start;
  std::vector<ProcessUsage> usage = MergeByName(UsageBetween(usage_at_start, SampleUsage(o.watch)));

  Report report{.users = o.users,
                .sessions_per_user = o.sessions_per_user,
                .rooms = o.rooms,
                .target_rate = o.rate,
                .duration = o.duration,
                .warmup = o.warmup,
                .threads = o.threads,
                .setup = setup->stats,
                .connect_elapsed = connect_elapsed,
                .send_elapsed = send_elapsed,
                .drain_elapsed = drain_elapsed,
                .total_elapsed = absl::ZeroDuration(),  // Set once the connections are closed.
                .deliveries = ledger.Totals(),
                .connections = recorder.Stats(),
                .processes = std::move(usage),
                .memory = MemoryAtConnect(memory_before, memory_after)};

  // Closes after the snapshot count for nothing; wait briefly so the server sees clean closes.
  for (const auto& connection : connections) connection->Close();
  PollUntil(
      [&] {
        for (const auto& connection : connections) {
          if (!connection->finished()) return false;
        }
        return true;
      },
      absl::Now() + kCloseGrace);
  // No handler may run once the recorder and ledger below go out of scope.
  io_threads.Stop();
  report.total_elapsed = absl::Now() - start;
  return report;
}

}  // namespace chatter::loadgen
