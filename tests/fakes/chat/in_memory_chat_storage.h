// In-memory chat-svc storage for domain tests: the same contracts as the PostgreSQL repositories
// (gap-free seq, idempotent client_msg_id, sender's marker moves on send, owner hand-over, one
// direct room per key), without a database. One object serves all three repository seams, since
// a send touches rooms, messages and members at once, as the SQL statement does.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "services/chat/domain/repositories.h"

namespace chatter::chat {

class InMemoryChatStorage final : public RoomRepository,
                                  public MessageRepository,
                                  public ContactRepository {
 public:
  // --- RoomRepository
  absl::Status CreateGroup(const Room& room, const Membership& owner) override {
    std::lock_guard lock(mu_);
    rooms_[room.id] = room;
    members_[{room.id, owner.user_id}] = owner;
    return absl::OkStatus();
  }
  absl::StatusOr<OpenedRoom> OpenDirect(const Room& room,
                                        const std::vector<Membership>& members) override {
    std::lock_guard lock(mu_);
    for (const auto& [id, existing] : rooms_) {
      if (existing.direct_key == room.direct_key) return OpenedRoom{existing, false};
    }
    rooms_[room.id] = room;
    for (const Membership& member : members) members_[{room.id, member.user_id}] = member;
    return OpenedRoom{room, true};
  }
  absl::StatusOr<RoomForUser> FindForUser(absl::string_view room_id,
                                          absl::string_view user_id) override {
    std::lock_guard lock(mu_);
    auto room = rooms_.find(room_id);
    if (room == rooms_.end()) return absl::NotFoundError("room not found");
    return ViewLocked(room->second, user_id);
  }
  absl::StatusOr<std::vector<RoomForUser>> FindManyForUser(const std::vector<std::string>& room_ids,
                                                           absl::string_view user_id) override {
    std::lock_guard lock(mu_);
    std::vector<RoomForUser> views;
    for (const std::string& id : room_ids) {
      auto room = rooms_.find(id);
      if (room != rooms_.end()) views.push_back(ViewLocked(room->second, user_id));
    }
    return views;
  }
  absl::StatusOr<std::vector<RoomSummary>> ListForUser(absl::string_view user_id) override {
    std::lock_guard lock(mu_);
    std::vector<RoomSummary> summaries;
    for (const auto& [key, member] : members_) {
      if (std::get<1>(key) != user_id) continue;
      RoomSummary summary;
      summary.room = rooms_.at(member.room_id);
      summary.last_read_seq = member.last_read_seq;
      summary.unread_count = summary.room.last_seq - member.last_read_seq;
      auto last = messages_.find({member.room_id, summary.room.last_seq});
      if (last != messages_.end()) summary.last_message = last->second;
      summaries.push_back(std::move(summary));
    }
    auto activity = [](const RoomSummary& s) {
      return s.last_message ? s.last_message->created_at : s.room.created_at;
    };
    std::sort(summaries.begin(), summaries.end(), [&](const RoomSummary& a, const RoomSummary& b) {
      return std::make_tuple(activity(a), a.room.id) > std::make_tuple(activity(b), b.room.id);
    });
    return summaries;
  }
  absl::StatusOr<std::vector<Membership>> ListMembers(absl::string_view room_id) override {
    std::lock_guard lock(mu_);
    std::vector<Membership> members = MembersLocked(room_id);
    return members;
  }
  absl::StatusOr<AddedMember> AddMember(const Membership& membership) override {
    std::lock_guard lock(mu_);
    auto room = rooms_.find(membership.room_id);
    if (room == rooms_.end()) return absl::NotFoundError("room not found");
    auto [it, added] = members_.try_emplace({membership.room_id, membership.user_id}, membership);
    if (added) ++room->second.member_count;
    return AddedMember{it->second, added};
  }
  absl::StatusOr<std::optional<RemovedMember>> RemoveMember(absl::string_view room_id,
                                                            absl::string_view user_id) override {
    std::lock_guard lock(mu_);
    auto room = rooms_.find(room_id);
    if (room == rooms_.end()) return absl::NotFoundError("room not found");
    auto it = members_.find({std::string(room_id), std::string(user_id)});
    if (it == members_.end()) return std::optional<RemovedMember>();
    RemovedMember removed{.role = it->second.role};
    members_.erase(it);
    --room->second.member_count;
    if (removed.role == Role::kOwner) {
      std::vector<Membership> rest = MembersLocked(room_id);
      auto successor = std::min_element(rest.begin(), rest.end(), [](const auto& a, const auto& b) {
        return std::make_tuple(a.role != Role::kAdmin, a.joined_at, a.user_id) <
               std::make_tuple(b.role != Role::kAdmin, b.joined_at, b.user_id);
      });
      if (successor != rest.end()) {
        members_[{std::string(room_id), successor->user_id}].role = Role::kOwner;
        removed.new_owner = successor->user_id;
      }
    }
    return std::optional<RemovedMember>(removed);
  }
  absl::StatusOr<ReadMarker> MarkRead(absl::string_view room_id, absl::string_view user_id,
                                      int64_t seq) override {
    std::lock_guard lock(mu_);
    auto it = members_.find({std::string(room_id), std::string(user_id)});
    if (it == members_.end()) return absl::NotFoundError("not a member");
    if (seq <= it->second.last_read_seq) return ReadMarker{it->second.last_read_seq, false};
    it->second.last_read_seq = seq;
    return ReadMarker{seq, true};
  }

  // --- MessageRepository
  absl::StatusOr<std::optional<StoredMessage>> Insert(const NewMessage& message) override {
    std::lock_guard lock(mu_);
    auto room = rooms_.find(message.room_id);
    if (room == rooms_.end()) return std::nullopt;
    if (!members_.contains({message.room_id, message.sender_id})) return std::nullopt;
    if (room->second.kind == RoomKind::kDirect) {
      size_t colon = room->second.direct_key.find(':');
      std::string user_a = room->second.direct_key.substr(0, colon);
      std::string user_b = room->second.direct_key.substr(colon + 1);
      if (blocks_.contains({user_a, user_b}) || blocks_.contains({user_b, user_a})) {
        return std::nullopt;
      }
    }
    if (message.client_msg_id) {
      for (const auto& [key, existing] : messages_) {
        if (existing.room_id == message.room_id && existing.sender_id == message.sender_id &&
            existing.client_msg_id == *message.client_msg_id) {
          return StoredMessage{existing, false};
        }
      }
    }
    Message stored{.id = message.id,
                   .room_id = message.room_id,
                   .seq = ++room->second.last_seq,
                   .sender_id = message.sender_id,
                   .content = message.content,
                   .attachments = message.attachments,
                   .client_msg_id = message.client_msg_id.value_or(""),
                   .created_at = message.created_at,
                   .updated_at = message.created_at};
    messages_[{stored.room_id, stored.seq}] = stored;
    auto sender = members_.find({message.room_id, message.sender_id});
    if (sender != members_.end()) sender->second.last_read_seq = stored.seq;
    return StoredMessage{stored, true};
  }
  absl::StatusOr<Message> FindById(absl::string_view message_id) override {
    std::lock_guard lock(mu_);
    Message* message = FindLocked(message_id);
    if (message == nullptr) return absl::NotFoundError("message not found");
    return *message;
  }
  absl::StatusOr<std::vector<Message>> ListBefore(absl::string_view room_id, int64_t before_seq,
                                                  int limit) override {
    std::lock_guard lock(mu_);
    std::vector<Message> page;
    auto begin = messages_.lower_bound({std::string(room_id), before_seq});
    auto end = messages_.lower_bound({std::string(room_id), 0});
    for (auto it = begin; it != end && static_cast<int>(page.size()) < limit;) {
      --it;
      page.push_back(it->second);
    }
    return page;
  }
  absl::StatusOr<std::vector<Message>> ListAfter(absl::string_view room_id, int64_t after_seq,
                                                 int limit) override {
    std::lock_guard lock(mu_);
    std::vector<Message> page;
    for (auto it = messages_.upper_bound({std::string(room_id), after_seq});
         it != messages_.end() && it->second.room_id == room_id &&
         static_cast<int>(page.size()) < limit;
         ++it) {
      page.push_back(it->second);
    }
    return page;
  }
  absl::StatusOr<Message> UpdateContent(absl::string_view message_id, absl::string_view content,
                                        absl::Time now) override {
    std::lock_guard lock(mu_);
    Message* message = FindLocked(message_id);
    if (message == nullptr) return absl::NotFoundError("message not found");
    if (message->deleted) return absl::FailedPreconditionError("the message is deleted");
    message->content = std::string(content);
    message->edited = true;
    message->updated_at = now;
    return *message;
  }
  absl::StatusOr<DeletedMessage> MarkDeleted(absl::string_view message_id,
                                             absl::Time now) override {
    std::lock_guard lock(mu_);
    Message* message = FindLocked(message_id);
    if (message == nullptr) return absl::NotFoundError("message not found");
    if (message->deleted) return DeletedMessage{*message, false};
    message->content.clear();
    message->attachments.clear();
    message->deleted = true;
    message->updated_at = now;
    return DeletedMessage{*message, true};
  }

  // --- ContactRepository
  absl::StatusOr<StoredContact> Add(const Contact& contact) override {
    std::lock_guard lock(mu_);
    auto [it, added] = contacts_.try_emplace({contact.owner_id, contact.contact_id}, contact);
    Contact stored = it->second;
    stored.blocked = blocks_.contains({contact.owner_id, contact.contact_id});
    return StoredContact{stored, added};
  }
  absl::StatusOr<std::vector<Contact>> List(absl::string_view owner_id) override {
    std::lock_guard lock(mu_);
    std::vector<Contact> contacts;
    for (const auto& [key, contact] : contacts_) {
      if (contact.owner_id != owner_id) continue;
      contacts.push_back(contact);
      contacts.back().blocked = blocks_.contains(key);
    }
    std::sort(contacts.begin(), contacts.end(), [](const Contact& a, const Contact& b) {
      return std::tie(a.created_at, a.contact_id) > std::tie(b.created_at, b.contact_id);
    });
    return contacts;
  }
  absl::Status Block(absl::string_view blocker_id, absl::string_view blocked_id,
                     absl::Time now) override {
    std::lock_guard lock(mu_);
    blocks_.try_emplace({std::string(blocker_id), std::string(blocked_id)}, now);
    return absl::OkStatus();
  }
  absl::Status Unblock(absl::string_view blocker_id, absl::string_view blocked_id) override {
    std::lock_guard lock(mu_);
    blocks_.erase({std::string(blocker_id), std::string(blocked_id)});
    return absl::OkStatus();
  }
  absl::StatusOr<bool> IsBlockedEitherWay(absl::string_view user_a,
                                          absl::string_view user_b) override {
    std::lock_guard lock(mu_);
    return blocks_.contains({std::string(user_a), std::string(user_b)}) ||
           blocks_.contains({std::string(user_b), std::string(user_a)});
  }
  absl::StatusOr<BlockRelations> Relations(absl::string_view user_id) override {
    std::lock_guard lock(mu_);
    BlockRelations relations;
    for (const auto& [key, at] : blocks_) {
      if (key.first == user_id) relations.blocked_user_ids.push_back(key.second);
      if (key.second == user_id) relations.blocked_by_user_ids.push_back(key.first);
    }
    return relations;
  }
  absl::Status CreateReport(const Report& report) override {
    std::lock_guard lock(mu_);
    reports_.push_back(report);
    return absl::OkStatus();
  }
  absl::StatusOr<int> CountReportsSince(absl::string_view reporter_id, absl::Time since) override {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::count_if(reports_.begin(), reports_.end(), [&](const Report& r) {
      return r.reporter_id == reporter_id && r.created_at >= since;
    }));
  }

