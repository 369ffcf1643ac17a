// chat-svc message search against a real PostgreSQL (issue #16): the latency of
// ConversationService::Search over --messages messages spread evenly across --rooms group rooms,
// the caller a member of --member-rooms of them. Seeds a fresh database (dropped afterwards) with
// set-based SQL, then times --samples searches of each query class through ConversationService
// and the PostgreSQL repositories, as an RPC would (minus gRPC), and prints p50/p95/p99/max per
// class and the EXPLAIN (ANALYZE, BUFFERS) of the search statement for the most common word.
// A plain program rather than a timed test: the figures that matter are tail latencies.
//
//   search_benchmark [postgresql://...] [--rooms=1000] [--member-rooms=50]
//                    [--messages=1000000] [--samples=500]
// The URL (a role that may CREATE DATABASE) defaults to $CHATTER_TEST_PG_URL.
// Seeding the defaults takes about a minute on 2 cores and the searches about 25 s (before the
// search ran as an unnamed, freshly planned statement a common word took 1.3 s and the run 45
// minutes; --samples=50 gives a first look).
//
// Message content: 8-20 pseudo-words (six letters, consonant-vowel syllables, which the English
// stemmer leaves alone) drawn from a vocabulary of 5,000 with a Zipf-like distribution (exponent
// 1.1: the most common word is in most messages, the tail in a few hundred), plus a few planted
// English words ("running", "runner", "happiness") whose stems differ from their spelling.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "libs/ids/clock.h"
#include "libs/ids/random_source.h"
#include "libs/ids/uuid_generator.h"
#include "libs/pg/errors.h"
#include "libs/pg/migrator.h"
#include "libs/pg/pool.h"
#include "services/chat/domain/conversation_service.h"
#include "services/chat/domain/delivery_markers.h"
#include "services/chat/domain/search_text.h"
#include "services/chat/storage/pg_contact_repository.h"
#include "services/chat/storage/pg_conversation_repository.h"
#include "services/chat/storage/pg_message_repository.h"
#include "services/chat/storage/pg_room_repository.h"
#include "tests/fakes/chat/recording_event_publisher.h"
#include "tests/libs/pg/test_database.h"

