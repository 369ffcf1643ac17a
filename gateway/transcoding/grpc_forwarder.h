// Forwards a transcoded request to its backend without knowing its types: one generic stub per
// backend service, the callback API (no Asio thread ever waits on a backend), a deadline per
// call, and the metadata every service relies on (token, request id, client address, agent).
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/transcoding/route_table.h"
#include "libs/grpc_client/caller_metadata.h"
#include "libs/grpc_client/in_flight_calls.h"

namespace chatter::gateway {

// What the edge passes on to the backend as gRPC metadata; empty values are not sent.
using ForwardMetadata = grpc_client::CallerMetadata;

struct GrpcForwarderOptions {
  absl::Duration deadline = absl::Seconds(10);  // Per call; beyond it the client gets 504.
};

class GrpcForwarder {
 public:
  // Backend service full name ("chatter.auth.v1.AuthService") -> channel to a server of it.
  using Channels = std::map<std::string, std::shared_ptr<grpc::ChannelInterface>>;
  // The backend's answer parsed as the RPC's output type, or its status (details kept).
  using Done = std::function<void(absl::StatusOr<std::unique_ptr<google::protobuf::Message>>)>;

  explicit GrpcForwarder(const Channels& channels, GrpcForwarderOptions options = {});

  bool HasBackend(const std::string& service) const { return stubs_.count(service) > 0; }

  // Starts the call and returns at once; `done` runs exactly once, on a gRPC thread (inline
  // only when the call cannot start). `route` and `request` need not outlive this call.
  void Forward(const RouteSpec& route, const google::protobuf::Message& request,
               const ForwardMetadata& metadata, Done done) const;

 private:
  using Stub = grpc::TemplatedGenericStub<grpc::ByteBuffer, grpc::ByteBuffer>;
  std::map<std::string, std::unique_ptr<Stub>> stubs_;
  GrpcForwarderOptions options_;
  // Declared last, so destroyed first: waits for calls in flight while the stubs still hold
  // their channels.
  mutable grpc_client::InFlightCalls in_flight_;
};

}  // namespace chatter::gateway
