// Health via the generated stub; reflection via GenericStub with the few protobuf fields it needs
// encoded and decoded by hand (reflection.proto: request field 7 list_services; response field 6
// list_services_response { repeated service = 1 { name = 1 } }, field 7 error_response).
#include "tests/e2e/harness/grpc_probe.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace chatter::e2e {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

constexpr char kReflectionMethod[] =
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

absl::Status FromGrpc(const grpc::Status& status, const std::string& what) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromByteBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

// Calls `f(CodedInputStream&, field_number)` for each length-delimited field of `message`;
// skips the others. False when the bytes do not parse.
template <typename F>
bool ForEachLengthDelimited(const std::string& message, F f) {
  CodedInputStream input(reinterpret_cast<const uint8_t*>(message.data()),
                         static_cast<int>(message.size()));
  while (uint32_t tag = input.ReadTag()) {
    if (WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&input, tag)) return false;
      continue;
    }
    std::string value;
    uint32_t length = 0;
    if (!input.ReadVarint32(&length) || !input.ReadString(&value, static_cast<int>(length))) {
      return false;
    }
    f(WireFormatLite::GetTagFieldNumber(tag), value);
  }
  return input.CurrentPosition() == static_cast<int>(message.size());
}

absl::StatusOr<std::vector<std::string>> ParseListServicesResponse(const std::string& response) {
  std::vector<std::string> names;
  std::string error;
  bool listed = false;
  bool parsed = ForEachLengthDelimited(response, [&](int field, const std::string& value) {
    if (field == 6) {  // list_services_response
      listed = true;
      ForEachLengthDelimited(value, [&](int service_field, const std::string& service) {
        if (service_field != 1) return;
        ForEachLengthDelimited(service, [&](int name_field, const std::string& name) {
          if (name_field == 1) names.push_back(name);
        });
      });
    } else if (field == 7) {  // error_response { int32 error_code = 1; string error_message = 2; }
      ForEachLengthDelimited(value, [&](int error_field, const std::string& text) {
        if (error_field == 2) error = text;
      });
      error = absl::StrCat("reflection error: ", error);
    }
  });
  if (!parsed) return absl::InternalError("reflection response does not parse");
  if (!error.empty()) return absl::InternalError(error);
  if (!listed) return absl::InternalError("reflection response has no list_services_response");
  return names;
}

// Waits for the completion of `tag` (the only operation in flight); its `ok` flag.
bool Await(grpc::CompletionQueue& cq, void* tag) {
  void* got = nullptr;
  bool ok = false;
  if (!cq.Next(&got, &ok)) return false;
  return got == tag && ok;
}

}  // namespace

absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus> CheckHealth(
    const std::string& address, const std::string& service, absl::Duration timeout) {
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    return FromGrpc(status, absl::StrCat("Health/Check(\"", service, "\") on ", address));
  }
  return response.status();
}

absl::StatusOr<std::vector<std::string>> ListServicesByReflection(const std::string& address,
                                                                  absl::Duration timeout) {
  grpc::GenericStub stub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, kReflectionMethod, &cq);

  // ServerReflectionRequest{list_services: "*"}: tag (7 << 3 | 2), length 1, "*".
  const std::string request = "\x3a\x01*";

  grpc::ByteBuffer response_buffer;
  grpc::Status status;
  int tags[5];
  bool ok = false;
  call->StartCall(&tags[0]);
  if (Await(cq, &tags[0])) {
    call->Write(ToByteBuffer(request), &tags[1]);
    if (Await(cq, &tags[1])) {
      call->Read(&response_buffer, &tags[2]);
      ok = Await(cq, &tags[2]);
    }
    call->WritesDone(&tags[3]);
    Await(cq, &tags[3]);
  }
  call->Finish(&status, &tags[4]);
  Await(cq, &tags[4]);
  cq.Shutdown();
  void* ignored_tag;
  bool ignored_ok;
  while (cq.Next(&ignored_tag, &ignored_ok)) {
  }
  if (!status.ok()) return FromGrpc(status, absl::StrCat("reflection on ", address));
  if (!ok) return absl::UnavailableError(absl::StrCat("reflection on ", address, ": no response"));
  return ParseListServicesResponse(FromByteBuffer(response_buffer));
}

}  // namespace chatter::e2e
