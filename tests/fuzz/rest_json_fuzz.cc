// Fuzz target: the REST JSON codec decoding a request body into the richest request message
// (nested attachments, optional fields), then encoding what it decoded back to JSON.
#include <cstdint>

#include "absl/strings/string_view.h"
#include "chatter/chat/v1/chat.pb.h"
#include "gateway/transcoding/json_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chatter::gateway;
  absl::string_view body(reinterpret_cast<const char*>(data), size);
  chatter::chat::v1::SendMessageRequest request;
  if (DecodeJsonBody(body, request).ok()) {
    (void)DumpJson(EncodeJson(request));
  }
  chatter::chat::v1::CreateRoomRequest room;
  (void)DecodeJsonBody(body, room);
  return 0;
}
