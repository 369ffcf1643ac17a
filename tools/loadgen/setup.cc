// The REST setup phase (see setup.h): each step is a pool of coroutine workers that take the next
// index from a shared counter, so at most `parallelism` requests are in flight.
#include "tools/loadgen/setup.h"

#include <atomic>
#include <boost/asio/strand.hpp>
#include <exception>
#include <functional>
#include <latch>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace chatter::loadgen {
namespace {

using Task = std::function<net::awaitable<absl::Status>(RestApi& api, int index)>;

constexpr absl::Duration kHttpTimeout = absl::Seconds(30);

// Runs task(api, i) for every i in [0, count) on `parallelism` workers; blocks until done and
// returns the first error (after which workers take no new index).
absl::Status ForEachParallel(boost::asio::io_context& io,
                             const boost::asio::ip::tcp::resolver::results_type& endpoints,
                             const Options& options, int parallelism, int count, Task task,
                             SetupStats& stats) {
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  absl::Status first_error;
  auto fail = [&](absl::Status status) {
    std::lock_guard lock(mu);
    if (first_error.ok()) first_error = std::move(status);
    failed = true;
  };
  int workers = std::max(1, std::min(parallelism, count));
  std::latch done(workers);
  for (int w = 0; w < workers; ++w) {
    auto worker = [&]() -> net::awaitable<void> {
      net::any_io_executor executor = co_await net::this_coro::executor;
      HttpClient http(executor, endpoints, options.url.HostHeader(), options.url.path_prefix,
                      kHttpTimeout);
      RestApi api(http);
      for (int i = next++; i < count && !failed; i = next++) {
        absl::Status status = co_await task(api, i);
        if (!status.ok()) fail(std::move(status));
      }
      std::lock_guard lock(mu);
      stats.http_requests += api.requests();
      stats.http_retries += api.retries();
    };
    net::co_spawn(net::make_strand(io), worker, [&](std::exception_ptr error) {
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          fail(absl::InternalError(absl::StrCat("setup worker: ", e.what())));
        }
      }
      done.count_down();
    });
  }
  done.wait();
  return first_error;
}

}  // namespace

std::string UsernameOf(const std::string& prefix, int user) {
  return absl::StrCat(prefix, "-", user);
}

std::string EmailOf(const std::string& prefix, int user) {
  return absl::StrCat(UsernameOf(prefix, user), "@loadgen.example.com");
}

absl::StatusOr<SetupResult> RunSetup(boost::asio::io_context& io,
                                     const boost::asio::ip::tcp::resolver::results_type& endpoints,
                                     const Options& options, const RoomPlan& plan) {
  absl::Time start = absl::Now();
  SetupResult result;
  result.accounts.resize(plan.users());
  result.room_ids.resize(plan.rooms());

  absl::Status signed_up = ForEachParallel(
      io, endpoints, options, options.signup_parallelism, plan.users(),
      [&](RestApi& api, int user) -> net::awaitable<absl::Status> {
        // Named locals, not temporaries, in co_await expressions (a GCC 12 coroutine bug).
        std::string username = UsernameOf(options.prefix, user);
        std::string email = EmailOf(options.prefix, user);
        absl::StatusOr<Account> account = co_await api.Signup(username, email, options.password);
        if (!account.ok()) co_return account.status();
        result.accounts[user] = *std::move(account);
        co_return absl::OkStatus();
      },
      result.stats);
  if (!signed_up.ok()) return signed_up;

  absl::Status created = ForEachParallel(
      io, endpoints, options, options.http_parallelism, plan.rooms(),
      [&](RestApi& api, int room) -> net::awaitable<absl::Status> {
        const Account& creator = result.accounts[plan.CreatorOf(room)];
        std::string name = absl::StrCat(options.prefix, "-room-", room);
        absl::StatusOr<std::string> id = co_await api.CreateRoom(creator.access_token, name);
        if (!id.ok()) co_return id.status();
        result.room_ids[room] = *std::move(id);
        co_return absl::OkStatus();
      },
      result.stats);
  if (!created.ok()) return created;

  // Creators are users 0..rooms-1 (slot 0); everyone after them joins.
  absl::Status joined = ForEachParallel(
      io, endpoints, options, options.http_parallelism, plan.users() - plan.rooms(),
      [&](RestApi& api, int index) -> net::awaitable<absl::Status> {
        int user = plan.rooms() + index;
        co_return co_await api.JoinRoom(result.accounts[user].access_token,
                                        result.room_ids[plan.SeatOf(user).room]);
      },
      result.stats);
  if (!joined.ok()) return joined;

  result.stats.elapsed = absl::Now() - start;
  return result;
}

}  // namespace chatter::loadgen
