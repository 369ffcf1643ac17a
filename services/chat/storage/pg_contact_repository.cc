// Contacts, blocks and reports in PostgreSQL. Adding and blocking are idempotent through
// ON CONFLICT DO NOTHING on the tables' primary keys.
#include "services/chat/storage/pg_contact_repository.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "libs/pg/errors.h"
#include "services/chat/storage/pg_autocommit.h"
#include "services/chat/storage/pg_rows.h"

namespace chatter::chat {
namespace {

Contact ContactFromRow(const pqxx::row& row) {
  return Contact{.owner_id = row[0].as<std::string>(),
                 .contact_id = row[1].as<std::string>(),
                 .created_at = absl::FromUnixMillis(row[2].as<int64_t>()),
                 .blocked = row[3].as<bool>()};
}

std::vector<std::string> Ids(const pqxx::result& rows) {
  std::vector<std::string> ids;
  for (const pqxx::row& row : rows) ids.push_back(row[0].as<std::string>());
  return ids;
}

}  // namespace

std::vector<pg::PreparedStatement> PgContactRepository::Statements() {
  const std::string contact =
      absl::StrCat("c.owner_id::text, c.contact_id::text, ", MillisOf("c.created_at"),
                   ", EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = c.owner_id "
                   "AND b.blocked_id = c.contact_id)");
  return {
      {"contacts_insert",
       absl::StrCat("INSERT INTO contacts (owner_id, contact_id, created_at) VALUES ($1, $2, ",
                    TimestampFromMillis("$3"), ") ON CONFLICT DO NOTHING")},
      {"contacts_by_key",
       absl::StrCat("SELECT ", contact,
                    " FROM contacts c WHERE c.owner_id = $1 AND c.contact_id = $2")},
      {"contacts_list", absl::StrCat("SELECT ", contact,
                                     " FROM contacts c WHERE c.owner_id = $1 "
                                     "ORDER BY c.created_at DESC, c.contact_id DESC")},
      {"blocks_insert",
       absl::StrCat("INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, ",
                    TimestampFromMillis("$3"), ") ON CONFLICT DO NOTHING")},
      {"blocks_delete", "DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2"},
      {"blocks_either_way",
       "SELECT EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) "
       "OR (blocker_id = $2 AND blocked_id = $1))"},
      {"blocks_by_blocker",
       "SELECT blocked_id::text FROM blocks WHERE blocker_id = $1 ORDER BY created_at, blocked_id"},
      {"blocks_by_blocked",
       "SELECT blocker_id::text FROM blocks WHERE blocked_id = $1 ORDER BY created_at, blocker_id"},
      {"reports_insert",
       absl::StrCat("INSERT INTO reports (id, reporter_id, reported_id, reason, created_at) "
                    "VALUES ($1, $2, $3, $4, ",
                    TimestampFromMillis("$5"), ")")},
      {"reports_count_since",
       absl::StrCat("SELECT count(*) FROM reports WHERE reporter_id = $1 AND created_at >= ",
                    TimestampFromMillis("$2"))},
  };
}

absl::StatusOr<StoredContact> PgContactRepository::Add(const Contact& contact) {
  return pg::RunInTransaction(
      pool_, "add contact", [&](pqxx::work& txn) -> absl::StatusOr<StoredContact> {
        pqxx::result inserted =
            txn.exec_prepared("contacts_insert", contact.owner_id, contact.contact_id,
                              absl::ToUnixMillis(contact.created_at));
        pqxx::result rows =
            txn.exec_prepared("contacts_by_key", contact.owner_id, contact.contact_id);
        if (rows.empty()) return absl::AbortedError("contact vanished; retry");
        return StoredContact{ContactFromRow(rows[0]), inserted.affected_rows() == 1};
      });
}

absl::StatusOr<std::vector<Contact>> PgContactRepository::List(absl::string_view owner_id) {
  return RunAutocommit(
      pool_, "list contacts",
      [&](pqxx::nontransaction& txn) -> absl::StatusOr<std::vector<Contact>> {
        std::vector<Contact> contacts;
        for (const pqxx::row& row : txn.exec_prepared("contacts_list", std::string(owner_id))) {
          contacts.push_back(ContactFromRow(row));
        }
        return contacts;
      });
}

absl::Status PgContactRepository::Block(absl::string_view blocker_id, absl::string_view blocked_id,
                                        absl::Time now) {
  return RunAutocommit(pool_, "block user", [&](pqxx::nontransaction& txn) {
    txn.exec_prepared("blocks_insert", std::string(blocker_id), std::string(blocked_id),
                      absl::ToUnixMillis(now));
    return absl::OkStatus();
  });
}

absl::Status PgContactRepository::Unblock(absl::string_view blocker_id,
                                          absl::string_view blocked_id) {
  return RunAutocommit(pool_, "unblock user", [&](pqxx::nontransaction& txn) {
    txn.exec_prepared("blocks_delete", std::string(blocker_id), std::string(blocked_id));
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> PgContactRepository::IsBlockedEitherWay(absl::string_view user_a,
                                                             absl::string_view user_b) {
  return RunAutocommit(
      pool_, "check blocks", [&](pqxx::nontransaction& txn) -> absl::StatusOr<bool> {
        pqxx::result rows =
            txn.exec_prepared("blocks_either_way", std::string(user_a), std::string(user_b));
        return rows[0][0].as<bool>();
      });
}

absl::StatusOr<BlockRelations> PgContactRepository::Relations(absl::string_view user_id) {
  return RunAutocommit(pool_, "block relations",
                       [&](pqxx::nontransaction& txn) -> absl::StatusOr<BlockRelations> {
                         BlockRelations relations;
                         relations.blocked_user_ids =
                             Ids(txn.exec_prepared("blocks_by_blocker", std::string(user_id)));
                         relations.blocked_by_user_ids =
                             Ids(txn.exec_prepared("blocks_by_blocked", std::string(user_id)));
                         return relations;
                       });
}

absl::Status PgContactRepository::CreateReport(const Report& report) {
  return RunAutocommit(pool_, "create report", [&](pqxx::nontransaction& txn) {
    txn.exec_prepared("reports_insert", report.id, report.reporter_id, report.reported_id,
                      report.reason, absl::ToUnixMillis(report.created_at));
    return absl::OkStatus();
  });
}

absl::StatusOr<int> PgContactRepository::CountReportsSince(absl::string_view reporter_id,
                                                           absl::Time since) {
  return RunAutocommit(
      pool_, "count reports", [&](pqxx::nontransaction& txn) -> absl::StatusOr<int> {
        pqxx::result rows = txn.exec_prepared("reports_count_since", std::string(reporter_id),
                                              absl::ToUnixMillis(since));
        return rows[0][0].as<int>();
      });
}

}  // namespace chatter::chat
