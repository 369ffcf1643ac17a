// chat-svc against a real PostgreSQL: messages persisted per second (one hot room; spread over
// many rooms) by concurrent writers, and the latency of a history page (limit 50, random
// `before`) in a room holding a million messages. Everything runs through ChatService and the
// PostgreSQL repositories, as an RPC would (minus gRPC), in a fresh database that is dropped
// afterwards. A plain program rather than Google Benchmark: the figures that matter are
// throughput under N threads and tail latencies, which it prints directly.
//
//   chat_benchmark [postgresql://...] [--writers=8] [--messages=20000] [--rooms=100]
//                  [--history-rows=1000000] [--samples=2000] [--group-commit=1]
// --group-commit=0 sends one statement per message (as before group commit), for comparison;
// --history-rows=0 skips the history part.
// The URL (a role that may CREATE DATABASE) defaults to $CHATTER_TEST_PG_URL.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/metrics/registry.h"
#include "libs/pg/errors.h"
#include "libs/pg/migrator.h"
#include "libs/pg/pool.h"
#include "services/chat/domain/chat_service.h"
#include "services/chat/events/queued_event_publisher.h"
#include "services/chat/storage/group_commit_messages.h"
#include "services/chat/storage/pg_contact_repository.h"
#include "services/chat/storage/pg_message_repository.h"
#include "services/chat/storage/pg_room_repository.h"
#include "tests/fakes/chat/fake_user_directory.h"
#include "tests/libs/pg/test_database.h"

namespace chatter::chat {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int writers = 8;
  int messages = 20000;
  int rooms = 100;
  int64_t history_rows = 1000000;
  int samples = 2000;
  bool group_commit = true;  // Sends through GroupCommitMessages, as chat-svc does.
};

// Counts what the queue would hand to realtime-svc; realtime-svc itself is not measured.
class CountingSink final : public EventSink {
 public:
  absl::StatusOr<std::vector<size_t>> SendBatch(absl::Span<const RoomEvent> events) override {
    sent.fetch_add(static_cast<int64_t>(events.size()), std::memory_order_relaxed);
    return std::vector<size_t>();
  }
  std::atomic<int64_t> sent{0};
};

