// FreePort(): a TCP port on 127.0.0.1 that nobody listened on a moment ago, for end-to-end tests
// that must name a port before anything binds it (prefer binding port 0 where the program allows).
#pragma once

namespace chatter::e2e {

// Binds port 0 on 127.0.0.1, reads the port the kernel chose and closes the socket again.
// Adds a test failure and returns 0 when no socket can be bound.
int FreePort();

}  // namespace chatter::e2e
