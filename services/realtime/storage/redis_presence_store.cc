// Presence transitions as Lua scripts over Redis sorted sets.
#include "services/realtime/storage/redis_presence_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace chatter::realtime {
namespace {

// Shared by every script: ARGV[1] is the key prefix. Times are Unix milliseconds; a session is
// live while its expiry is after `now`. Numbers are formatted with %.0f: Lua's tostring would
// print large ones in exponent notation.
constexpr char kPrelude[] = R"lua(
local p = ARGV[1]
local function sessions_key() return p .. 'presence:sessions' end
local function session_key(s) return p .. 'presence:session:' .. s end
local function user_sessions_key(u) return p .. 'presence:user:' .. u .. ':sessions' end
local function user_rooms_key(u) return p .. 'presence:user:' .. u .. ':rooms' end
local function last_seen_key(u) return p .. 'presence:user:' .. u .. ':last_seen' end
local function room_online_key(r) return p .. 'presence:room:' .. r .. ':online' end

local function live_count(u, now)
  return redis.call('ZCOUNT', user_sessions_key(u), '(' .. now, '+inf')
end

local function bump_last_seen(u, ms)
  local current = tonumber(redis.call('GET', last_seen_key(u)) or '0')
  if tonumber(ms) > current then
    redis.call('SET', last_seen_key(u), string.format('%.0f', tonumber(ms)))
  end
end

-- When `u` has no live session left: claims the user's remaining (expired) sessions, so no
-- sweeper announces the user again, takes the user out of their rooms' online sets and returns
-- {user, last_seen, rooms}. Otherwise false.
local function settle(u, now)
  if live_count(u, now) > 0 then return false end
  for _, s in ipairs(redis.call('ZRANGE', user_sessions_key(u), 0, -1)) do
    redis.call('ZREM', sessions_key(), s)
    redis.call('DEL', session_key(s))
  end
  redis.call('DEL', user_sessions_key(u))
  local rooms = redis.call('SMEMBERS', user_rooms_key(u))
  for _, r in ipairs(rooms) do redis.call('SREM', room_online_key(r), u) end
  redis.call('DEL', user_rooms_key(u))
  return {u, redis.call('GET', last_seen_key(u)) or '', rooms}
end
)lua";

// ARGV: prefix, session, user, now, expires_at -> {online 0/1, revived 0/1, rooms}
constexpr char kOpen[] = R"lua(
local s, u, now, expires = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local owner = redis.call('HGET', session_key(s), 'user')
if owner and owner ~= u then return redis.error_reply('ERR session of another user') end
local revived = redis.call('ZSCORE', sessions_key(), s) == false
local online = live_count(u, now) == 0
redis.call('ZADD', sessions_key(), expires, s)
redis.call('ZADD', user_sessions_key(u), expires, s)
redis.call('HSET', session_key(s), 'user', u)
bump_last_seen(u, now)
local rooms = {}
if online then rooms = redis.call('SMEMBERS', user_rooms_key(u)) end
return {online and 1 or 0, revived and 1 or 0, rooms}
)lua";

// ARGV: prefix, session, now -> nil, or the offline transition {user, last_seen, rooms}
constexpr char kClose[] = R"lua(
local s, now = ARGV[2], ARGV[3]
local u = redis.call('HGET', session_key(s), 'user')
if not u then return false end
redis.call('DEL', session_key(s))
redis.call('ZREM', sessions_key(), s)
redis.call('ZREM', user_sessions_key(u), s)
bump_last_seen(u, now)
return settle(u, now)
)lua";

// ARGV: prefix, user, room, now, snapshot limit -> {joined 0/1, newly 0/1, {user, last_seen,...}}
constexpr char kJoin[] = R"lua(
local u, r, now, limit = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if live_count(u, now) == 0 then return {0, 0, {}} end
redis.call('SADD', user_rooms_key(u), r)
local added = redis.call('SADD', room_online_key(r), u)
local others = {}
local n = 0
for _, v in ipairs(redis.call('SMEMBERS', room_online_key(r))) do
  if n >= limit then break end
  if v ~= u and live_count(v, now) > 0 then
    table.insert(others, v)
    table.insert(others, redis.call('GET', last_seen_key(v)) or '')
    n = n + 1
  end