[[noreturn]] void Die(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "chat_benchmark: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

template <typename T>
T OrDie(absl::StatusOr<T> value, const std::string& what) {
  if (!value.ok()) Die(what, value.status());
  return *std::move(value);
}

struct Latencies {
  std::vector<double> millis;
  void Add(Clock::duration d) {
    millis.push_back(std::chrono::duration<double, std::milli>(d).count());
  }
  std::string Summary() {
    if (millis.empty()) return "no samples";
    std::sort(millis.begin(), millis.end());
    auto at = [&](double q) {
      return millis[std::min(millis.size() - 1, static_cast<size_t>(q * millis.size()))];
    };
    return absl::StrFormat("p50 %.2f ms, p99 %.2f ms, max %.2f ms", at(0.5), at(0.99),
                           millis.back());
  }
};

class Bench {
 public:
  explicit Bench(const Options& options) : options_(options) {
    database_.emplace(OrDie(pg::TestDatabase::Create(), "create database"));
    std::vector<pg::PreparedStatement> statements = PgRoomRepository::Statements();
    for (auto& s : PgMessageRepository::Statements()) statements.push_back(s);
    for (auto& s : PgContactRepository::Statements()) statements.push_back(s);
    pool_ = std::make_unique<pg::Pool>(pg::PoolOptions{
        .url = database_->url(), .size = options.writers + 2, .prepared = statements});
    OrDie(pg::Migrator(*pool_, "chat-svc").Apply(pg::EmbeddedMigrations()), "migrate");
    rooms_ = std::make_unique<PgRoomRepository>(*pool_);
    messages_ = std::make_unique<PgMessageRepository>(*pool_);
    contacts_ = std::make_unique<PgContactRepository>(*pool_);
    uuids_ = std::make_unique<ids::UuidGenerator>(clock_, random_);
    events_ = std::make_unique<QueuedEventPublisher>(sink_, metrics_, 1000000);
    events_->Start();
    sends_ = std::make_unique<GroupCommitMessages>(*messages_, *messages_, metrics_,
                                                   GroupCommitMessages::Options{});
    MessageRepository& sends =
        options.group_commit ? static_cast<MessageRepository&>(*sends_) : *messages_;
    service_ = std::make_unique<ChatService>(ChatPolicy{}, *rooms_, sends, *contacts_, directory_,
                                             *events_, *uuids_, clock_);
    for (int i = 0; i < options.writers; ++i) {
      users_.push_back(uuids_->NewV7());
      directory_.AddUser(users_.back(), absl::StrCat("writer", i), "");
    }
  }
  ~Bench() { events_->Stop(absl::Seconds(5)); }

  std::string Sql(const std::string& sql) {
    return OrDie(pg::RunInTransaction(*pool_, "sql",
                                      [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
                                        pqxx::result rows = txn.exec(sql);
                                        if (rows.empty() || rows[0].empty()) return "";
                                        return std::string(rows[0][0].c_str());
                                      }),
                 sql);
  }

  void PrintServer() {
    std::printf("server: %s\n", Sql("SELECT version()").c_str());
    std::printf("settings: fsync=%s synchronous_commit=%s shared_buffers=%s; pool %d connections\n",
                Sql("SHOW fsync").c_str(), Sql("SHOW synchronous_commit").c_str(),
                Sql("SHOW shared_buffers").c_str(), options_.writers + 2);
    std::printf("sends: %s\n", options_.group_commit ? "group commit" : "one statement each");
  }

  // Rooms owned by the first writer, every writer a member.
  std::vector<std::string> MakeRooms(int count) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
      Room room =
          OrDie(service_->CreateRoom(users_[0], absl::StrCat("room ", i), "public"), "create room");
      for (size_t w = 1; w < users_.size(); ++w) {
        OrDie(service_->JoinRoom(users_[w], room.id), "join");
      }
      ids.push_back(room.id);
    }
    return ids;
  }

  // `writers` threads send `messages` in all into `rooms` (each message to a random one).
  void Send(const std::string& label, const std::vector<std::string>& rooms) {
    int per_writer = options_.messages / options_.writers;
    std::vector<Latencies> latencies(options_.writers);
    std::atomic<int> failures{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int w = 0; w < options_.writers; ++w) {
      threads.emplace_back([&, w] {
        std::mt19937 rng(w);
        std::uniform_int_distribution<size_t> pick(0, rooms.size() - 1);
        while (!go.load()) std::this_thread::yield();
        for (int i = 0; i < per_writer; ++i) {
          Clock::time_point start = Clock::now();
          absl::StatusOr<StoredMessage> sent =
              service_->SendMessage(users_[w], rooms[pick(rng)],
                                    {.content = absl::StrCat("message ", i, " from writer ", w),
                                     .client_msg_id = absl::StrCat("w", w, "-", i),
                                     .attachments = {}});
          latencies[w].Add(Clock::now() - start);
          if (!sent.ok()) failures.fetch_add(1);
        }
      });
    }
    Clock::time_point start = Clock::now();
    go.store(true);
    for (std::thread& thread : threads) thread.join();
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    Latencies all;
    for (Latencies& l : latencies)
      all.millis.insert(all.millis.end(), l.millis.begin(), l.millis.end());
    int total = per_writer * options_.writers;
    std::printf(
        "send, %s, %d writers, %d messages: %.0f messages/s (%.2f s); per send %s; "
        "%d failed\n",
        label.c_str(), options_.writers, total, total / seconds, seconds, all.Summary().c_str(),
        failures.load());
    std::fflush(stdout);
  }

  // A room with `history_rows` messages, loaded in one INSERT ... SELECT.
  std::string LoadHistoryRoom() {
    std::string room = MakeRooms(1)[0];
    Clock::time_point start = Clock::now();
    Sql(absl::StrCat(
        "INSERT INTO messages (room_id, seq, id, sender_id, content, created_at, updated_at) "
        "SELECT '",
        room, "', g, gen_random_uuid(), '", users_[0],
        "', 'history message ' || g, now(), now() FROM generate_series(1, ", options_.history_rows,
        ") g"));
    Sql(absl::StrCat("UPDATE rooms SET last_seq = ", options_.history_rows, " WHERE id = '", room,
                     "'"));
    Sql("ANALYZE messages");
    std::printf("loaded %lld messages into one room in %.1f s (table %s, primary key %s)\n",
                static_cast<long long>(options_.history_rows),
                std::chrono::duration<double>(Clock::now() - start).count(),
                Sql("SELECT pg_size_pretty(pg_relation_size('messages'))").c_str(),
                Sql("SELECT pg_size_pretty(pg_relation_size('messages_pkey'))").c_str());
    return room;
  }

  // History pages (limit 50, uniformly random `before`) by `threads` readers at once.
  void History(const std::string& room, int threads) {
    int per_thread = options_.samples / threads;
    std::vector<Latencies> latencies(threads);
    std::atomic<int> failures{0};
    std::vector<std::thread> readers;
    Clock::time_point start = Clock::now();
    for (int t = 0; t < threads; ++t) {
      readers.emplace_back([&, t] {
        std::mt19937_64 rng(100 + t);
        std::uniform_int_distribution<int64_t> before(51, options_.history_rows + 1);
        for (int i = 0; i < per_thread; ++i) {
          Clock::time_point begin = Clock::now();
          absl::StatusOr<MessagePage> page =
              service_->ListMessages(users_[t % users_.size()], room, 50, before(rng), {});
          latencies[t].Add(Clock::now() - begin);
          if (!page.ok() || page->messages.size() != 50) failures.fetch_add(1);
        }
      });
    }
    for (std::thread& reader : readers) reader.join();
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    Latencies all;
    for (Latencies& l : latencies)
      all.millis.insert(all.millis.end(), l.millis.begin(), l.millis.end());
    std::printf(
        "history page (limit 50, random before) in a %lld-message room, %d reader%s, "
        "%d pages: %s; %.0f pages/s; %d failed\n",
        static_cast<long long>(options_.history_rows), threads, threads == 1 ? "" : "s",
        per_thread * threads, all.Summary().c_str(), per_thread * threads / seconds,
        failures.load());
    std::fflush(stdout);
  }

  void PrintEvents() {
    events_->WaitIdleForTest(absl::Seconds(30));
    std::printf("events handed to the (counting) realtime sink: %lld\n",
                static_cast<long long>(sink_.sent.load()));
    double statements = metrics_.GetCounter("chat_message_batches_total", "").Value();
    double batched = metrics_.GetCounter("chat_messages_batched_total", "").Value();
    if (statements > 0) {
      std::printf("group commit: %.0f statements for %.0f sends (%.1f per statement)\n", statements,
                  batched, batched / statements);
    }
  }

 private:
  Options options_;
  std::optional<pg::TestDatabase> database_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<PgRoomRepository> rooms_;
  std::unique_ptr<PgMessageRepository> messages_;
  std::unique_ptr<GroupCommitMessages> sends_;
  std::unique_ptr<PgContactRepository> contacts_;
  ids::SystemClock clock_;
  ids::SodiumRandomSource random_;
  std::unique_ptr<ids::UuidGenerator> uuids_;
  metrics::Registry metrics_;
  CountingSink sink_;
  std::unique_ptr<QueuedEventPublisher> events_;
  FakeUserDirectory directory_;
  std::unique_ptr<ChatService> service_;
  std::vector<std::string> users_;
};

