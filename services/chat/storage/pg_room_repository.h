// Rooms and memberships in PostgreSQL (tables `rooms`, `room_members`). Membership changes lock
// the room row first, as message inserts do, so writers of one room never deadlock.
#pragma once

#include <vector>

#include "libs/pg/pool.h"
#include "services/chat/domain/admin_ports.h"
#include "services/chat/domain/repositories.h"

namespace chatter::chat {

class PgRoomRepository final : public RoomRepository, public MemberRoles {
 public:
  explicit PgRoomRepository(pg::Pool& pool) : pool_(pool) {}
  // Prepared on every pooled connection (see ServiceSpec::prepared_statements).
  static std::vector<pg::PreparedStatement> Statements();

  absl::Status CreateGroup(const Room& room, const Membership& owner) override;
  absl::StatusOr<OpenedRoom> OpenDirect(const Room& room,
                                        const std::vector<Membership>& members) override;
  absl::StatusOr<RoomForUser> FindForUser(absl::string_view room_id,
                                          absl::string_view user_id) override;
  absl::StatusOr<std::vector<RoomForUser>> FindManyForUser(const std::vector<std::string>& room_ids,
                                                           absl::string_view user_id) override;
  absl::StatusOr<std::vector<RoomSummary>> ListForUser(absl::string_view user_id) override;
  absl::StatusOr<std::vector<Room>> ListPublic(const PublicRoomQuery& query) override;
  absl::StatusOr<std::vector<Membership>> ListMembers(absl::string_view room_id) override;
  absl::StatusOr<AddedMember> AddMember(const Membership& membership) override;
  absl::StatusOr<RoleChange> SetRole(absl::string_view room_id, absl::string_view user_id,
                                     Role role) override;
  absl::StatusOr<std::optional<RemovedMember>> RemoveMember(absl::string_view room_id,
                                                            absl::string_view user_id) override;
  absl::StatusOr<ReadMarker> MarkRead(absl::string_view room_id, absl::string_view user_id,
                                      int64_t seq) override;

 private:
  pg::Pool& pool_;
};

}  // namespace chatter::chat
