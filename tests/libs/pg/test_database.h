// A throwaway PostgreSQL database for integration tests: created with a random name on the
// cluster CHATTER_TEST_PG_URL points at, dropped again when the object goes away.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace chatter::pg {

class TestDatabase {
 public:
  // FAILED_PRECONDITION with instructions when CHATTER_TEST_PG_URL is unset: integration tests
  // fail rather than skip, so a misconfigured CI cannot pass silently.
  static absl::StatusOr<TestDatabase> Create();

  TestDatabase(TestDatabase&& other) noexcept;
  TestDatabase& operator=(TestDatabase&& other) noexcept;
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  // Drops the database, disconnecting anything still attached to it.
  ~TestDatabase();

  // A URL for the new database, with the same credentials as CHATTER_TEST_PG_URL.
  std::string url() const { return url_; }
  std::string name() const { return name_; }

 private:
  TestDatabase(std::string admin_url, std::string name, std::string url);
  void Drop();

  std::string admin_url_;
  std::string name_;
  std::string url_;
};

// `url` with its database replaced by `database`; handles postgresql:// URLs (with or without a
// path or query) and libpq keyword strings.
std::string UrlWithDatabase(const std::string& url, const std::string& database);

}  // namespace chatter::pg
