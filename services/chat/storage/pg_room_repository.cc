// Rooms and memberships in PostgreSQL. A direct room is inserted with ON CONFLICT on its
// direct_key: a concurrent second opener waits for the first one's commit, inserts nothing and
// then reads the winner's row, so every caller gets the same room.
#include "services/chat/storage/pg_room_repository.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "libs/pg/errors.h"
#include "services/chat/storage/pg_autocommit.h"
#include "services/chat/storage/pg_rows.h"

namespace chatter::chat {
namespace {

void InsertMember(pqxx::work& txn, const Membership& member) {
  txn.exec_prepared("members_insert", member.room_id, member.user_id,
                    std::string(RoleName(member.role)), absl::ToUnixMillis(member.joined_at));
}

RoomForUser RoomForUserFromRow(const pqxx::row& row) {
  return RoomForUser{RoomFromRow(row, 0), MembershipFromRow(row, kRoomColumnCount)};
}

}  // namespace

std::vector<pg::PreparedStatement> PgRoomRepository::Statements() {
  const std::string room = RoomColumns("r");
  const std::string member = MembershipColumns("m");
  return {
      {"rooms_insert",
       absl::StrCat("INSERT INTO rooms (id, kind, name, visibility, created_by, direct_key, "
                    "member_count, last_seq, created_at) VALUES ($1, $2, $3, $4, $5, NULL, $6, 0, ",
                    TimestampFromMillis("$7"), ")")},
      {"rooms_insert_direct",
       absl::StrCat("INSERT INTO rooms AS r (id, kind, name, visibility, created_by, direct_key, "
                    "member_count, last_seq, created_at) VALUES ($1, 'direct', '', 'private', $2, "
                    "$3, $4, 0, ",
                    TimestampFromMillis("$5"),
                    ") ON CONFLICT (direct_key) WHERE direct_key IS NOT NULL DO NOTHING "
                    "RETURNING ",
                    room)},
      {"rooms_by_direct_key",
       absl::StrCat("SELECT ", room, " FROM rooms r WHERE r.direct_key = $1")},
      {"rooms_lock", "SELECT 1 FROM rooms WHERE id = $1 FOR UPDATE"},
      // The member's role before, and whether it changed; no row for a non-member. An owner's
      // role stays (ownership moves only through RemoveMember).
      {"members_set_role",
       "WITH old AS (SELECT role FROM room_members WHERE room_id = $1 AND user_id = $2 FOR UPDATE"
       "), updated AS ("
       "  UPDATE room_members m SET role = $3 FROM old WHERE m.room_id = $1 AND m.user_id = $2"
       "    AND old.role <> 'owner' AND old.role <> $3 RETURNING 1"
       ") SELECT old.role, EXISTS (SELECT 1 FROM updated) FROM old"},
      {"rooms_add_member_count", "UPDATE rooms SET member_count = member_count + $2 WHERE id = $1"},
      {"rooms_for_user",
       absl::StrCat("SELECT ", room, ", ", member,
                    " FROM rooms r LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = $2 "
                    "WHERE r.id = $1")},
      {"rooms_many_for_user",
       absl::StrCat("SELECT ", room, ", ", member,
                    " FROM rooms r LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = $2 "
                    "WHERE r.id = ANY($1::uuid[])")},
      // The last message is one primary-key probe per room: (room_id, last_seq).
      {"rooms_list_for_user",
       absl::StrCat("SELECT ", room, ", m.last_read_seq, ", MessageColumns("lm"),
                    ", (SELECT count(*) FROM message_mentions mm WHERE mm.user_id = $1"
                    "   AND mm.room_id = r.id AND mm.seq > m.last_read_seq)"
                    " FROM room_members m JOIN rooms r ON r.id = m.room_id "
                    "LEFT JOIN messages lm ON lm.room_id = r.id AND lm.seq = r.last_seq "
                    "WHERE m.user_id = $1 "
                    "ORDER BY coalesce(lm.created_at, r.created_at) DESC, r.id DESC")},
      // The directory: a backward scan of rooms_public_idx (migration 0005), newest first. The
      // cursor goes through coalesce() rather than "IS NULL OR" so it stays an index condition
      // in a generic plan too (a deep page starts at the cursor instead of the newest room). The
      // filter is a plain substring test of lower-cased text, so the user's text is never a
      // LIKE pattern (no % or _ to escape) and always a bound parameter.
      {"rooms_list_public",
       absl::StrCat("SELECT ", room,
                    " FROM rooms r WHERE r.kind = 'group' AND r.visibility = 'public'"
                    " AND r.id < coalesce($1::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')"
                    " AND ($2::text IS NULL OR strpos(lower(r.name), lower($2::text)) > 0)"
                    " ORDER BY r.id DESC LIMIT $3")},
      {"members_insert",
       absl::StrCat("INSERT INTO room_members AS m (room_id, user_id, role, joined_at) "
                    "VALUES ($1, $2, $3, ",
                    TimestampFromMillis("$4"), ") ON CONFLICT DO NOTHING RETURNING ", member)},
      {"members_by_key",
       absl::StrCat("SELECT ", member,
                    " FROM room_members m WHERE m.room_id = $1 AND m.user_id = $2")},
      {"members_list",
       absl::StrCat("SELECT ", member,
                    " FROM room_members m WHERE m.room_id = $1 ORDER BY m.joined_at, m.user_id")},
      {"members_delete",
       "DELETE FROM room_members WHERE room_id = $1 AND user_id = $2 RETURNING role"},
      // The successor of a leaving owner: the earliest-joined admin, else the earliest member.
      {"members_promote_successor",
       "UPDATE room_members SET role = 'owner' WHERE room_id = $1 AND user_id = ("
       "SELECT user_id FROM room_members WHERE room_id = $1 "
       "ORDER BY (role = 'admin') DESC, joined_at, user_id LIMIT 1) RETURNING user_id::text"},
      {"members_mark_read",
       // Reading implies delivery: the delivered marker comes along.
       "UPDATE room_members SET last_read_seq = $3, delivered_seq = greatest(delivered_seq, $3) "
       "WHERE room_id = $1 AND user_id = $2 AND last_read_seq < $3 RETURNING last_read_seq"},
      {"members_read_seq",
       "SELECT last_read_seq FROM room_members WHERE room_id = $1 AND user_id = $2"},
  };
}

absl::Status PgRoomRepository::CreateGroup(const Room& room, const Membership& owner) {
  return pg::RunInTransaction(pool_, "create room", [&](pqxx::work& txn) {
    txn.exec_prepared0("rooms_insert", room.id, std::string(KindName(room.kind)), room.name,
                       std::string(VisibilityName(room.visibility)), room.created_by,
                       room.member_count, absl::ToUnixMillis(room.created_at));
    InsertMember(txn, owner);
    return absl::OkStatus();
  });
}

absl::StatusOr<OpenedRoom> PgRoomRepository::OpenDirect(const Room& room,
                                                        const std::vector<Membership>& members) {
  return pg::RunInTransaction(
      pool_, "open direct room", [&](pqxx::work& txn) -> absl::StatusOr<OpenedRoom> {
        pqxx::result inserted =
            txn.exec_prepared("rooms_insert_direct", room.id, room.created_by, room.direct_key,
                              room.member_count, absl::ToUnixMillis(room.created_at));
        if (!inserted.empty()) {
          for (const Membership& member : members) InsertMember(txn, member);
          return OpenedRoom{RoomFromRow(inserted[0], 0), true};
        }
        // Another call created it (and committed: the conflict waited for that).
        pqxx::result existing = txn.exec_prepared("rooms_by_direct_key", room.direct_key);
        if (existing.empty()) return absl::AbortedError("direct room vanished; retry");
        return OpenedRoom{RoomFromRow(existing[0], 0), false};
      });
}

absl::StatusOr<RoomForUser> PgRoomRepository::FindForUser(absl::string_view room_id,
                                                          absl::string_view user_id) {
  return RunAutocommit(
      pool_, "find room", [&](pqxx::nontransaction& txn) -> absl::StatusOr<RoomForUser> {
        pqxx::result rows =
            txn.exec_prepared("rooms_for_user", std::string(room_id), std::string(user_id));
        if (rows.empty()) return absl::NotFoundError(absl::StrCat("room ", room_id, " not found"));
        return RoomForUserFromRow(rows[0]);
      });
}

absl::StatusOr<std::vector<RoomForUser>> PgRoomRepository::FindManyForUser(
    const std::vector<std::string>& room_ids, absl::string_view user_id) {
  if (room_ids.empty()) return std::vector<RoomForUser>{};
  return RunAutocommit(
      pool_, "find rooms",
      [&](pqxx::nontransaction& txn) -> absl::StatusOr<std::vector<RoomForUser>> {
        std::vector<RoomForUser> views;
        for (const pqxx::row& row :
             txn.exec_prepared("rooms_many_for_user", UuidArray(room_ids), std::string(user_id))) {
          views.push_back(RoomForUserFromRow(row));
        }
        return views;
      });
}

absl::StatusOr<std::vector<RoomSummary>> PgRoomRepository::ListForUser(absl::string_view user_id) {
  return RunAutocommit(pool_, "list rooms",
                       [&](pqxx::nontransaction& txn) -> absl::StatusOr<std::vector<RoomSummary>> {
                         std::vector<RoomSummary> summaries;
                         for (const pqxx::row& row :
                              txn.exec_prepared("rooms_list_for_user", std::string(user_id))) {
                           RoomSummary summary;
                           summary.room = RoomFromRow(row, 0);
                           summary.last_read_seq = row[kRoomColumnCount].as<int64_t>();
                           // Exact: seq is gap-free and a sender's marker moves to each message
                           // they send.
                           summary.unread_count =
                               std::max<int64_t>(0, summary.room.last_seq - summary.last_read_seq);
                           summary.last_message = MessageFromRow(row, kRoomColumnCount + 1);
                           summary.unread_mentions =
                               row[kRoomColumnCount + 1 + kMessageColumnCount].as<int64_t>();
                           summaries.push_back(std::move(summary));
                         }
                         return summaries;
                       });
}

absl::StatusOr<std::vector<Room>> PgRoomRepository::ListPublic(const PublicRoomQuery& query) {
  return RunAutocommit(
      pool_, "list public rooms",
      [&](pqxx::nontransaction& txn) -> absl::StatusOr<std::vector<Room>> {
        std::vector<Room> rooms;
        for (const pqxx::row& row : txn.exec_prepared("rooms_list_public", query.before_id,
                                                      query.name_contains, query.limit)) {
          rooms.push_back(RoomFromRow(row, 0));
        }
        return rooms;
      });
}

absl::StatusOr<std::vector<Membership>> PgRoomRepository::ListMembers(absl::string_view room_id) {
  return RunAutocommit(
      pool_, "list members",
      [&](pqxx::nontransaction& txn) -> absl::StatusOr<std::vector<Membership>> {
        std::vector<Membership> members;
        for (const pqxx::row& row : txn.exec_prepared("members_list", std::string(room_id))) {
          members.push_back(*MembershipFromRow(row, 0));
        }
        return members;
      });
}

absl::StatusOr<AddedMember> PgRoomRepository::AddMember(const Membership& membership) {
  return pg::RunInTransaction(
      pool_, "add member", [&](pqxx::work& txn) -> absl::StatusOr<AddedMember> {
        if (txn.exec_prepared("rooms_lock", membership.room_id).empty()) {
          return absl::NotFoundError(absl::StrCat("room ", membership.room_id, " not found"));
        }
        pqxx::result inserted = txn.exec_prepared(
            "members_insert", membership.room_id, membership.user_id,
            std::string(RoleName(membership.role)), absl::ToUnixMillis(membership.joined_at));
        if (!inserted.empty()) {
          txn.exec_prepared0("rooms_add_member_count", membership.room_id, 1);
          return AddedMember{*MembershipFromRow(inserted[0], 0), true};
        }
        pqxx::result existing =
            txn.exec_prepared("members_by_key", membership.room_id, membership.user_id);
        if (existing.empty()) return absl::AbortedError("membership vanished; retry");
        return AddedMember{*MembershipFromRow(existing[0], 0), false};
      });
}

absl::StatusOr<std::optional<RemovedMember>> PgRoomRepository::RemoveMember(
    absl::string_view room_id, absl::string_view user_id) {
  using Result = absl::StatusOr<std::optional<RemovedMember>>;
  return pg::RunInTransaction(pool_, "remove member", [&](pqxx::work& txn) -> Result {
    std::string room(room_id);
    if (txn.exec_prepared("rooms_lock", room).empty()) {
      return absl::NotFoundError(absl::StrCat("room ", room, " not found"));
    }
    pqxx::result deleted = txn.exec_prepared("members_delete", room, std::string(user_id));
    if (deleted.empty()) return std::optional<RemovedMember>();
    txn.exec_prepared0("rooms_add_member_count", room, -1);
    RemovedMember removed;
    removed.role = ParseRole(deleted[0][0].as<std::string>()).value_or(Role::kMember);
    if (removed.role == Role::kOwner) {
      pqxx::result successor = txn.exec_prepared("members_promote_successor", room);
      if (!successor.empty()) removed.new_owner = successor[0][0].as<std::string>();
    }
    return std::optional<RemovedMember>(removed);
  });
}

absl::StatusOr<RoleChange> PgRoomRepository::SetRole(absl::string_view room_id,
                                                     absl::string_view user_id, Role role) {
  return RunAutocommit(
      pool_, "set member role", [&](pqxx::nontransaction& txn) -> absl::StatusOr<RoleChange> {
        pqxx::result rows = txn.exec_prepared("members_set_role", std::string(room_id),
                                              std::string(user_id), std::string(RoleName(role)));
        if (rows.empty()) return RoleChange::kNotMember;
        if (rows[0][0].as<std::string>() == RoleName(Role::kOwner)) return RoleChange::kOwner;
        return rows[0][1].as<bool>() ? RoleChange::kChanged : RoleChange::kUnchanged;
      });
}

absl::StatusOr<ReadMarker> PgRoomRepository::MarkRead(absl::string_view room_id,
                                                      absl::string_view user_id, int64_t seq) {
  // Each statement is atomic alone: the conditional UPDATE only ever moves the marker up.
  return RunAutocommit(
      pool_, "mark read", [&](pqxx::nontransaction& txn) -> absl::StatusOr<ReadMarker> {
        pqxx::result moved =
            txn.exec_prepared("members_mark_read", std::string(room_id), std::string(user_id), seq);
        if (!moved.empty()) return ReadMarker{moved[0][0].as<int64_t>(), true};
        pqxx::result current =
            txn.exec_prepared("members_read_seq", std::string(room_id), std::string(user_id));
        if (current.empty()) return absl::NotFoundError("not a member of this room");
        return ReadMarker{current[0][0].as<int64_t>(), false};
      });
}

}  // namespace chatter::chat
