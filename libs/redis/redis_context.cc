// hiredis plumbing shared by Connection and Subscriber.
#include "libs/redis/redis_context.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include "absl/strings/str_cat.h"

namespace chatter::redis::internal {
namespace {

struct ReplyDeleter {
  void operator()(void* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<void, ReplyDeleter>;

absl::Status Unavailable(const redisContext* context, absl::string_view what) {
  std::string error = context->errstr[0] != '\0' ? context->errstr : "connection lost";
  return absl::UnavailableError(absl::StrCat("redis ", what, ": ", error));
}

absl::Status ExpectOk(redisContext* context, const std::vector<std::string>& args,
                      absl::string_view what) {
  Append(context, args);
  absl::StatusOr<Reply> reply = ReadReply(context, what);
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) {
    // A refused AUTH or SELECT is a deployment error, but to callers Redis is simply unusable.
    return absl::UnavailableError(absl::StrCat("redis ", what, " refused: ", reply->str));
  }
  return absl::OkStatus();
}

// The most elements an array reply may announce. hiredis 0.14 allocates the element table from
// the announced count before any element arrives, so a server (or anything posing as one) that
// announces `*4000000000` would make it allocate tens of gigabytes (found by the redis_reply
// fuzz target). Nothing we ask for comes near this.
constexpr int kMaxArrayElements = 1 << 20;

// hiredis' own reply constructors (static in hiredis), read once from a fresh reader.
const redisReplyObjectFunctions& DefaultReplyFunctions() {
  static const redisReplyObjectFunctions defaults = [] {
    redisReader* reader = redisReaderCreate();
    redisReplyObjectFunctions copy = *reader->fn;
    redisReaderFree(reader);
    return copy;
  }();
  return defaults;
}

void* CreateBoundedArray(const redisReadTask* task, int elements) {
  // nullptr makes the reader fail with a protocol error ("Out of memory"): the connection is
  // dropped, as for any malformed reply.
  if (elements > kMaxArrayElements) return nullptr;
  return DefaultReplyFunctions().createArray(task, elements);
}

// hiredis' reply functions, with the array size bounded.
redisReplyObjectFunctions* BoundedReplyFunctions() {
  static redisReplyObjectFunctions bounded = [] {
    redisReplyObjectFunctions functions = DefaultReplyFunctions();
    functions.createArray = &CreateBoundedArray;
    return functions;
  }();
  return &bounded;
}

// Copies a hiredis reply tree into a Reply.
Reply ToReply(const redisReply& reply) {
  Reply out;
  switch (reply.type) {
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      out.type = reply.type == REDIS_REPLY_STRING   ? Reply::Type::kString
                 : reply.type == REDIS_REPLY_STATUS ? Reply::Type::kStatus
                                                    : Reply::Type::kError;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i)
        out.elements.push_back(ToReply(*reply.element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
      break;
  }
  return out;
}

}  // namespace

void ContextDeleter::operator()(redisContext* context) const { redisFree(context); }

absl::StatusOr<ContextPtr> Connect(const RedisEndpoint& endpoint, absl::Duration connect_timeout,
                                   absl::Duration io_timeout, const std::string& client_name) {
  ContextPtr context(redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port,
                                             absl::ToTimeval(connect_timeout)));
  if (context == nullptr) return absl::UnavailableError("redis connect: out of memory");
  if (context->err != 0) return Unavailable(context.get(), "connect");
  context->reader->fn = BoundedReplyFunctions();
  if (io_timeout > absl::ZeroDuration()) {
    if (redisSetTimeout(context.get(), absl::ToTimeval(io_timeout)) != REDIS_OK) {
      return Unavailable(context.get(), "set timeout");
    }
  }
  // Lets the kernel notice a peer that vanished without closing (a partition, a dead host).
  redisEnableKeepAlive(context.get());
  if (!endpoint.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!endpoint.username.empty()) auth.push_back(endpoint.username);
    auth.push_back(endpoint.password);
    if (absl::Status status = ExpectOk(context.get(), auth, "AUTH"); !status.ok()) return status;
  }
  if (endpoint.database != 0) {
    absl::Status status =
        ExpectOk(context.get(), {"SELECT", absl::StrCat(endpoint.database)}, "SELECT");
    if (!status.ok()) return status;
  }
  if (!client_name.empty()) {
    absl::Status status = ExpectOk(context.get(), {"CLIENT", "SETNAME", client_name}, "SETNAME");
    if (!status.ok()) return status;
  }
  return context;
}

void Append(redisContext* context, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  redisAppendCommandArgv(context, static_cast<int>(args.size()), argv.data(), lengths.data());
}

absl::StatusOr<Reply> ReadReply(redisContext* context, absl::string_view what) {
  void* raw = nullptr;
  if (redisGetReply(context, &raw) != REDIS_OK || raw == nullptr) {
    return Unavailable(context, what);
  }
  ReplyPtr reply(raw);
  return ToReply(*static_cast<redisReply*>(raw));
}

int SocketOf(const redisContext* context) { return context->fd; }

absl::Status Flush(redisContext* context) {
  int done = 0;
  while (done == 0) {
    if (redisBufferWrite(context, &done) != REDIS_OK) return Unavailable(context, "write");
  }
  return absl::OkStatus();
}

absl::Status ReadAvailable(redisContext* context) {
  if (redisBufferRead(context) != REDIS_OK) return Unavailable(context, "read");
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Reply>> TakeReceivedReply(redisContext* context) {
  void* raw = nullptr;
  if (redisGetReplyFromReader(context, &raw) != REDIS_OK) return Unavailable(context, "protocol");
  if (raw == nullptr) return std::nullopt;
  ReplyPtr reply(raw);
  return ToReply(*static_cast<redisReply*>(raw));
}

absl::StatusOr<std::vector<Reply>> ParseReplies(absl::string_view bytes) {
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader(
      redisReaderCreateWithFunctions(BoundedReplyFunctions()), &redisReaderFree);
  if (reader == nullptr) return absl::ResourceExhaustedError("no memory for a Redis reader");
  if (redisReaderFeed(reader.get(), bytes.data(), bytes.size()) != REDIS_OK) {
    return absl::InvalidArgumentError("Redis reader refused the input");
  }
  std::vector<Reply> replies;
  while (true) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK) {
      return absl::InvalidArgumentError(absl::StrCat("Redis protocol error: ", reader->errstr));
    }
    if (raw == nullptr) return replies;
    replies.push_back(ToReply(*static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
}

bool LooksStale(const redisContext* context) {
  if (context->err != 0) return true;
  pollfd descriptor{.fd = context->fd, .events = POLLIN, .revents = 0};
  return poll(&descriptor, 1, 0) != 0;
}

}  // namespace chatter::redis::internal
