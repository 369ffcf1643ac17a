// Test helpers: the gateway under test (CHATTER_GATEWAY_URL, as tests/e2e/web_sdk_e2e_test.cc
// sets it), users signed up through the SDK, a WebSocket wrapper (over the `ws` package) that
// lets a test drop connections, refuse reconnects or lose an ack, and waiting without sleeps.
import { randomBytes } from "node:crypto";
import WebSocket from "ws";

import { ChatterClient, ChatterSession, type SessionOptions, type WebSocketLike } from "../src/index.js";
import type { SessionEvents } from "../src/index.js";

export const gatewayUrl = process.env.CHATTER_GATEWAY_URL ?? "";
// For `test(name, needsGateway, fn)`: skipped, saying why, when no gateway is given.
export const needsGateway = gatewayUrl
  ? {}
  : {
      skip: "CHATTER_GATEWAY_URL is not set (tests/e2e/web_sdk_e2e_test.cc runs these against a real stack)",
    };

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString("hex")}`;
}

export const kPassword = "correct horse battery";

export async function signUp(
  prefix: string,
  options: Partial<ConstructorParameters<typeof ChatterClient>[0]> = {},
) {
  const client = new ChatterClient({ baseUrl: gatewayUrl, ...options });
  const username = uniqueName(prefix);
  const auth = await client.signUp({ username, email: `${username}@example.com`, password: kPassword });
  return { client, username, user: auth.user };
}

// Resolves with the first `event` whose data satisfies `match`, or rejects after `timeoutMs`.
export function nextEvent<K extends keyof SessionEvents>(
  session: ChatterSession,
  event: K,
  match: (data: SessionEvents[K]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<SessionEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${String(event)} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = session.on(event, (data) => {
      if (!match(data)) return;
      clearTimeout(timer);
      stop();
      resolve(data);
    });
  });
}

// Polls `condition` every 20 ms until it holds (or fails after `timeoutMs`).
export async function waitFor(
  what: string,
  condition: () => boolean,
  timeoutMs = 10_000,
  describe: () => string = () => "",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}. ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// One connection as the session sees it: a `ws` socket the test can break.
export class ControlledSocket implements WebSocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  // Client frames as sent, parsed.
  readonly sent: { event: string; data?: Record<string, unknown>; ref?: string }[] = [];
  // Server frames as received (text), for failure messages.
  readonly received: string[] = [];
  private readonly inner: WebSocket | null;
  private fakeClosed = false;
  private dropRef: string | undefined;

  constructor(
    readonly url: string,
    private readonly control: SocketControl,
  ) {
    control.sockets.push(this);
    if (control.refuseConnections) {
      this.inner = null;
      setTimeout(() => this.onclose?.({ code: 1006, reason: "refused by the test" }), 5);
      return;
    }
    const inner = new WebSocket(url);
    this.inner = inner;
    inner.onopen = (event) => this.onopen?.(event);
    inner.onerror = (event) => this.onerror?.(event);
    inner.onclose = (event) => {
      if (!this.fakeClosed) this.onclose?.({ code: event.code, reason: event.reason });
    };
    inner.onmessage = (event) => {
      if (this.fakeClosed) return;
      const text = String(event.data);
      this.received.push(text);
      if (this.dropRef !== undefined && JSON.parse(text).ref === this.dropRef) {
        // The server saved the message; the client never learns: the connection "drops".
        this.kill(1006, "ack lost (test)");
        return;
      }
      this.onmessage?.({ data: text });
    };
  }

  get readyState(): number {
    return this.fakeClosed || !this.inner ? 3 : this.inner.readyState;
  }

  send(data: string): void {
    const frame = JSON.parse(data);
    this.sent.push(frame);
    if (frame.event === "send_message" && this.control.loseNextSendAck) {
      this.control.loseNextSendAck = false;
      this.dropRef = frame.ref;
    }
    this.inner?.send(data);
  }

  close(code?: number, reason?: string): void {
    this.inner?.close(code, reason);
  }

  // Cuts the TCP connection and reports `code` to the session, as if the network (1006) or the
  // server (e.g. 4401, 1008, 1012) had ended it.
  kill(code = 1006, reason = ""): void {
    if (this.fakeClosed) return;
    this.fakeClosed = true;
    this.inner?.terminate();
    setTimeout(() => this.onclose?.({ code, reason }), 0);
  }
}

// What a test controls about the connections of the sessions it made with it.
export class SocketControl {
  readonly sockets: ControlledSocket[] = [];
  refuseConnections = false;
  loseNextSendAck = false;

  // The class to pass as SessionOptions.WebSocket.
  readonly WebSocket = (() => {
    const control = this;
    return class extends ControlledSocket {
      constructor(url: string) {
        super(url, control);
      }
    };
  })();

  latest(): ControlledSocket {
    const socket = this.sockets[this.sockets.length - 1];
    if (!socket) throw new Error("no socket yet");
    return socket;
  }
}

// A session of `client`'s user with fast reconnects, connected (`ready`) before it returns.
export async function openSession(
  client: ChatterClient,
  options: Partial<SessionOptions> = {},
): Promise<{ session: ChatterSession; control: SocketControl }> {
  const control = new SocketControl();
  const session = new ChatterSession({
    url: client.webSocketUrl,
    tokens: client,
    WebSocket: control.WebSocket,
    backoff: { initialMs: 100, maxMs: 1000 },
    ...options,
  });
  await session.connect();
  return { session, control };
}
