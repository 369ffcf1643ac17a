// Accounts in PostgreSQL.
#include "services/auth/storage/pg_user_repository.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "libs/pg/errors.h"
#include "libs/status/error_details.h"
#include "services/auth/storage/pg_revocation_log.h"

namespace chatter::auth {
namespace {

constexpr char kColumns[] =
    "id::text, username, email, password_hash, "
    "(extract(epoch from created_at) * 1000)::bigint, "
    "(extract(epoch from updated_at) * 1000)::bigint, "
    "(extract(epoch from deleted_at) * 1000)::bigint";

User FromRow(const pqxx::row& row) {
  User user{.id = row[0].as<std::string>(),
            .username = row[1].as<std::string>(""),
            .email = row[2].as<std::string>(""),
            .password_hash = row[3].as<std::string>(""),
            .created_at = absl::FromUnixMillis(row[4].as<int64_t>()),
            .updated_at = absl::FromUnixMillis(row[5].as<int64_t>()),
            .deleted_at = std::nullopt};
  if (!row[6].is_null()) {
    user.deleted_at = absl::FromUnixMillis(row[6].as<int64_t>());
    user.username.clear();  // Held in storage, shown to nobody.
  }
  return user;
}

absl::Status NoLiveAccount() { return absl::NotFoundError("user not found"); }

}  // namespace

std::vector<pg::PreparedStatement> PgUserRepository::Statements() {
  return {
      {"users_release_username",
       "UPDATE users SET username = NULL WHERE username = $1 AND deleted_at IS NOT NULL "
       "AND deleted_at < to_timestamp($2::double precision / 1000)"},
      {"users_insert",
       "INSERT INTO users (id, username, email, password_hash, created_at, updated_at) "
       "VALUES ($1, $2, $3, $4, to_timestamp($5::double precision / 1000), "
       "to_timestamp($5::double precision / 1000))"},
      {"users_by_id", absl::StrCat("SELECT ", kColumns, " FROM users WHERE id = $1::uuid")},
      {"users_by_username",
       absl::StrCat("SELECT ", kColumns, " FROM users WHERE username = $1 AND deleted_at IS NULL")},
      {"users_by_email", absl::StrCat("SELECT ", kColumns, " FROM users WHERE email = $1")},
      {"users_set_password",
       "UPDATE users SET password_hash = $2, updated_at = to_timestamp($3::double precision / "
       "1000) WHERE id = $1::uuid AND deleted_at IS NULL"},
      {"users_erase",
       "UPDATE users SET email = NULL, password_hash = NULL, "
       "deleted_at = to_timestamp($2::double precision / 1000), "
       "updated_at = to_timestamp($2::double precision / 1000) "
       "WHERE id = $1::uuid AND deleted_at IS NULL"},
      {"users_delete_sessions", "DELETE FROM refresh_sessions WHERE user_id = $1::uuid"},
      {"users_by_ids",
       absl::StrCat("SELECT ", kColumns, " FROM users WHERE id = ANY($1::uuid[]) ORDER BY id")},
  };
}

absl::Status PgUserRepository::Create(const User& user, absl::Time release_deleted_before) {
  absl::Status status = pg::RunInTransaction(pool_, "create user", [&](pqxx::work& txn) {
    txn.exec_prepared0("users_release_username", user.username,
                       absl::ToUnixMillis(release_deleted_before));
    txn.exec_prepared0("users_insert", user.id, user.username, user.email, user.password_hash,
                       absl::ToUnixMillis(user.created_at));
    return absl::OkStatus();
  });
  // Uniqueness is the database's job: concurrent sign-ups of one name cannot both win.
  if (pg::ViolatesConstraint(status, "users_username_key")) {
    return status::FieldError(absl::StatusCode::kAlreadyExists, "username", "is already taken",
                              "username is already taken");
  }
  if (pg::ViolatesConstraint(status, "users_email_key")) {
    return status::FieldError(absl::StatusCode::kAlreadyExists, "email", "is already registered",
                              "email is already registered");
  }
  return status;
}

absl::StatusOr<User> PgUserRepository::FindOne(const char* statement, absl::string_view key) {
  return pg::RunInTransaction(pool_, "find user", [&](pqxx::work& txn) -> absl::StatusOr<User> {
    pqxx::result rows = txn.exec_prepared(statement, std::string(key));
    if (rows.empty()) return absl::NotFoundError("user not found");
    return FromRow(rows[0]);
  });
}

absl::StatusOr<User> PgUserRepository::FindById(absl::string_view id) {
  return FindOne("users_by_id", id);
}

absl::StatusOr<User> PgUserRepository::FindByUsername(absl::string_view username) {
  return FindOne("users_by_username", username);
}

absl::StatusOr<User> PgUserRepository::FindByEmail(absl::string_view email) {
  return FindOne("users_by_email", email);
}

absl::StatusOr<std::vector<User>> PgUserRepository::FindByIds(const std::vector<std::string>& ids) {
  if (ids.empty()) return std::vector<User>{};
  return pg::RunInTransaction(
      pool_, "find users", [&](pqxx::work& txn) -> absl::StatusOr<std::vector<User>> {
        std::string array = "{";
        for (size_t i = 0; i < ids.size(); ++i) absl::StrAppend(&array, i ? "," : "", ids[i]);
        array += "}";
        std::vector<User> users;
        for (const pqxx::row& row : txn.exec_prepared("users_by_ids", array)) {
          users.push_back(FromRow(row));
        }
        return users;
      });
}

absl::Status PgUserRepository::ChangePassword(absl::string_view user_id,
                                              absl::string_view password_hash, absl::Time now,
                                              absl::string_view keep_session_id,
                                              const RevocationWindow& window) {
  return pg::RunInTransaction(pool_, "change password", [&](pqxx::work& txn) -> absl::Status {
    pqxx::result updated = txn.exec_prepared("users_set_password", std::string(user_id),
                                             std::string(password_hash), absl::ToUnixMillis(now));
    if (updated.affected_rows() == 0) return NoLiveAccount();
    std::optional<std::string> keep;
    if (!keep_session_id.empty()) keep = std::string(keep_session_id);
    PgRevocationLog::EndLoginsOfUser(txn, std::string(user_id), keep, window, "password_changed");
    return absl::OkStatus();
  });
}

absl::Status PgUserRepository::Erase(absl::string_view user_id, absl::Time now,
                                     const RevocationWindow& window) {
  return pg::RunInTransaction(pool_, "erase user", [&](pqxx::work& txn) -> absl::Status {
    std::string id(user_id);
    pqxx::result erased = txn.exec_prepared("users_erase", id, absl::ToUnixMillis(now));
    if (erased.affected_rows() == 0) return NoLiveAccount();
    // Logged before the sessions go: the log is read from them.
    PgRevocationLog::EndLoginsOfUser(txn, id, std::nullopt, window, "account_deleted");
    txn.exec_prepared0("users_delete_sessions", id);
    return absl::OkStatus();
  });
}

}  // namespace chatter::auth
