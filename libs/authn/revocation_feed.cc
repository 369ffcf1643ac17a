// RevocationFeed: cursor-paged polling of the revocation log.
#include "libs/authn/revocation_feed.h"

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "libs/grpc_client/request_id.h"
#include "libs/log/log.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"

namespace chatter::authn {

GrpcRevocationSource::GrpcRevocationSource(std::shared_ptr<grpc::ChannelInterface> auth_channel,
                                           ServiceTokenSource& tokens, absl::Duration rpc_timeout)
    : stub_(auth::v1::AuthService::NewStub(std::move(auth_channel))),
      tokens_(tokens),
      rpc_timeout_(rpc_timeout) {}

absl::StatusOr<RevocationPage> GrpcRevocationSource::After(int64_t after_seq, int limit) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + rpc_timeout_));
  CHATTER_RETURN_IF_ERROR(tokens_.Attach(context));
  auth::v1::ListRevokedSessionsRequest request;
  request.set_after_seq(after_seq);
  request.set_limit(limit);
  auth::v1::ListRevokedSessionsResponse response;
  grpc::Status rpc = stub_->ListRevokedSessions(&context, request, &response);
  if (!rpc.ok()) {
    absl::Status status = status::FromGrpcStatus(rpc);
    return absl::Status(status.code(),
                        absl::StrCat("auth-svc ListRevokedSessions: ", status.message()));
  }
  RevocationPage page;
  page.last_seq = response.last_seq();
  page.revocations.reserve(response.sessions_size());
  for (const auth::v1::RevokedSession& session : response.sessions()) {
    page.revocations.push_back({.seq = session.seq(),
                                .session_id = session.session_id(),
                                .user_id = session.user_id(),
                                .until = absl::FromUnixSeconds(session.until().seconds()) +
                                         absl::Nanoseconds(session.until().nanos())});
  }
  return page;
}

RevocationFeed::RevocationFeed(RevocationSource& source, RevokedSessions& revoked,
                               Listener listener)
    : source_(source), revoked_(revoked), listener_(std::move(listener)) {}

RevocationFeed::~RevocationFeed() { Stop(); }

int64_t RevocationFeed::cursor() const {
  std::lock_guard lock(mu_);
  return cursor_;
}

absl::Status RevocationFeed::PollOnce() {
  int64_t after = cursor();
  while (true) {
    absl::StatusOr<RevocationPage> page = source_.After(after, RevocationSource::kMaxPage);
    if (!page.ok()) {
      if (!failing_) log::Warn("revocation feed failing", {{"error", page.status().ToString()}});
      failing_ = true;
      return page.status();
    }
    if (failing_) log::Info("revocation feed recovered", {{"cursor", after}});
    failing_ = false;
    std::vector<Revocation> fresh;
    for (Revocation& revocation : page->revocations) {
      if (revoked_.Add(revocation.session_id, revocation.until)) {
        fresh.push_back(std::move(revocation));
      }
    }
    if (!fresh.empty() && listener_) listener_(fresh);
    // A cursor that does not move would loop forever; the log only grows.
    bool full = static_cast<int>(page->revocations.size()) >= RevocationSource::kMaxPage;
    bool moved = page->last_seq > after;
    if (moved) {
      after = page->last_seq;
      std::lock_guard lock(mu_);
      cursor_ = after;
    }
    if (!full || !moved) return absl::OkStatus();
  }
}

void RevocationFeed::Start(absl::Duration interval) {
  if (poller_ != nullptr) return;
  // Errors are logged by PollOnce (once per outage); the next poll retries.
  poller_ = std::make_unique<process::PeriodicTask>(interval, [this] { (void)PollOnce(); });
  poller_->Start(/*run_now=*/true);
}

void RevocationFeed::Stop() {
  if (poller_ != nullptr) poller_->Stop();
}

}  // namespace chatter::authn
