// Messages in PostgreSQL (table `messages`, keyed by (room_id, seq)). History pages are index
// range scans on that primary key in either direction, never OFFSET.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "libs/pg/pool.h"
#include "services/chat/domain/admin_ports.h"
#include "services/chat/domain/repositories.h"

namespace chatter::chat {

class PgMessageRepository final : public MessageRepository,
                                  public MessageBatchWriter,
                                  public ServiceMessageWriter {
 public:
  explicit PgMessageRepository(pg::Pool& pool) : pool_(pool) {}
  // Prepared on every pooled connection (see ServiceSpec::prepared_statements).
  static std::vector<pg::PreparedStatement> Statements();

  absl::StatusOr<std::optional<StoredMessage>> Insert(const NewMessage& message) override;
  // One statement for the whole batch. Should it trip over a concurrent duplicate (another
  // replica committed the same client_msg_id meanwhile), the batch is redone one Insert each.
  absl::StatusOr<std::vector<std::optional<StoredMessage>>> InsertBatch(
      const std::vector<NewMessage>& messages) override;
  // One statement, like Insert, without the sender's checks and read marker.
  absl::StatusOr<std::optional<StoredMessage>> InsertFromService(
      const NewMessage& message) override;
  absl::StatusOr<Message> FindById(absl::string_view message_id) override;
  absl::StatusOr<std::vector<Message>> ListBefore(absl::string_view room_id, int64_t before_seq,
                                                  int limit) override;
  absl::StatusOr<std::vector<Message>> ListAfter(absl::string_view room_id, int64_t after_seq,
                                                 int limit) override;
  absl::StatusOr<Message> UpdateContent(
      absl::string_view message_id, absl::string_view content, absl::Time now,
      const std::vector<std::string>& mention_candidates) override;
  absl::StatusOr<DeletedMessage> MarkDeleted(absl::string_view message_id, absl::Time now) override;

  // Rooms with a message sent at or after `since`, with their newest seq. At start chat-svc
  // publishes them as room heads: a predecessor may have died between commit and publish.
  // Message ids are UUIDv7, so "sent since" is an index range scan on messages_id_key.
  absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> RecentRoomHeads(absl::Time since);

 private:
  absl::StatusOr<std::vector<Message>> ListPage(const char* statement, absl::string_view room_id,
                                                int64_t seq, int limit);
  absl::StatusOr<Message> FindByClientMsgId(const NewMessage& message);
  // `stored`, or the message a concurrent send with the same client_msg_id committed first.
  absl::StatusOr<std::optional<StoredMessage>> OrConcurrentDuplicate(
      absl::StatusOr<std::optional<StoredMessage>> stored, const NewMessage& message);
  pg::Pool& pool_;
};

}  // namespace chatter::chat
