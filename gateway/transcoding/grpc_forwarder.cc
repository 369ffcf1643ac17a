// Generic unary forwarding over gRPC's callback API.
#include "gateway/transcoding/grpc_forwarder.h"

#include <google/protobuf/message.h>
#include <grpcpp/client_context.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/slice.h>

#include "absl/strings/str_cat.h"
#include "libs/status/grpc_status.h"

namespace chatter::gateway {
namespace {

// Everything one call owns until its completion callback has run.
struct Call {
  grpc::ClientContext context;
  std::string method;  // The stub keeps a pointer to it for the call's lifetime.
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  const google::protobuf::Descriptor* response_type = nullptr;
};

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> ParseResponse(Call& call) {
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(call.response_type)
          ->New());
  grpc::Status parsed = grpc::SerializationTraits<google::protobuf::Message>::Deserialize(
      &call.response, message.get());
  if (!parsed.ok()) {
    return absl::InternalError(absl::StrCat("malformed response to ", call.method));
  }
  return message;
}

}  // namespace

GrpcForwarder::GrpcForwarder(const Channels& channels, GrpcForwarderOptions options)
    : options_(options) {
  for (const auto& [service, channel] : channels) {
    stubs_.emplace(service, std::make_unique<Stub>(channel));
  }
}

void GrpcForwarder::Forward(const RouteSpec& route, const google::protobuf::Message& request,
                            const ForwardMetadata& metadata, Done done) const {
  auto stub = stubs_.find(route.backend);
  if (stub == stubs_.end()) {
    return done(absl::UnavailableError(absl::StrCat("no channel to ", route.backend)));
  }
  std::string bytes;
  if (!request.SerializeToString(&bytes)) {
    return done(absl::InternalError(absl::StrCat("cannot serialize ", route.grpc_method_path)));
  }
  auto call = std::make_shared<Call>();
  call->method = route.grpc_method_path;
  call->response_type = route.rpc->output_type();
  grpc::Slice slice(bytes);
  call->request = grpc::ByteBuffer(&slice, 1);
  call->context.set_deadline(std::chrono::system_clock::now() +
                             absl::ToChronoNanoseconds(options_.deadline));
  grpc_client::AddCallerMetadata(call->context, metadata);

  Call& started = *call;
  // The callback owns the call state. It drops the state (and with it the context's channel
  // reference) before it releases its ticket, so the forwarder, which waits for the tickets,
  // always holds the last channel reference.
  stub->second->UnaryCall(
      &started.context, started.method, grpc::StubOptions(), &started.request, &started.response,
      [call = std::move(call), done = std::move(done),
       // std::function needs a copyable callback; the ticket itself is move-only.
       ticket = std::make_shared<grpc_client::InFlightCalls::Ticket>(in_flight_.Enter())](
          grpc::Status status) mutable {
        absl::StatusOr<std::unique_ptr<google::protobuf::Message>> result =
            status.ok() ? ParseResponse(*call) : status::FromGrpcStatus(status);
        call.reset();
        std::exchange(done, nullptr)(std::move(result));
        ticket->Release();
      });
}

}  // namespace chatter::gateway
