// GrpcChatBackend: one ClientContext/request/response bundle per call, owned by its callback.
#include "gateway/ws/chat_backend.h"

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "libs/status/grpc_status.h"

namespace chatter::gateway {
namespace {

using namespace chat::v1;

template <typename Request, typename Response>
struct Call {
  grpc::ClientContext context;
  Request request;
  Response response;
};

template <typename Request, typename Response>
std::shared_ptr<Call<Request, Response>> NewCall(const Request& request, absl::Duration deadline) {
  auto call = std::make_shared<Call<Request, Response>>();
  call->request = request;
  call->context.set_deadline(std::chrono::system_clock::now() +
                             absl::ToChronoNanoseconds(deadline));
  return call;
}

// gRPC metadata values must be printable ASCII; user agents are client-chosen text.
std::string PrintableAscii(absl::string_view text, size_t max_bytes) {
  std::string out;
  for (char c : text.substr(0, max_bytes)) {
    if (c >= 0x20 && c <= 0x7e) out.push_back(c);
  }
  return out;
}

void AddUserMetadata(grpc::ClientContext& context, const UserCallContext& user) {
  context.AddMetadata("authorization", absl::StrCat("Bearer ", user.access_token));
  if (!user.request_id.empty()) context.AddMetadata("x-request-id", user.request_id);
  if (!user.client_ip.empty()) {
    context.AddMetadata("x-forwarded-for", PrintableAscii(user.client_ip, 128));
  }
  std::string agent = PrintableAscii(user.user_agent, 256);
  if (!agent.empty()) context.AddMetadata("x-client-user-agent", agent);
}

// Starts `method` (a stub_->async() member call) with the call's buffers; the callback owns the
// call until gRPC drops it.
template <typename Request, typename Response, typename Method>
void Start(Method method, std::shared_ptr<Call<Request, Response>> call, Done<Response> done) {
  Call<Request, Response>& started = *call;
  method(&started.context, &started.request, &started.response,
         [call = std::move(call), done = std::move(done)](grpc::Status status) {
           if (!status.ok()) return done(status::FromGrpcStatus(status));
           done(std::move(call->response));
         });
}

}  // namespace

GrpcChatBackend::GrpcChatBackend(std::shared_ptr<grpc::ChannelInterface> channel,
                                 ServiceTokenProvider service_token, absl::Duration deadline)
    : stub_(ChatService::NewStub(std::move(channel))),
      service_token_(std::move(service_token)),
      deadline_(deadline) {}

void GrpcChatBackend::CheckRoomAccess(const std::string& user_id,
                                      const std::vector<std::string>& rooms,
                                      Done<CheckRoomAccessResponse> done) {
  std::optional<std::string> token = service_token_();
  if (!token) return done(absl::UnavailableError("no service token yet"));
  CheckRoomAccessRequest request;
  request.set_user_id(user_id);
  for (const std::string& room : rooms) request.add_room_ids(room);
  auto call = NewCall<CheckRoomAccessRequest, CheckRoomAccessResponse>(request, deadline_);
  call->context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  Start([this](auto... args) { stub_->async()->CheckRoomAccess(args...); }, std::move(call),
        std::move(done));
}

void GrpcChatBackend::ListMessagesSince(const ListMessagesSinceRequest& request,
                                        Done<ListMessagesSinceResponse> done) {
  std::optional<std::string> token = service_token_();
  if (!token) return done(absl::UnavailableError("no service token yet"));
  auto call = NewCall<ListMessagesSinceRequest, ListMessagesSinceResponse>(request, deadline_);
  call->context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  Start([this](auto... args) { stub_->async()->ListMessagesSince(args...); }, std::move(call),
        std::move(done));
}

void GrpcChatBackend::SendMessage(const UserCallContext& user, const SendMessageRequest& request,
                                  Done<SendMessageResponse> done) {
  auto call = NewCall<SendMessageRequest, SendMessageResponse>(request, deadline_);
  AddUserMetadata(call->context, user);
  Start([this](auto... args) { stub_->async()->SendMessage(args...); }, std::move(call),
        std::move(done));
}

void GrpcChatBackend::EditMessage(const UserCallContext& user, const EditMessageRequest& request,
                                  Done<EditMessageResponse> done) {
  auto call = NewCall<EditMessageRequest, EditMessageResponse>(request, deadline_);
  AddUserMetadata(call->context, user);
  Start([this](auto... args) { stub_->async()->EditMessage(args...); }, std::move(call),
        std::move(done));
}

void GrpcChatBackend::DeleteMessage(const UserCallContext& user,
                                    const DeleteMessageRequest& request,
                                    Done<DeleteMessageResponse> done) {
  auto call = NewCall<DeleteMessageRequest, DeleteMessageResponse>(request, deadline_);
  AddUserMetadata(call->context, user);
  Start([this](auto... args) { stub_->async()->DeleteMessage(args...); }, std::move(call),
        std::move(done));
}

void GrpcChatBackend::MarkRead(const UserCallContext& user, const MarkReadRequest& request,
                               Done<MarkReadResponse> done) {
  auto call = NewCall<MarkReadRequest, MarkReadResponse>(request, deadline_);
  AddUserMetadata(call->context, user);
  Start([this](auto... args) { stub_->async()->MarkRead(args...); }, std::move(call),
        std::move(done));
}

}  // namespace chatter::gateway