bool ParseFlag(const std::string& arg, const char* name, int64_t* out) {
  std::string prefix = absl::StrCat("--", name, "=");
  if (arg.rfind(prefix, 0) != 0) return false;
  // Counts are at least 1; a few flags (history-rows, group-commit) may also be 0.
  bool may_be_zero = std::string(name) == "history-rows" || std::string(name) == "group-commit";
  if (!absl::SimpleAtoi(arg.substr(prefix.size()), out) || *out < (may_be_zero ? 0 : 1)) {
    std::fprintf(stderr, "chat_benchmark: bad %s\n", arg.c_str());
    std::exit(2);
  }
  return true;
}

}  // namespace
}  // namespace chatter::chat

int main(int argc, char** argv) {
  using namespace chatter::chat;
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    int64_t value = 0;
    if (ParseFlag(arg, "writers", &value)) {
      options.writers = static_cast<int>(value);
    } else if (ParseFlag(arg, "messages", &value)) {
      options.messages = static_cast<int>(value);
    } else if (ParseFlag(arg, "rooms", &value)) {
      options.rooms = static_cast<int>(value);
    } else if (ParseFlag(arg, "history-rows", &value)) {
      options.history_rows = value;
    } else if (ParseFlag(arg, "samples", &value)) {
      options.samples = static_cast<int>(value);
    } else if (ParseFlag(arg, "group-commit", &value)) {
      options.group_commit = value != 0;
    } else if (arg.rfind("postgres", 0) == 0) {
      // TestDatabase creates its throwaway database on the cluster this names.
      setenv("CHATTER_TEST_PG_URL", arg.c_str(), 1);
    } else {
      std::fprintf(stderr,
                   "usage: %s [postgresql://...] [--writers=N] [--messages=N] "
                   "[--rooms=N] [--history-rows=N] [--samples=N] [--group-commit=0|1]\n",
                   argv[0]);
      return 2;
    }
  }
  Bench bench(options);
  bench.PrintServer();
  std::vector<std::string> hot = bench.MakeRooms(1);
  bench.Send("1 hot room", hot);
  std::vector<std::string> spread = bench.MakeRooms(options.rooms);
  bench.Send(absl::StrCat(options.rooms, " rooms"), spread);
  bench.PrintEvents();
  if (options.history_rows == 0) return 0;
  std::string history = bench.LoadHistoryRoom();
  bench.History(history, 1);
  bench.History(history, options.writers);
  return 0;
}
