// Contacts, blocks and reports in PostgreSQL (tables `contacts`, `blocks`, `reports`).
#pragma once

#include <vector>

#include "libs/pg/pool.h"
#include "services/chat/domain/repositories.h"

namespace chatter::chat {

class PgContactRepository final : public ContactRepository {
 public:
  explicit PgContactRepository(pg::Pool& pool) : pool_(pool) {}
  // Prepared on every pooled connection (see ServiceSpec::prepared_statements).
  static std::vector<pg::PreparedStatement> Statements();

  absl::StatusOr<StoredContact> Add(const Contact& contact) override;
  absl::StatusOr<std::vector<Contact>> List(absl::string_view owner_id) override;
  absl::Status Block(absl::string_view blocker_id, absl::string_view blocked_id,
                     absl::Time now) override;
  absl::Status Unblock(absl::string_view blocker_id, absl::string_view blocked_id) override;
  absl::StatusOr<bool> IsBlockedEitherWay(absl::string_view user_a,
                                          absl::string_view user_b) override;
  absl::StatusOr<BlockRelations> Relations(absl::string_view user_id) override;
  absl::Status CreateReport(const Report& report) override;
  absl::StatusOr<int> CountReportsSince(absl::string_view reporter_id, absl::Time since) override;

 private:
  pg::Pool& pool_;
};

}  // namespace chatter::chat
