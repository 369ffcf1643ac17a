// Unit tests for Pool without a database: connection strings, and that an unreachable or
// unresponsive server yields UNAVAILABLE within the connect timeout instead of a hang.
#include "libs/pg/pool.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace chatter::pg {
namespace {

using ::testing::HasSubstr;

TEST(ConnectionStringTest, AddsConnectTimeoutToUrls) {
  EXPECT_EQ(ConnectionString("postgresql://u@h:5432/db", absl::Seconds(3)),
            "postgresql://u@h:5432/db?connect_timeout=3");
  EXPECT_EQ(ConnectionString("postgres://u@h/db?sslmode=disable", absl::Seconds(3)),
            "postgres://u@h/db?sslmode=disable&connect_timeout=3");
  EXPECT_EQ(ConnectionString("postgresql://h/db?", absl::Seconds(3)),
            "postgresql://h/db?connect_timeout=3");
}

TEST(ConnectionStringTest, AddsConnectTimeoutToKeywordStrings) {
  EXPECT_EQ(ConnectionString("host=h dbname=db", absl::Seconds(5)),
            "host=h dbname=db connect_timeout=5");
  EXPECT_EQ(ConnectionString("", absl::Seconds(5)), "connect_timeout=5");
}

TEST(ConnectionStringTest, KeepsAnExplicitTimeout) {
  EXPECT_EQ(ConnectionString("postgresql://h/db?connect_timeout=10", absl::Seconds(3)),
            "postgresql://h/db?connect_timeout=10");
}

TEST(ConnectionStringTest, RoundsUpToWholeSecondsAndNeverZero) {
  // libpq reads 0 as "wait forever".
  EXPECT_EQ(ConnectionString("host=h", absl::Milliseconds(200)), "host=h connect_timeout=1");
  EXPECT_EQ(ConnectionString("host=h", absl::Milliseconds(2500)), "host=h connect_timeout=3");
  EXPECT_EQ(ConnectionString("host=h", absl::ZeroDuration()), "host=h connect_timeout=1");
}

// A loopback TCP socket bound to a free port; listening or not.
class LocalSocket {
 public:
  explicit LocalSocket(bool listen_on_it) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
    if (listen_on_it) {
      EXPECT_EQ(listen(fd_, 16), 0);
    }
  }
  ~LocalSocket() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

std::string UrlForPort(int port) {
  return absl::StrCat("postgresql://postgres@127.0.0.1:", port, "/postgres");
}

TEST(PoolTest, RefusedConnectionIsUnavailable) {
  // Bound but not listening: the kernel refuses connections to it.
  LocalSocket closed(/*listen_on_it=*/false);
  Pool pool(PoolOptions{.url = UrlForPort(closed.port()), .size = 2});
  const absl::StatusOr<Lease> lease = pool.Acquire();
  EXPECT_EQ(lease.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(lease.status().message(), HasSubstr("connecting to database"));
  // The failed attempt gives its slot back.
  const PoolStats stats = pool.Stats();
  EXPECT_EQ(stats.open, 0);
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_EQ(pool.Ping().code(), absl::StatusCode::kUnavailable);
}

TEST(PoolTest, SilentServerIsUnavailableAfterConnectTimeout) {
  // Accepts TCP connections (in the kernel backlog) but never answers the startup packet.
  LocalSocket silent(/*listen_on_it=*/true);
  // libpq's smallest connect_timeout is 2 seconds.
  Pool pool(PoolOptions{
      .url = UrlForPort(silent.port()), .size = 1, .connect_timeout = absl::Seconds(2)});
  const absl::Time start = absl::Now();
  const absl::StatusOr<Lease> lease = pool.Acquire();
  const absl::Duration elapsed = absl::Now() - start;
  EXPECT_EQ(lease.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(elapsed, absl::Seconds(6));
  EXPECT_EQ(pool.Stats().open, 0);
}

}  // namespace
}  // namespace chatter::pg
