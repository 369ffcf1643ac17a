// Fuzz target: the gateway's WebSocket frame reader (client bytes after the handshake), fed in
// two pieces split at the first byte's value so partial frames are exercised too.
#include <cstdint>

#include "absl/strings/string_view.h"
#include "gateway/ws/ws_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chatter::gateway;
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  WsFrameReader reader(4096);
  WsInbound inbound;
  WsViolation violation;
  for (absl::string_view piece : {bytes.substr(0, cut), bytes.substr(cut)}) {
    reader.Append(piece);
    while (reader.Next(inbound, violation) == WsFrameReader::Result::kInbound) {
      if (inbound.payload.size() > 4096) __builtin_trap();  // The limit must hold.
    }
  }
  return 0;
}
