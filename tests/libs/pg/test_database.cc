// TestDatabase: CREATE DATABASE / DROP DATABASE ... WITH (FORCE) against the test cluster.
#include "tests/libs/pg/test_database.h"

#include <cstdlib>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <random>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/pg/errors.h"

namespace chatter::pg {
namespace {

constexpr char kUrlVariable[] = "CHATTER_TEST_PG_URL";

std::string RandomName() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device());
  return absl::StrFormat("chatter_test_%016x", rng());
}

// CREATE/DROP DATABASE cannot run inside a transaction block, hence nontransaction.
void Execute(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::nontransaction txn(conn);
  txn.exec0(sql);
}

}  // namespace

std::string UrlWithDatabase(const std::string& url, const std::string& database) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return absl::StrCat(url, " dbname=", database);
  const size_t authority = scheme + 3;
  const size_t query = url.find('?', authority);
  const size_t path = url.find('/', authority);
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  const size_t host_end = (path != std::string::npos && path < query) ? path : query;
  return absl::StrCat(url.substr(0, host_end), "/", database, tail);
}

absl::StatusOr<TestDatabase> TestDatabase::Create() {
  const char* admin_url = std::getenv(kUrlVariable);
  if (admin_url == nullptr || *admin_url == '\0') {
    return absl::FailedPreconditionError(absl::StrCat(
        kUrlVariable,
        " is not set: integration tests need a PostgreSQL superuser URL of a throwaway cluster, "
        "e.g. postgresql://postgres@127.0.0.1:55432/postgres"));
  }
  std::string name = RandomName();
  try {
    Execute(admin_url, absl::StrCat("CREATE DATABASE ", name));
  } catch (const std::exception& e) {
    return StatusFromException(e, absl::StrCat("creating test database ", name));
  }
  std::string url = UrlWithDatabase(admin_url, name);
  return TestDatabase(admin_url, std::move(name), std::move(url));
}

TestDatabase::TestDatabase(std::string admin_url, std::string name, std::string url)
    : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}

TestDatabase::TestDatabase(TestDatabase&& other) noexcept
    : admin_url_(std::move(other.admin_url_)),
      name_(std::exchange(other.name_, "")),
      url_(std::move(other.url_)) {}

TestDatabase& TestDatabase::operator=(TestDatabase&& other) noexcept {
  if (this != &other) {
    Drop();
    admin_url_ = std::move(other.admin_url_);
    name_ = std::exchange(other.name_, "");
    url_ = std::move(other.url_);
  }
  return *this;
}

TestDatabase::~TestDatabase() { Drop(); }

void TestDatabase::Drop() {
  if (name_.empty()) return;
  try {
    // FORCE (PostgreSQL 13+) disconnects pools a failed test may have left open.
    Execute(admin_url_, absl::StrCat("DROP DATABASE IF EXISTS ", name_, " WITH (FORCE)"));
  } catch (const std::exception&) {
    // A leftover database on a throwaway cluster is harmless; a throwing destructor is not.
  }
  name_.clear();
}

}  // namespace chatter::pg