namespace chatter::chat {
namespace {

using Clock = std::chrono::steady_clock;

// The searching user (a member of --member-rooms rooms) and the owner of every room.
constexpr char kCaller[] = "018f0000-0000-7000-8000-00000000000a";
constexpr char kOwner[] = "018f0000-0000-7000-8000-00000000000b";

constexpr int kVocabulary = 5000;
constexpr double kZipfExponent = 1.1;
// Word of rank r: syllables of (r * kScramble) mod 60^3, so neighbouring ranks share no prefix.
constexpr int64_t kScramble = 7919;
constexpr int64_t kWordSpace = 60 * 60 * 60;
constexpr char kConsonants[] = "kmnprstdbglvhzf";  // 15 x 4 vowels = 60 syllables.
constexpr char kVowels[] = "aiou";
// Message g's id and created_at: this many milliseconds since the epoch, plus g.
constexpr int64_t kBaseMillis = 1700000000000;

struct Options {
  int rooms = 1000;
  int member_rooms = 50;
  int64_t messages = 1000000;
  int samples = 500;
};

[[noreturn]] void Die(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "search_benchmark: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

template <typename T>
T OrDie(absl::StatusOr<T> value, const std::string& what) {
  if (!value.ok()) Die(what, value.status());
  return *std::move(value);
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// The pseudo-word of rank `rank` (1 = most common); WordSql computes the same in SQL.
std::string Word(int rank) {
  int64_t k = (rank * kScramble) % kWordSpace;
  std::string word;
  for (int64_t d : {k / 3600, (k / 60) % 60, k % 60}) {
    word += kConsonants[d / 4];
    word += kVowels[d % 4];
  }
  return word;
}

// SQL for Word(rank), given an SQL expression `k` = (rank * kScramble) % kWordSpace.
std::string WordSql(const std::string& k) {
  std::string sql;
  for (const std::string& d :
       {absl::StrCat("(", k, ") / 3600"), absl::StrCat("(", k, ") / 60 % 60"),
        absl::StrCat("(", k, ") % 60")}) {
    absl::StrAppend(&sql, sql.empty() ? "" : " || ", "substr('", kConsonants, "', ", d,
                    " / 4 + 1, 1) || substr('", kVowels, "', ", d, " % 4 + 1, 1)");
  }
  return sql;
}

// "xxxxxxxx-xxxx-7xxx-axxx-xxxxxxxxxxxx" from a 48-bit millisecond timestamp and a row number:
// time-ordered like a UUIDv7, unique through the row number.
std::string UuidSql(const std::string& millis, const std::string& row) {
  std::string t = absl::StrCat("lpad(to_hex(", millis, "), 12, '0')");
  return absl::StrCat("(substr(", t, ", 1, 8) || '-' || substr(", t,
                      ", 9, 4) || '-7000-a000-' || lpad(to_hex(", row, "), 12, '0'))::uuid");
}

std::string RoomIdSql(const std::string& k) {
  return absl::StrCat("('018e0000-0000-7000-9000-' || lpad(to_hex(", k, "), 12, '0'))::uuid");
}

std::string RoomId(int k) { return absl::StrFormat("018e0000-0000-7000-9000-%012x", k); }

struct Latencies {
  std::vector<double> millis;
  void Add(Clock::duration d) {
    millis.push_back(std::chrono::duration<double, std::milli>(d).count());
  }
  // The q-quantile (sorts first, so arguments of one call may be evaluated in any order).
  double At(double q) {
    std::sort(millis.begin(), millis.end());
    return millis[std::min(millis.size() - 1, static_cast<size_t>(q * millis.size()))];
  }
  double Max() { return At(1); }
};

// One kind of query; Next() gives the next sample's input (the words vary between samples).
struct QueryClass {
  std::string name;
  std::function<SearchInput(std::mt19937&)> next;
  Latencies latencies = {};
  int64_t hits = 0;
  int failures = 0;
};

class Bench {
 public:
  explicit Bench(const Options& options) : options_(options) {
    database_.emplace(OrDie(pg::TestDatabase::Create(), "create database"));
    std::vector<pg::PreparedStatement> statements = PgRoomRepository::Statements();
    for (auto& s : PgMessageRepository::Statements()) statements.push_back(s);
    for (auto& s : PgContactRepository::Statements()) statements.push_back(s);
    for (auto& s : PgConversationRepository::Statements()) statements.push_back(s);
    pool_ = std::make_unique<pg::Pool>(
        pg::PoolOptions{.url = database_->url(), .size = 4, .prepared = statements});
    OrDie(pg::Migrator(*pool_, "chat-svc").Apply(pg::EmbeddedMigrations()), "migrate");
    rooms_ = std::make_unique<PgRoomRepository>(*pool_);
    messages_ = std::make_unique<PgMessageRepository>(*pool_);
    contacts_ = std::make_unique<PgContactRepository>(*pool_);
    uuids_ = std::make_unique<ids::UuidGenerator>(clock_, random_);
    conversations_ = std::make_unique<PgConversationRepository>(*pool_);
    delivered_ = std::make_unique<DeliveryMarkers>(*conversations_, events_, *uuids_, clock_);
    service_ = std::make_unique<ConversationService>(
        *rooms_, *messages_, *contacts_, *conversations_, *delivered_, events_, *uuids_, clock_);
    search_sql_ = PgConversationRepository::SearchSql();
    for (int k = 0; k < options_.rooms; ++k) {
      if (IsMemberRoom(k)) member_rooms_.push_back(RoomId(k));
    }
  }

  std::string Sql(const std::string& sql) {
    return OrDie(pg::RunInTransaction(*pool_, "sql",
                                      [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
                                        pqxx::result rows = txn.exec(sql);
                                        if (rows.empty() || rows[0].empty()) return "";
                                        return std::string(rows[0][0].c_str());
                                      }),
                 sql.substr(0, 200));
  }

  void PrintServer() {
    std::printf("server: %s\n", Sql("SELECT version()").c_str());
    std::printf("settings: shared_buffers=%s work_mem=%s effective_cache_size=%s jit=%s\n",
                Sql("SHOW shared_buffers").c_str(), Sql("SHOW work_mem").c_str(),
                Sql("SHOW effective_cache_size").c_str(), Sql("SHOW jit").c_str());
    std::fflush(stdout);
  }

  // The caller is a member of every (rooms / member_rooms)-th room.
  bool IsMemberRoom(int k) const {
    int stride = std::max(1, options_.rooms / options_.member_rooms);
    return k % stride == 0 && k / stride < options_.member_rooms;
  }

  void Seed() {
    Clock::time_point start = Clock::now();
    int stride = std::max(1, options_.rooms / options_.member_rooms);
    Sql(absl::StrCat(
        "INSERT INTO rooms (id, kind, name, visibility, created_by, last_seq, member_count,"
        " created_at) SELECT ",
        RoomIdSql("k"), ", 'group', 'room ' || k, 'public', '", kOwner, "', 0, CASE WHEN k % ",
        stride, " = 0 AND k / ", stride, " < ", options_.member_rooms,
        " THEN 2 ELSE 1 END, now() FROM generate_series(0, ", options_.rooms - 1, ") k"));
    Sql(absl::StrCat(
        "INSERT INTO room_members (room_id, user_id, role, joined_at) SELECT ", RoomIdSql("k"),
        ", '", kOwner, "'::uuid, 'owner', now() FROM generate_series(0, ", options_.rooms - 1,
        ") k UNION ALL SELECT ", RoomIdSql("k"), ", '", kCaller,
        "'::uuid, 'member', now() FROM generate_series(0, ", options_.rooms - 1, ") k WHERE k % ",
        stride, " = 0 AND k / ", stride, " < ", options_.member_rooms));
    std::printf("seeded %d rooms (caller a member of %zu) in %.1f s\n", options_.rooms,
                member_rooms_.size(), Seconds(start));
    std::fflush(stdout);

    // Message g (0-based) goes to room g % rooms with seq g / rooms + 1: gap-free per room, and
    // ids (time-ordered by g) interleave the rooms as live traffic would.
    // Zipf-like rank by inversion of the continuous distribution x^-s on [1, V + 1).
    double c = 1 - std::pow(kVocabulary + 1.0, 1 - kZipfExponent);
    std::string rank = absl::StrFormat("least(%d, floor(power(1 - random() * %.17g, %.17g))::int)",
                                       kVocabulary, c, 1 / (1 - kZipfExponent));
    Clock::time_point messages_start = Clock::now();
    OrDie(pg::RunInTransaction(
              *pool_, "seed messages",
              [&](pqxx::work& txn) -> absl::StatusOr<int> {
                txn.exec("SELECT setseed(0.16)");
                txn.exec(absl::StrCat(
                    "INSERT INTO messages (room_id, seq, id, sender_id, content, created_at,"
                    " updated_at) SELECT ",
                    RoomIdSql(absl::StrCat("s.g % ", options_.rooms)), ", s.g / ", options_.rooms,
                    " + 1, ", UuidSql(absl::StrCat(kBaseMillis, " + s.g"), "s.g"), ", '", kOwner,
                    "', w.content"
                    "  || CASE WHEN s.g % 997 = 0 THEN ' running' ELSE '' END"
                    "  || CASE WHEN s.g % 991 = 1 THEN ' runner' ELSE '' END"
                    "  || CASE WHEN s.g % 983 = 2 THEN ' happiness' ELSE '' END,"
                    " to_timestamp((",
                    kBaseMillis, " + s.g) / 1000.0), to_timestamp((", kBaseMillis,
                    " + s.g) / 1000.0)"
                    " FROM (SELECT g, 8 + floor(random() * 13)::int AS n"
                    "       FROM generate_series(0, ",
                    options_.messages - 1,
                    ") g) s,"
                    " LATERAL (SELECT string_agg(",
                    WordSql("r.k"),
                    ", ' ') AS content"
                    "          FROM (SELECT ((",
                    rank, "::bigint * ", kScramble, ") % ", kWordSpace,
                    ")::int AS k FROM generate_series(1, s.n)) r) w"));
                return 0;
              }),
          "seed messages");
    double insert_seconds = Seconds(messages_start);
    Sql(
        absl::StrCat("UPDATE rooms r SET last_seq = x.n FROM (SELECT room_id, max(seq) AS n"
                     " FROM messages GROUP BY room_id) x WHERE r.id = x.room_id"));
    Clock::time_point vacuum_start = Clock::now();
    {
      // VACUUM cannot run inside a transaction block.
      pqxx::connection conn(database_->url());
      pqxx::nontransaction txn(conn);
      txn.exec("VACUUM ANALYZE messages");
      txn.exec("VACUUM ANALYZE rooms");
      txn.exec("VACUUM ANALYZE room_members");
    }
    std::printf(
        "seeded %lld messages in %.1f s (insert %.1f s, VACUUM ANALYZE %.1f s); table %s, "
        "search index %s, total %s\n",
        static_cast<long long>(options_.messages), Seconds(start), insert_seconds,
        Seconds(vacuum_start), Sql("SELECT pg_size_pretty(pg_relation_size('messages'))").c_str(),
        Sql("SELECT pg_size_pretty(pg_relation_size('messages_search_idx'))").c_str(),
        Sql("SELECT pg_size_pretty(pg_total_relation_size('messages'))").c_str());
    std::printf("sample content: %s\n",
                Sql("SELECT content FROM messages ORDER BY room_id, seq LIMIT 1").c_str());
    std::fflush(stdout);
  }

  std::vector<QueryClass> Classes() {
    auto pick = [](std::mt19937& rng, int lo, int hi) {
      return std::uniform_int_distribution<int>(lo, hi)(rng);
    };
    auto member_room = [this](std::mt19937& rng) {
      return member_rooms_[std::uniform_int_distribution<size_t>(0, member_rooms_.size() - 1)(rng)];
    };
    std::vector<QueryClass> classes;
    classes.push_back({.name = "common word (rank 1-3)", .next = [=](std::mt19937& rng) {
                         return SearchInput{.q = Word(pick(rng, 1, 3))};
                       }});
    classes.push_back({.name = "mid word (rank 30-60)", .next = [=](std::mt19937& rng) {
                         return SearchInput{.q = Word(pick(rng, 30, 60))};
                       }});
    classes.push_back({.name = "rare word (rank 2000-5000)", .next = [=](std::mt19937& rng) {
                         return SearchInput{.q = Word(pick(rng, 2000, 5000))};
                       }});
    classes.push_back({.name = "two words (common + mid)", .next = [=](std::mt19937& rng) {
                         return SearchInput{.q = absl::StrCat(Word(pick(rng, 1, 3)), " ",
                                                              Word(pick(rng, 30, 60)))};
                       }});
    classes.push_back({.name = "3-letter prefix of common", .next = [=](std::mt19937& rng) {
                         return SearchInput{.q = Word(pick(rng, 1, 3)).substr(0, 3)};
                       }});
    classes.push_back({.name = "common word + room_id", .next = [=](std::mt19937& rng) {
                         return SearchInput{.q = Word(pick(rng, 1, 3)),
                                            .room_id = member_room(rng)};
                       }});
    classes.push_back({.name = "english stem (\"runs\")",
                       .next = [=](std::mt19937&) { return SearchInput{.q = "runs"}; }});
    // The second page: `before` from the (untimed) first page of the same common word.
    std::vector<std::string> cursors;
    for (int rank = 1; rank <= 3; ++rank) {
      SearchPage first = OrDie(service_->Search(kCaller, {.q = Word(rank)}), "first page");
      if (!first.next_before) Die("first page", absl::InternalError("no next_before"));
      cursors.push_back(*first.next_before);
    }
    classes.push_back({.name = "common word, 2nd page", .next = [=](std::mt19937& rng) {
                         int rank = pick(rng, 1, 3);
                         return SearchInput{.q = Word(rank), .before = cursors[rank - 1]};
                       }});
    return classes;
  }

  // How many messages match each kind of query (as Search turns it into a tsquery), overall and
  // in the caller's rooms.
  void PrintFrequencies() {
    std::string members =
        absl::StrCat("(SELECT room_id FROM room_members WHERE user_id = '", kCaller, "')");
    std::printf("matching messages (all rooms / the caller's rooms):\n");
    for (const std::string& q : {Word(1), Word(2), Word(3), Word(30), Word(60), Word(2000),
                                 Word(5000), Word(1).substr(0, 3), std::string("runs")}) {
      std::string tsquery = *SearchQueryText(q);
      std::string match = absl::StrCat("search_vector @@ to_tsquery('english', '",
                                       absl::StrReplaceAll(tsquery, {{"'", "''"}}), "')");
      std::printf("  %-8s (%s): %s / %s\n", q.c_str(), tsquery.c_str(),
                  Sql(absl::StrCat("SELECT count(*) FROM messages WHERE ", match)).c_str(),
                  Sql(absl::StrCat("SELECT count(*) FROM messages WHERE ", match,
                                   " AND room_id IN ", members))
                      .c_str());
    }
    std::fflush(stdout);
  }

  // Every class once per round, `samples` rounds, so caches are shared as in live traffic.
  void Run() {
    std::vector<QueryClass> classes = Classes();
    std::mt19937 rng(16);
    Clock::time_point start = Clock::now();
    for (int i = 0; i < options_.samples; ++i) {
      for (QueryClass& c : classes) {
        SearchInput input = c.next(rng);
        Clock::time_point begin = Clock::now();
        absl::StatusOr<SearchPage> page = service_->Search(kCaller, input);
        c.latencies.Add(Clock::now() - begin);
        if (!page.ok()) {
          if (++c.failures == 1) {
            std::fprintf(stderr, "search %s: %s\n", c.name.c_str(),
                         page.status().ToString().c_str());
          }
          continue;
        }
        c.hits += static_cast<int64_t>(page->results.size());
      }
    }
    std::printf(
        "\n%d searches per class (limit %d) in %.1f s, caller in %zu of %d rooms, "
        "%lld messages:\n",
        options_.samples, kDefaultSearchLimit, Seconds(start), member_rooms_.size(), options_.rooms,
        static_cast<long long>(options_.messages));
    std::printf("  %-28s %8s %8s %8s %8s %6s %6s\n", "class", "p50 ms", "p95 ms", "p99 ms",
                "max ms", "hits", "failed");
    Latencies all;
    for (QueryClass& c : classes) {
      std::printf("  %-28s %8.2f %8.2f %8.2f %8.2f %6.1f %6d\n", c.name.c_str(),
                  c.latencies.At(0.5), c.latencies.At(0.95), c.latencies.At(0.99),
                  c.latencies.Max(), static_cast<double>(c.hits) / options_.samples, c.failures);
      all.millis.insert(all.millis.end(), c.latencies.millis.begin(), c.latencies.millis.end());
    }
    double p99 = all.At(0.99);
    std::printf("  %-28s %8.2f %8.2f %8.2f %8.2f\n", "all classes", all.At(0.5), all.At(0.95), p99,
                all.Max());
    std::printf("overall p99 %.2f ms: %s the 50 ms target\n", p99, p99 <= 50 ? "meets" : "MISSES");
    std::fflush(stdout);
  }

  // EXPLAIN (ANALYZE, BUFFERS) of the search for the most common word. PgConversationRepository
  // runs it as an unnamed statement, planned with its values; the first EXECUTE of a PREPAREd
  // statement is planned the same way (a custom plan).
  void Explain() {
    pqxx::connection conn(database_->url());
    pqxx::nontransaction txn(conn);
    txn.exec(absl::StrCat("PREPARE s(uuid[], text, uuid, bigint, text) AS ", search_sql_));
    std::string rooms = absl::StrCat("{", absl::StrJoin(member_rooms_, ","), "}");
    std::string execute =
        absl::StrCat("EXPLAIN (ANALYZE, BUFFERS) EXECUTE s(", txn.quote(rooms), ", ",
                     txn.quote(*SearchQueryText(Word(1))), ", NULL, ", kDefaultSearchLimit + 1,
                     ", ", txn.quote(PgConversationRepository::HeadlineOptions()), ")");
    pqxx::result plan = txn.exec(execute);
    std::printf("\nEXPLAIN (ANALYZE, BUFFERS) of the search, q=%s:\n", Word(1).c_str());
    for (const pqxx::row& row : plan) std::printf("  %s\n", row[0].c_str());
    std::fflush(stdout);
  }

 private:
  Options options_;
  std::optional<pg::TestDatabase> database_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<PgRoomRepository> rooms_;
  std::unique_ptr<PgMessageRepository> messages_;
  std::unique_ptr<PgContactRepository> contacts_;
  ids::SystemClock clock_;
  ids::SodiumRandomSource random_;
  std::unique_ptr<ids::UuidGenerator> uuids_;
  RecordingEventPublisher events_;
  std::unique_ptr<PgConversationRepository> conversations_;
  std::unique_ptr<DeliveryMarkers> delivered_;
  std::unique_ptr<ConversationService> service_;
  std::string search_sql_;
  std::vector<std::string> member_rooms_;
};

bool ParseFlag(const std::string& arg, const char* name, int64_t* out) {
  std::string prefix = absl::StrCat("--", name, "=");
  if (arg.rfind(prefix, 0) != 0) return false;
  if (!absl::SimpleAtoi(arg.substr(prefix.size()), out) || *out < 1) {
    std::fprintf(stderr, "search_benchmark: bad %s\n", arg.c_str());
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
    if (ParseFlag(arg, "rooms", &value)) {
      options.rooms = static_cast<int>(value);
    } else if (ParseFlag(arg, "member-rooms", &value)) {
      options.member_rooms = static_cast<int>(value);
    } else if (ParseFlag(arg, "messages", &value)) {
      options.messages = value;
    } else if (ParseFlag(arg, "samples", &value)) {
      options.samples = static_cast<int>(value);
    } else if (arg.rfind("postgres", 0) == 0) {
      // TestDatabase creates its throwaway database on the cluster this names.
      setenv("CHATTER_TEST_PG_URL", arg.c_str(), 1);
    } else {
      std::fprintf(stderr,
                   "usage: %s [postgresql://...] [--rooms=N] [--member-rooms=N] "
                   "[--messages=N] [--samples=N]\n",
                   argv[0]);
      return 2;
    }
  }
  if (options.member_rooms > options.rooms) {
    std::fprintf(stderr, "search_benchmark: --member-rooms exceeds --rooms\n");
    return 2;
  }
  Bench bench(options);
  bench.PrintServer();
  bench.Seed();
  bench.PrintFrequencies();
  bench.Run();
  bench.Explain();
  return 0;
}