end
return {1, added, others}
)lua";

// ARGV: prefix, now, limit -> {examined, {{user, last_seen, rooms}, ...}}
constexpr char kSweep[] = R"lua(
local now, limit = ARGV[2], tonumber(ARGV[3])
local expired = redis.call('ZRANGEBYSCORE', sessions_key(), '-inf', now, 'LIMIT', 0, limit)
local offline = {}
for _, s in ipairs(expired) do
  -- Already gone when settle() claimed it together with an earlier session of its user.
  if redis.call('ZREM', sessions_key(), s) == 1 then
    local u = redis.call('HGET', session_key(s), 'user')
    redis.call('DEL', session_key(s))
    if u then
      redis.call('ZREM', user_sessions_key(u), s)
      local transition = settle(u, now)
      if transition then table.insert(offline, transition) end
    end
  end
end
return {#expired, offline}
)lua";

// ARGV: prefix, now, user... -> {online 0/1, last_seen, ...}
constexpr char kGet[] = R"lua(
local now = ARGV[2]
local out = {}
for i = 3, #ARGV do
  local u = ARGV[i]
  table.insert(out, live_count(u, now) > 0 and 1 or 0)
  table.insert(out, redis.call('GET', last_seen_key(u)) or '')
end
return out
)lua";

std::string Millis(absl::Time time) { return absl::StrCat(absl::ToUnixMillis(time)); }

absl::Status Malformed(absl::string_view script) {
  return absl::InternalError(absl::StrCat("presence script ", script, ": unexpected reply"));
}

std::optional<absl::Time> ParseMillis(const redis::Reply& reply) {
  int64_t ms = 0;
  if (reply.type == redis::Reply::Type::kInteger) return absl::FromUnixMillis(reply.integer);
  if (reply.str.empty() || !absl::SimpleAtoi(reply.str, &ms)) return std::nullopt;
  return absl::FromUnixMillis(ms);
}

std::vector<std::string> Strings(const redis::Reply& reply) {
  std::vector<std::string> out;
  out.reserve(reply.elements.size());
  for (const redis::Reply& element : reply.elements) out.push_back(element.str);
  return out;
}

absl::StatusOr<OfflineTransition> ParseTransition(const redis::Reply& reply) {
  if (reply.type != redis::Reply::Type::kArray || reply.elements.size() != 3) {
    return Malformed("settle");
  }
  return OfflineTransition{.user_id = reply.elements[0].str,
                           .last_seen = ParseMillis(reply.elements[1]),
                           .room_ids = Strings(reply.elements[2])};
}

absl::StatusOr<OpenResult> ParseOpen(const redis::Reply& reply) {
  if (reply.type != redis::Reply::Type::kArray || reply.elements.size() != 3) {
    return Malformed("open");
  }
  return OpenResult{.online = reply.elements[0].integer == 1,
                    .revived = reply.elements[1].integer == 1,
                    .room_ids = Strings(reply.elements[2])};
}

}  // namespace

RedisPresenceStore::RedisPresenceStore(redis::Client& redis, std::string prefix)
    : redis_(redis),
      prefix_(std::move(prefix)),
      open_(absl::StrCat(kPrelude, kOpen)),
      close_(absl::StrCat(kPrelude, kClose)),
      join_(absl::StrCat(kPrelude, kJoin)),
      sweep_(absl::StrCat(kPrelude, kSweep)),
      get_(absl::StrCat(kPrelude, kGet)) {}

redis::ScriptCall RedisPresenceStore::OpenCall(const SessionRef& session, absl::Time now,
                                               absl::Time expires_at) const {
  return {.keys = {},
          .args = {prefix_, session.session_id, session.user_id, Millis(now), Millis(expires_at)}};
}

absl::StatusOr<OpenResult> RedisPresenceStore::OpenSession(const SessionRef& session,
                                                           absl::Time now, absl::Time expires_at) {
  absl::StatusOr<redis::Reply> reply = redis_.Eval(open_, OpenCall(session, now, expires_at));
  if (!reply.ok()) return reply.status();
  return ParseOpen(*reply);
}

