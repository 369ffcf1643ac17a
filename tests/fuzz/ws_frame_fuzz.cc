// Fuzz target: the WebSocket client-event decoder (frame envelope, then each event's data).
#include <cstdint>

#include "absl/strings/string_view.h"
#include "gateway/ws/frame_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chatter::gateway;
  ParsedFrame parsed =
      ParseClientFrame(absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed.frame.ok()) return 0;
  const nlohmann::json& body = parsed.frame->data;
  (void)ParseSubscribeData(body);
  (void)ParseRoomIdData(body);
  (void)ParseAuthenticateData(body);
  (void)ParsePingData(body);
  return 0;
}