  // --- Test hooks
  // Makes an existing member an admin (no route does that yet).
  void SetRoleForTest(const std::string& room_id, const std::string& user_id, Role role) {
    std::lock_guard lock(mu_);
    members_.at({room_id, user_id}).role = role;
  }
  std::vector<Report> ReportsForTest() {
    std::lock_guard lock(mu_);
    return reports_;
  }
  size_t RoomCountForTest() {
    std::lock_guard lock(mu_);
    return rooms_.size();
  }

 private:
  using Key = std::pair<std::string, std::string>;

  RoomForUser ViewLocked(const Room& room, absl::string_view user_id) {
    auto member = members_.find({room.id, std::string(user_id)});
    return RoomForUser{
        room, member == members_.end() ? std::nullopt : std::optional<Membership>(member->second)};
  }
  std::vector<Membership> MembersLocked(absl::string_view room_id) {
    std::vector<Membership> members;
    for (const auto& [key, member] : members_) {
      if (key.first == room_id) members.push_back(member);
    }
    std::sort(members.begin(), members.end(), [](const Membership& a, const Membership& b) {
      return std::tie(a.joined_at, a.user_id) < std::tie(b.joined_at, b.user_id);
    });
    return members;
  }
  Message* FindLocked(absl::string_view message_id) {
    for (auto& [key, message] : messages_) {
      if (message.id == message_id) return &message;
    }
    return nullptr;
  }

  std::mutex mu_;
  std::map<std::string, Room, std::less<>> rooms_;
  std::map<Key, Membership> members_;
  std::map<std::pair<std::string, int64_t>, Message> messages_;  // Ordered by (room, seq).
  std::map<Key, Contact> contacts_;
  std::map<Key, absl::Time> blocks_;
  std::vector<Report> reports_;
};

}  // namespace chatter::chat
