// Fuzz target: the proto-to-JSON renderer, on whatever a backend could answer: arbitrary bytes
// parsed as a response message, rendered, and the rendering decoded back.
#include <cstdint>

#include "chatter/chat/v1/chat.pb.h"
#include "gateway/transcoding/json_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chatter::gateway;
  chatter::chat::v1::ListMessagesResponse response;
  if (!response.ParsePartialFromArray(data, static_cast<int>(size))) return 0;
  nlohmann::ordered_json rendered = EncodeJson(response);
  (void)DumpJson(rendered);
  chatter::chat::v1::ListMessagesResponse again;
  (void)DecodeJsonObject(nlohmann::json::parse(rendered.dump()), again);
  return 0;
}
