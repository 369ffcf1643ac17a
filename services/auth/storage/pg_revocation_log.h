// The log of ended logins in PostgreSQL (table `revoked_sessions`): written inside the
// transactions that end logins, read by cursor for every verifier (ListRevokedSessions).
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "libs/authn/revocation_feed.h"
#include "libs/pg/pool.h"
#include "services/auth/domain/model.h"

namespace chatter::auth {

class PgRevocationLog final : public authn::RevocationSource {
 public:
  explicit PgRevocationLog(pg::Pool& pool) : pool_(pool) {}
  static std::vector<pg::PreparedStatement> Statements();

  // Entries still in force after `after_seq`; the cursor also moves past entries that ran out.
  absl::StatusOr<authn::RevocationPage> After(int64_t after_seq, int limit) override;

  // Inside a transaction: logs one login as ended.
  static void LogLogin(pqxx::work& txn, const std::string& session_id, const std::string& user_id,
                       absl::Time until, const char* reason);
  // Inside a transaction: logs every login of the user with a refresh token created in `window`
  // (all but `keep_session_id`, when given) as ended, and revokes all their live refresh
  // tokens; returns how many refresh tokens that revoked.
  static int EndLoginsOfUser(pqxx::work& txn, const std::string& user_id,
                             const std::optional<std::string>& keep_session_id,
                             const RevocationWindow& window, const char* reason);

 private:
  // Serialises writers, so seq order is commit order; purges a few entries long run out.
  static void BeginAppend(pqxx::work& txn);

  pg::Pool& pool_;
};

}  // namespace chatter::auth
