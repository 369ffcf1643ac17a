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

// Starts `method` (a stub_->async() member call) with the call's buffers. The callback owns the
// call and drops it (with its context's channel reference) before releasing `ticket`, so the
// backend, which waits for its tickets, always holds the last channel reference.
template <typename Request, typename Response, typename Method>
void Start(Method method, std::shared_ptr<Call<Request, Response>> call, Done<Response> done,
           grpc_client::InFlightCalls::Ticket ticket) {
  Call<Request, Response>& started = *call;
  method(&started.context, &started.request, &started.response,
         [call = std::move(call), done = std::move(done),
          // std::function needs a copyable callback; the ticket itself is move-only.
          ticket = std::make_shared<grpc_client::InFlightCalls::Ticket>(std::move(ticket))](
             grpc::Status status) mutable {
           absl::StatusOr<Response> result =
               status.ok() ? absl::StatusOr<Response>(std::move(call->response))
                           : absl::StatusOr<Response>(status::FromGrpcStatus(status));
           call.reset();
           std::exchange(done, nullptr)(std::move(result));
           ticket->Release();
         });
}

}  // namespace

GrpcChatBackend::GrpcChatBackend(std::shared_ptr<grpc::ChannelInterface> channel,
                                 ServiceTokenProvider service_token, absl::Duration deadline)
    : stub_(ChatService::NewStub(std::move(channel))),
      service_token_(std::move(service_token)),
      deadline_(deadline) {}

void GrpcChatBackend::CheckRoomAccess(const std::string& request_id, const std::string& user_id,
                                      const std::vector<std::string>& rooms,
                                      Done<CheckRoomAccessResponse> done) {
  std::optional<std::string> token = service_token_();
  if (!token) return done(absl::UnavailableError("no service token yet"));
  CheckRoomAccessRequest request;
  request.set_user_id(user_id);
  for (const std::string& room : rooms) request.add_room_ids(room);
  auto call = NewCall<CheckRoomAccessRequest, CheckRoomAccessResponse>(request, deadline_);
  call->context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  if (!request_id.empty()) call->context.AddMetadata("x-request-id", request_id);
  Start([this](auto... args) { stub_->async()->CheckRoomAccess(args...); }, std::move(call),
        std::move(done), in_flight_.Enter());
}

void GrpcChatBackend::ListMessagesSince(const std::string& request_id,
                                        const ListMessagesSinceRequest& request,
                                        Done<ListMessagesSinceResponse> done) {
  std::optional<std::string> token = service_token_();
  if (!token) return done(absl::UnavailableError("no service token yet"));
  auto call = NewCall<ListMessagesSinceRequest, ListMessagesSinceResponse>(request, deadline_);
  call->context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  if (!request_id.empty()) call->context.AddMetadata("x-request-id", request_id);
  Start([this](auto... args) { stub_->async()->ListMessagesSince(args...); }, std::move(call),
        std::move(done), in_flight_.Enter());
}

void GrpcChatBackend::SendMessage(const UserCallContext& user, const SendMessageRequest& request,
                                  Done<SendMessageResponse> done) {
  auto call = NewCall<SendMessageRequest, SendMessageResponse>(request, deadline_);
  grpc_client::AddCallerMetadata(call->context, user);
  Start([this](auto... args) { stub_->async()->SendMessage(args...); }, std::move(call),
        std::move(done), in_flight_.Enter());
}

void GrpcChatBackend::EditMessage(const UserCallContext& user, const EditMessageRequest& request,
                                  Done<EditMessageResponse> done) {
  auto call = NewCall<EditMessageRequest, EditMessageResponse>(request, deadline_);
  grpc_client::AddCallerMetadata(call->context, user);
  Start([this](auto... args) { stub_->async()->EditMessage(args...); }, std::move(call),
        std::move(done), in_flight_.Enter());
}

void GrpcChatBackend::DeleteMessage(const UserCallContext& user,
                                    const DeleteMessageRequest& request,
                                    Done<DeleteMessageResponse> done) {
  auto call = NewCall<DeleteMessageRequest, DeleteMessageResponse>(request, deadline_);
  grpc_client::AddCallerMetadata(call->context, user);
  Start([this](auto... args) { stub_->async()->DeleteMessage(args...); }, std::move(call),
        std::move(done), in_flight_.Enter());
}

void GrpcChatBackend::MarkRead(const UserCallContext& user, const MarkReadRequest& request,
                               Done<MarkReadResponse> done) {
  auto call = NewCall<MarkReadRequest, MarkReadResponse>(request, deadline_);
  grpc_client::AddCallerMetadata(call->context, user);
  Start([this](auto... args) { stub_->async()->MarkRead(args...); }, std::move(call),
        std::move(done), in_flight_.Enter());
}

void GrpcChatBackend::MarkDelivered(const UserCallContext& user,
                                    const chat::v1::MarkDeliveredRequest& request,
                                    Done<chat::v1::MarkDeliveredResponse> done) {
  auto call =
      NewCall<chat::v1::MarkDeliveredRequest, chat::v1::MarkDeliveredResponse>(request, deadline_);
  grpc_client::AddCallerMetadata(call->context, user);
  Start([this](auto... args) { stub_->async()->MarkDelivered(args...); }, std::move(call),
        std::move(done), in_flight_.Enter());
}

}  // namespace chatter::gateway
