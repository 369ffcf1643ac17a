// RawConnection: one plain TCP connection to a local port for end-to-end tests of the HTTP edge
// itself: requests written byte by byte as the test likes (slowly, partly, pipelined, on a kept
// alive connection), responses read one at a time, and how and when the server ended it.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tests/e2e/harness/http_client.h"

namespace chatter::e2e {

class RawConnection {
 public:
  // UNAVAILABLE when nothing accepts on 127.0.0.1:`port`.
  static absl::StatusOr<std::unique_ptr<RawConnection>> Connect(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Writes all of `bytes`; UNAVAILABLE when the server is gone.
  absl::Status Send(absl::string_view bytes);

  // Reads the next HTTP response (an interim 100 Continue counts as one) within `timeout`;
  // bytes after it stay for the next call. UNAVAILABLE when the connection ends first,
  // DEADLINE_EXCEEDED after `timeout`.
  absl::StatusOr<HttpReply> ReadResponse(absl::Duration timeout = kDefaultHttpTimeout);

  // How the wait in ReadUntilClosed ended.
  struct Ending {
    bool closed = false;     // The server closed or reset the connection (else: timed out).
    std::string received;    // Bytes that arrived meanwhile (beyond earlier responses).
    absl::Duration elapsed;  // From the call to the end.
  };
  // Waits up to `timeout` for the server to end the connection. Meanwhile, when `drip` is not
  // empty, sends it one byte every `drip_interval` (a slow client), stopping at its end.
  Ending ReadUntilClosed(absl::Duration timeout, absl::string_view drip = "",
                         absl::Duration drip_interval = absl::Milliseconds(50));

 private:
  explicit RawConnection(int fd) : fd_(fd) {}
  // Waits up to `timeout` for bytes and appends them to pending_: >0 bytes read, 0 on end of
  // stream or reset, -1 on timeout.
  int ReadSome(absl::Duration timeout);

  int fd_;
  std::string pending_;  // Received, not yet returned.
};

}  // namespace chatter::e2e
