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
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/chat/domain/repositories.h"

namespace chatter::chat {

class InMemoryChatStorage final : public RoomRepository,
                                  public MessageRepository,
                                  public ContactRepository,
                                  public ConversationRepository {
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
      for (auto it = messages_.upper_bound({member.room_id, member.last_read_seq});
           it != messages_.end() && it->second.room_id == member.room_id; ++it) {
        const std::vector<std::string>& mentions = it->second.mentions;
        if (std::find(mentions.begin(), mentions.end(), user_id) != mentions.end()) {
          ++summary.unread_mentions;
        }
      }
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
  absl::StatusOr<std::vector<Room>> ListPublic(const PublicRoomQuery& query) override {
    std::lock_guard lock(mu_);
    std::string needle = absl::AsciiStrToLower(query.name_contains.value_or(""));
    std::vector<Room> rooms;
    // rooms_ is ordered by id, so walking it backwards is newest first (ids are UUIDv7).
    for (auto it = rooms_.rbegin();
         it != rooms_.rend() && rooms.size() < static_cast<size_t>(query.limit); ++it) {
      const Room& room = it->second;
      if (room.kind != RoomKind::kGroup || room.visibility != Visibility::kPublic) continue;
      if (query.before_id && room.id >= *query.before_id) continue;
      if (absl::AsciiStrToLower(room.name).find(needle) == std::string::npos) continue;
      rooms.push_back(room);
    }
    return rooms;
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
    delivered_[{std::string(room_id), std::string(user_id)}] =
        std::max(delivered_[{std::string(room_id), std::string(user_id)}], seq);
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
                   .updated_at = message.created_at,
                   .reply_to = message.reply_to.value_or(""),
                   .mentions = MembersAmongLocked(message.room_id, message.mention_candidates)};
    messages_[{stored.room_id, stored.seq}] = stored;
    auto sender = members_.find({message.room_id, message.sender_id});
    if (sender != members_.end()) {
      sender->second.last_read_seq = stored.seq;
      delivered_[{message.room_id, message.sender_id}] = stored.seq;
    }
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
  absl::StatusOr<Message> UpdateContent(
      absl::string_view message_id, absl::string_view content, absl::Time now,
      const std::vector<std::string>& mention_candidates) override {
    std::lock_guard lock(mu_);
    Message* message = FindLocked(message_id);
    if (message == nullptr) return absl::NotFoundError("message not found");
    if (message->deleted) return absl::FailedPreconditionError("the message is deleted");
    message->content = std::string(content);
    message->mentions = MembersAmongLocked(message->room_id, mention_candidates);
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
    message->reply_to.clear();
    message->mentions.clear();
    reactions_.erase(message->id);
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

  // --- ConversationRepository (search: case-insensitive substring, the whole content marked)
  absl::StatusOr<std::vector<Message>> ListReplies(absl::string_view room_id,
                                                   absl::string_view message_id, int64_t after_seq,
                                                   int limit) override {
    std::lock_guard lock(mu_);
    std::vector<Message> replies;
    for (const auto& [key, message] : messages_) {
      if (message.room_id == room_id && message.reply_to == message_id && message.seq > after_seq &&
          static_cast<int>(replies.size()) < limit) {
        replies.push_back(message);
      }
    }
    return replies;
  }
  absl::StatusOr<ReactionChange> AddReaction(absl::string_view message_id, absl::string_view emoji,
                                             absl::string_view user_id, absl::Time,
                                             int max_distinct) override {
    std::lock_guard lock(mu_);
    Message* message = FindLocked(message_id);
    if (message == nullptr || message->deleted) return ReactionChange::kMessageGone;
    auto& reactions = reactions_[std::string(message_id)];
    std::pair<std::string, std::string> key(emoji, user_id);
    if (std::find(reactions.begin(), reactions.end(), key) != reactions.end()) {
      return ReactionChange::kUnchanged;
    }
    std::vector<std::string> emoji_seen;
    for (const auto& [seen, user] : reactions) {
      if (std::find(emoji_seen.begin(), emoji_seen.end(), seen) == emoji_seen.end()) {
        emoji_seen.push_back(seen);
      }
    }
    bool known = std::find(emoji_seen.begin(), emoji_seen.end(), key.first) != emoji_seen.end();
    if (!known && static_cast<int>(emoji_seen.size()) >= max_distinct) {
      return ReactionChange::kTooMany;
    }
    reactions.push_back(std::move(key));
    return ReactionChange::kChanged;
  }
  absl::StatusOr<ReactionChange> RemoveReaction(absl::string_view message_id,
                                                absl::string_view emoji,
                                                absl::string_view user_id) override {
    std::lock_guard lock(mu_);
    auto& reactions = reactions_[std::string(message_id)];
    auto it = std::find(reactions.begin(), reactions.end(),
                        std::pair<std::string, std::string>(emoji, user_id));
    if (it == reactions.end()) return ReactionChange::kUnchanged;
    reactions.erase(it);
    return ReactionChange::kChanged;
  }
  absl::StatusOr<absl::flat_hash_map<std::string, std::vector<ReactionCount>>> Reactions(
      const std::vector<std::string>& message_ids, absl::string_view reader) override {
    std::lock_guard lock(mu_);
    absl::flat_hash_map<std::string, std::vector<ReactionCount>> found;
    for (const std::string& id : message_ids) {
      auto reactions = reactions_.find(id);
      if (reactions == reactions_.end()) continue;
      for (const auto& [emoji, user] : reactions->second) {
        std::vector<ReactionCount>& counts = found[id];
        auto count = std::find_if(counts.begin(), counts.end(),
                                  [&](const ReactionCount& c) { return c.emoji == emoji; });
        if (count == counts.end()) count = counts.insert(counts.end(), ReactionCount{emoji});
        ++count->count;
        count->me = count->me || user == reader;
      }
    }
    return found;
  }
  absl::StatusOr<std::vector<Receipt>> ListReceipts(absl::string_view room_id) override {
    std::lock_guard lock(mu_);
    std::vector<Receipt> receipts;
    for (const Membership& member : MembersLocked(room_id)) {
      receipts.push_back(Receipt{.user_id = member.user_id,
                                 .delivered_seq = delivered_[{member.room_id, member.user_id}],
                                 .read_seq = member.last_read_seq});
    }
    return receipts;
  }
  absl::StatusOr<std::vector<DeliveredMarker>> MarkDelivered(
      const std::vector<DeliveredMarker>& markers) override {
    std::lock_guard lock(mu_);
    std::vector<DeliveredMarker> moved;
    for (const DeliveredMarker& marker : markers) {
      if (!members_.contains({marker.room_id, marker.user_id})) continue;
      int64_t seq = std::min(marker.seq, rooms_.at(marker.room_id).last_seq);
      int64_t& current = delivered_[{marker.room_id, marker.user_id}];
      if (seq <= current) continue;
      current = seq;
      moved.push_back(DeliveredMarker{marker.room_id, marker.user_id, seq});
    }
    return moved;
  }
  absl::StatusOr<std::vector<SearchHit>> Search(const SearchQuery& query) override {
    std::lock_guard lock(mu_);
    // The fake matches the tsquery's first word ('word':* -> word) as a substring.
    std::string word = query.tsquery.substr(1, query.tsquery.find('\'', 1) - 1);
    std::vector<SearchHit> hits;
    for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
      const Message& message = it->second;
      if (!members_.contains({message.room_id, query.user_id}) || message.deleted) continue;
      if (query.room_id && message.room_id != *query.room_id) continue;
      if (query.before_id && message.id >= *query.before_id) continue;
      if (absl::AsciiStrToLower(message.content).find(absl::AsciiStrToLower(word)) ==
          std::string::npos) {
        continue;
      }
      hits.push_back(SearchHit{message, absl::StrCat("\x01", message.content, "\x02")});
    }
    std::sort(hits.begin(), hits.end(),
              [](const SearchHit& a, const SearchHit& b) { return a.message.id > b.message.id; });
    if (hits.size() > static_cast<size_t>(query.limit)) hits.resize(query.limit);
    return hits;
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

  std::vector<std::string> MembersAmongLocked(const std::string& room_id,
                                              const std::vector<std::string>& candidates) {
    std::vector<std::string> members;
    for (const std::string& user_id : candidates) {
      if (members_.contains({room_id, user_id})) members.push_back(user_id);
    }
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
  std::map<Key, int64_t> delivered_;
  // Per message: (emoji, user) in the order reacted.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> reactions_;
};

}  // namespace chatter::chat