absl::StatusOr<std::vector<absl::StatusOr<OpenResult>>> RedisPresenceStore::OpenSessions(
    const std::vector<SessionRef>& sessions, absl::Time now, absl::Time expires_at) {
  std::vector<redis::ScriptCall> calls;
  calls.reserve(sessions.size());
  for (const SessionRef& session : sessions) calls.push_back(OpenCall(session, now, expires_at));
  auto replies = redis_.EvalMany(open_, calls);
  if (!replies.ok()) return replies.status();
  std::vector<absl::StatusOr<OpenResult>> results;
  results.reserve(replies->size());
  for (const absl::StatusOr<redis::Reply>& reply : *replies) {
    results.push_back(reply.ok() ? ParseOpen(*reply) : absl::StatusOr<OpenResult>(reply.status()));
  }
  return results;
}

absl::StatusOr<std::optional<OfflineTransition>> RedisPresenceStore::CloseSession(
    const std::string& session_id, absl::Time now) {
  absl::StatusOr<redis::Reply> reply =
      redis_.Eval(close_, {.keys = {}, .args = {prefix_, session_id, Millis(now)}});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return std::nullopt;
  absl::StatusOr<OfflineTransition> transition = ParseTransition(*reply);
  if (!transition.ok()) return transition.status();
  return std::optional<OfflineTransition>(*std::move(transition));
}

absl::StatusOr<JoinResult> RedisPresenceStore::JoinRoom(const std::string& user_id,
                                                        const std::string& room_id, absl::Time now,
                                                        size_t snapshot_limit) {
  absl::StatusOr<redis::Reply> reply = redis_.Eval(
      join_,
      {.keys = {}, .args = {prefix_, user_id, room_id, Millis(now), absl::StrCat(snapshot_limit)}});
  if (!reply.ok()) return reply.status();
  if (reply->type != redis::Reply::Type::kArray || reply->elements.size() != 3) {
    return Malformed("join");
  }
  JoinResult result{.joined = reply->elements[0].integer == 1,
                    .newly_in_room = reply->elements[1].integer == 1,
                    .online = {}};
  const std::vector<redis::Reply>& others = reply->elements[2].elements;
  for (size_t i = 0; i + 1 < others.size(); i += 2) {
    result.online.push_back({others[i].str, ParseMillis(others[i + 1])});
  }
  return result;
}

absl::StatusOr<PresenceStore::Sweep> RedisPresenceStore::ClaimExpired(absl::Time now,
                                                                      size_t limit) {
  absl::StatusOr<redis::Reply> reply =
      redis_.Eval(sweep_, {.keys = {}, .args = {prefix_, Millis(now), absl::StrCat(limit)}});
  if (!reply.ok()) return reply.status();
  if (reply->type != redis::Reply::Type::kArray || reply->elements.size() != 2) {
    return Malformed("sweep");
  }
  Sweep sweep;
  sweep.examined = static_cast<size_t>(reply->elements[0].integer);
  for (const redis::Reply& entry : reply->elements[1].elements) {
    absl::StatusOr<OfflineTransition> transition = ParseTransition(entry);
    if (!transition.ok()) return transition.status();
    sweep.offline.push_back(*std::move(transition));
  }
  return sweep;
}

absl::StatusOr<std::vector<UserPresence>> RedisPresenceStore::Get(
    const std::vector<std::string>& user_ids, absl::Time now) {
  redis::ScriptCall call{.keys = {}, .args = {prefix_, Millis(now)}};
  call.args.insert(call.args.end(), user_ids.begin(), user_ids.end());
  absl::StatusOr<redis::Reply> reply = redis_.Eval(get_, call);
  if (!reply.ok()) return reply.status();
  if (reply->type != redis::Reply::Type::kArray || reply->elements.size() != 2 * user_ids.size()) {
    return Malformed("get");
  }
  std::vector<UserPresence> presences;
  presences.reserve(user_ids.size());
  for (size_t i = 0; i < user_ids.size(); ++i) {
    presences.push_back({.online = reply->elements[2 * i].integer == 1,
                         .last_seen = ParseMillis(reply->elements[2 * i + 1])});
  }
  return presences;
}

}  // namespace chatter::realtime
