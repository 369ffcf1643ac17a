// ChatterSession: one user's WebSocket session (docs/WEBSOCKET.md) kept alive for the app.
// It reconnects with jittered backoff, resubscribes every room with `since_seq` so nothing is
// lost, hands refreshed tokens over with `authenticate`, resends unanswered sends under the same
// `client_msg_id`, and delivers each room's messages once, in seq order.
import { backoffDelay, type BackoffOptions } from "./backoff.js";
import { Emitter } from "./emitter.js";
import { ApiError, SessionError } from "./errors.js";
import type {
  AuthenticatedData,
  ClosedData,
  Frame,
  ReadyData,
  SessionEvents,
  SessionState,
} from "./events.js";
import { RoomSequencer } from "./room_sequencer.js";
import { staticToken, type TokenProvider } from "./tokens.js";
import type { AttachmentInput, Message } from "./types.js";

// The part of the WebSocket API the session uses: the browser's global WebSocket has it, and so
// has the `ws` package's class in Node.js.
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface SessionOptions {
  // The gateway's WebSocket URL, e.g. "wss://chat.example.com/ws" (ChatterClient.webSocketUrl).
  url: string;
  // Where access tokens come from: a ChatterClient, another TokenProvider, or a fixed token.
  tokens: TokenProvider | string;
  // Defaults to the global WebSocket (browsers, Node.js 22+).
  WebSocket?: WebSocketConstructor;
  backoff?: BackoffOptions;
  // Hand over a refreshed token this long before the current one expires (default 60 s).
  refreshBeforeExpiryMs?: number;
  // A request (subscribe, ping, ...) without a reply after this long fails (default 15 s).
  requestTimeoutMs?: number;
  // How long a message that arrived past a gap waits for the missing ones (default 2 s).
  gapHoldMs?: number;
  // Ping this often to find dead connections (default 25 s; 0: never).
  heartbeatMs?: number;
  // Makes client_msg_id values (default: a random UUID).
  generateId?: () => string;
}

export interface SendOptions {
  // Idempotency key; pick one yourself to match the message in an optimistic UI.
  clientMsgId?: string;
  attachments?: AttachmentInput[];
  replyTo?: string;
}

export interface PendingSend {
  roomId: string;
  clientMsgId: string;
  content: string;
}

interface OutboxEntry {
  data: {
    room_id: string;
    content: string;
    client_msg_id: string;
    attachments?: AttachmentInput[];
    reply_to?: string;
  };
  resolve(message: Message): void;
  reject(error: Error): void;
  failures: number;
  // Sent on the current connection (or waiting to retry) and not answered yet.
  busy: boolean;
  retryTimer?: ReturnType<typeof setTimeout>;
}

interface Room {
  sequencer: RoomSequencer;
  // Subscribed on the current connection (acked).
  active: boolean;
  // A subscribe is on its way on the current connection.
  subscribing: boolean;
  waiters: { resolve(lastSeq: number): void; reject(error: Error): void }[];
}

interface Pending {
  resolve(data: Record<string, unknown>): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

// Error codes worth retrying a send for: the same client_msg_id makes the retry safe.
const kRetryableCodes = new Set([
  "unavailable",
  "deadline_exceeded",
  "resource_exhausted",
  "aborted",
  "internal",
  "unknown",
]);
const kMaxSendFailures = 8;
// Closes that say the client's frames were broken: reconnecting would only repeat them.
const kProtocolCloses = new Set([1002, 1003, 1007, 1009]);

export class ChatterSession extends Emitter<SessionEvents> {
  private readonly url: string;
  private readonly provider: TokenProvider;
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly options: SessionOptions;
  private readonly rooms = new Map<string, Room>();
  private readonly pending = new Map<string, Pending>();
  private readonly outbox = new Map<string, OutboxEntry>();
  private ws: WebSocketLike | null = null;
  private stateValue: SessionState = "idle";
  private attempt = 0;
  private refCounter = 0;
  private handedToken: string | undefined;
  private mustRefresh = false;
  // Why the server closed the last connection (kept for a `closed` that follows a failed refresh).
  private lastCloseReason = "";
  // Counts open() calls, so one overtaken by a reconnect while it awaited a token gives up.
  private openSeq = 0;
  private readyData: ReadyData | undefined;
  private readyWaiters: { resolve(data: ReadyData): void; reject(error: Error): void }[] = [];
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private stopTokenListener: (() => void) | undefined;

  constructor(options: SessionOptions) {
    super();
    this.options = options;
    this.url = options.url;
    this.provider = typeof options.tokens === "string" ? staticToken(options.tokens) : options.tokens;
    const globalWs = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    const impl = options.WebSocket ?? globalWs;
    if (!impl) throw new Error("no WebSocket: pass options.WebSocket (e.g. the `ws` package's class)");
    this.WebSocketImpl = impl;
  }

  get state(): SessionState {
    return this.stateValue;
  }

  // The `ready` data of the current connection.
  get ready(): ReadyData | undefined {
    return this.readyData;
  }

  // The last seq of `roomId` handed to the application (undefined before the first).
  lastSeq(roomId: string): number | undefined {
    return this.rooms.get(roomId)?.sequencer.lastSeq;
  }

  // Sends still waiting for the server's answer (the offline queue).
  pendingSends(): PendingSend[] {
    return [...this.outbox.values()].map((e) => ({
      roomId: e.data.room_id,
      clientMsgId: e.data.client_msg_id,
      content: e.data.content,
    }));
  }

  // Opens the session (once); resolves with the first `ready`.
  connect(): Promise<ReadyData> {
    if (this.stateValue === "closed")
      return Promise.reject(new SessionError("session_closed", "session is closed"));
    const waiting = new Promise<ReadyData>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    if (this.stateValue === "idle") {
      this.stopTokenListener = this.provider.onAccessTokenChange?.((token) => this.onNewToken(token));
      this.setState("connecting");
      void this.open();
    } else if (this.stateValue === "open" && this.readyData) {
      return Promise.resolve(this.readyData);
    }
    return waiting;
  }

  // Ends the session for good: pending sends and subscribes fail with `session_closed`.
  close(code = 1000, reason = "client closed"): void {
    if (this.stateValue === "closed") return;
    const ws = this.ws;
    this.ws = null;
    try {
      ws?.close(code, reason);
    } catch {
      // already closing
    }
    this.finish({ code, reason, cause: "client" });
  }

  // Drops the connection and connects again at once (e.g. after the network changed).
  reconnect(): void {
    if (this.stateValue === "closed" || this.stateValue === "idle") return;
    const ws = this.ws;
    if (ws) {
      this.ws = null;
      try {
        ws.close(1000, "reconnecting");
      } catch {
        // already closing
      }
    }
    this.connectionLost(1000, "reconnecting", 0);
  }

  // Follows a room. With `sinceSeq` (or after the first connection: the last seq delivered),
  // the server first replays what came after it. Resolves with the room's last_seq.
  subscribe(roomId: string, options: { sinceSeq?: number } = {}): Promise<number> {
    let room = this.rooms.get(roomId);
    if (!room) {
      const sequencer = new RoomSequencer(
        {
          deliver: (message) => this.emit("message", message),
          gap: (after, before) => this.emit("gap", { room_id: roomId, after_seq: after, before_seq: before }),
        },
        this.options.gapHoldMs ?? 2000,
        options.sinceSeq,
      );
      room = { sequencer, active: false, subscribing: false, waiters: [] };
      this.rooms.set(roomId, room);
    } else if (room.active) {
      return Promise.resolve(room.sequencer.lastSeq ?? 0);
    }
    const target = room;
    const answer = new Promise<number>((resolve, reject) => target.waiters.push({ resolve, reject }));
    if (this.isOpen() && !room.subscribing) this.sendSubscribe(roomId, room);
    return answer;
  }

  async unsubscribe(roomId: string): Promise<void> {
    const room = this.rooms.get(roomId);
    if (!room) return;
    this.rooms.delete(roomId);
    room.sequencer.dispose();
    for (const waiter of room.waiters)
      waiter.reject(new SessionError("session_closed", `unsubscribed from ${roomId}`));
    if (this.isOpen()) await this.request("unsubscribe", { room_id: roomId });
  }

  // Sends a message; resolves with it once saved. Survives reconnects: what got no answer is
  // sent again under the same client_msg_id, so the room gets it once.
  send(roomId: string, content: string, options: SendOptions = {}): Promise<Message> {
    if (this.stateValue === "closed")
      return Promise.reject(new SessionError("session_closed", "session is closed"));
    const clientMsgId = options.clientMsgId ?? this.newClientMsgId();
    const existing = this.outbox.get(clientMsgId);
    if (existing) return new Promise((resolve, reject) => this.chain(existing, resolve, reject));
    return new Promise<Message>((resolve, reject) => {
      const data: OutboxEntry["data"] = { room_id: roomId, content, client_msg_id: clientMsgId };
      if (options.attachments) data.attachments = options.attachments;
      if (options.replyTo) data.reply_to = options.replyTo;
      const entry: OutboxEntry = { data, resolve, reject, failures: 0, busy: false };
      this.outbox.set(clientMsgId, entry);
      this.pumpOutbox(roomId);
    });
  }

  newClientMsgId(): string {
    return this.options.generateId?.() ?? randomUuid();
  }

  editMessage(roomId: string, messageId: string, content: string): Promise<Message> {
    return this.request("edit_message", {
      room_id: roomId,
      message_id: messageId,
      content,
    }) as Promise<unknown> as Promise<Message>;
  }

  async deleteMessage(roomId: string, messageId: string): Promise<void> {
    await this.request("delete_message", { room_id: roomId, message_id: messageId });
  }

  async markRead(roomId: string, seq: number): Promise<number> {
    return Number((await this.request("mark_read", { room_id: roomId, seq })).seq);
  }

  async markDelivered(roomId: string, seq: number): Promise<void> {
    await this.request("mark_delivered", { room_id: roomId, seq });
  }

  async typing(roomId: string, typing: boolean): Promise<void> {
    await this.request(typing ? "typing_start" : "typing_stop", { room_id: roomId });
  }

  async ping(): Promise<void> {
    await this.request("ping", {});
  }

  // Hands the session a newer access token of the same user (default: the provider's current
  // one). The session does this by itself before the token expires.
  async authenticate(accessToken?: string): Promise<AuthenticatedData> {
    const token = accessToken ?? (await this.provider.getAccessToken());
    const previous = this.handedToken;
    this.handedToken = token;
    try {
      const ack = (await this.request("authenticate", {
        access_token: token,
      })) as unknown as AuthenticatedData;
      this.emit("authenticated", ack);
      this.scheduleRefresh();
      return ack;
    } catch (error) {
      if (this.handedToken === token) this.handedToken = previous;
      throw error;
    }
  }

  // ---- connection ----

  private async open(): Promise<void> {
    const mine = ++this.openSeq;
    let token: string;
    try {
      if (this.mustRefresh) {
        token = await this.provider.refreshAccessToken();
        this.mustRefresh = false;
      } else {
        token = await this.provider.getAccessToken(this.options.refreshBeforeExpiryMs ?? 60_000);
      }
    } catch (error) {
      if (this.stateValue === "closed" || mine !== this.openSeq) return;
      if (isAuthFailure(error)) {
        const refresh = `token refresh failed: ${(error as Error).message}`;
        const reason = this.lastCloseReason ? `${this.lastCloseReason}; ${refresh}` : refresh;
        this.finish({ code: 4401, reason, cause: "unauthenticated" });
      } else {
        this.scheduleReconnect(4401, `token refresh failed: ${(error as Error).message}`);
      }
      return;
    }
    if (this.stateValue === "closed" || mine !== this.openSeq) return;
    // Relative URLs ("/ws") resolve against the page in browsers.
    const base = (globalThis as { location?: { href: string } }).location?.href;
    const url = new URL(this.url, base);
    url.searchParams.set("access_token", token);
    let ws: WebSocketLike;
    try {
      ws = new this.WebSocketImpl(url.toString());
    } catch (error) {
      this.scheduleReconnect(1006, (error as Error).message);
      return;
    }
    this.ws = ws;
    this.handedToken = token;
    ws.onmessage = (event) => {
      if (this.ws === ws) this.onFrameText(event.data);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onClose(event.code, event.reason);
    };
    ws.onerror = () => {
      // A close event follows; it decides.
    };
  }

  private onClose(code: number, reason: string): void {
    if (this.stateValue === "closed") return;
    this.lastCloseReason = reason;
    if (code === 4401) {
      // The token expired or the login ended: refresh first (a failed refresh ends the session).
      this.mustRefresh = true;
      this.connectionLost(code, reason, 0);
    } else if (code === 1008 || (code >= 4000 && code <= 4999)) {
      this.connectionLost(code, reason, undefined);
      this.finish({ code, reason, cause: "policy" });
    } else if (kProtocolCloses.has(code)) {
      this.connectionLost(code, reason, undefined);
      this.finish({ code, reason, cause: "protocol" });
    } else {
      this.connectionLost(code, reason, backoffDelay(this.attempt, this.options.backoff));
    }
  }

  // Cleans up after the connection ended; reconnects after `delayMs` unless it is undefined.
  private connectionLost(code: number, reason: string, delayMs: number | undefined): void {
    this.readyData = undefined;
    this.stopTimers();
    for (const [ref, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new SessionError("connection_lost", `connection lost (${code} ${reason})`));
      this.pending.delete(ref);
    }
    for (const room of this.rooms.values()) {
      room.active = false;
      room.subscribing = false;
    }
    for (const entry of this.outbox.values()) {
      clearTimeout(entry.retryTimer);
      entry.busy = false;
    }
    if (delayMs !== undefined) this.scheduleReconnect(code, reason, delayMs);
  }

  private scheduleReconnect(
    code: number,
    reason: string,
    delayMs = backoffDelay(this.attempt, this.options.backoff),
  ): void {
    if (this.stateValue === "closed") return;
    this.attempt += 1;
    this.setState("reconnecting");
    this.emit("disconnected", { code, reason, reconnectInMs: delayMs, attempt: this.attempt });
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.open();
    }, delayMs);
  }

  private finish(data: ClosedData): void {
    if (this.stateValue === "closed") return;
    this.setState("closed");
    clearTimeout(this.reconnectTimer);
    this.stopTimers();
    this.stopTokenListener?.();
    const error = new SessionError("session_closed", `session closed (${data.code} ${data.reason})`);
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
    for (const entry of this.outbox.values()) {
      clearTimeout(entry.retryTimer);
      entry.reject(error);
    }
    this.outbox.clear();
    for (const room of this.rooms.values()) {
      for (const waiter of room.waiters) waiter.reject(error);
      room.waiters = [];
      room.sequencer.dispose();
    }
    for (const waiter of this.readyWaiters) waiter.reject(error);
    this.readyWaiters = [];
    this.emit("closed", data);
  }

  private onReady(data: ReadyData): void {
    this.readyData = data;
    this.attempt = 0;
    this.lastCloseReason = "";
    this.setState("open");
    this.emit("ready", data);
    for (const waiter of this.readyWaiters) waiter.resolve(data);
    this.readyWaiters = [];
    for (const [roomId, room] of this.rooms) this.sendSubscribe(roomId, room);
    for (const roomId of new Set([...this.outbox.values()].map((e) => e.data.room_id)))
      this.pumpOutbox(roomId);
    this.scheduleRefresh();
    this.startHeartbeat();
  }

  // ---- frames ----

  private onFrameText(text: unknown): void {
    let frame: Frame;
    try {
      frame = JSON.parse(String(text)) as Frame;
    } catch {
      return; // the server sends JSON only; ignore anything else
    }
    this.emit("frame", frame);
    const data = (frame.data ?? {}) as Record<string, unknown>;
    if (frame.ref !== undefined && (frame.event === "ack" || frame.event === "error")) {
      const pending = this.pending.get(frame.ref);
      if (pending) {
        this.pending.delete(frame.ref);
        clearTimeout(pending.timer);
        if (frame.event === "ack") pending.resolve(data);
        else pending.reject(wsError(data));
        return;
      }
    }
    this.dispatch(frame.event, data);
  }

  private dispatch(event: string, data: Record<string, unknown>): void {
    const any = data as never;
    switch (event) {
      case "ready":
        this.onReady(any);
        return;
      case "receive_message":
        this.onMessage(any);
        return;
      case "resync_required": {
        const roomId = String(data.room_id);
        const lastSeq = Number(data.last_seq);
        const room = this.rooms.get(roomId);
        this.emit("resync_required", {
          room_id: roomId,
          last_seq: lastSeq,
          from_seq: room?.sequencer.lastSeq ?? 0,
        });
        room?.sequencer.resetTo(lastSeq);
        return;
      }
      case "error":
        this.emit("server_error", any);
        return;
      case "ack":
      case "pong":
        return;
      case "message_updated":
      case "message_deleted":
      case "typing_start":
      case "typing_stop":
      case "presence":
      case "read_receipt":
      case "delivery_receipt":
      case "reaction_added":
      case "reaction_removed":
      case "member_joined":
      case "member_left":
      case "notification":
        this.emit(event, any);
        return;
      default:
        return; // unknown events: additive, only in `frame`
    }
  }

  private onMessage(message: Message): void {
    const room = this.rooms.get(message.room_id);
    if (room) room.sequencer.push(message);
    else this.emit("message", message);
  }

  // ---- requests ----

  private isOpen(): boolean {
    return this.ws !== null && this.readyData !== undefined;
  }

  private request(event: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
    const ws = this.ws;
    if (!ws || !this.readyData) {
      return Promise.reject(new SessionError("connection_lost", `not connected (${event})`));
    }
    const ref = `r${++this.refCounter}`;
    return new Promise((resolve, reject) => {
      const timeoutMs = this.options.requestTimeoutMs ?? 15_000;
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new SessionError("timeout", `no reply to ${event} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(ref, { resolve, reject, timer });
      try {
        ws.send(JSON.stringify({ event, data, ref }));
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(ref);
        reject(new SessionError("connection_lost", (error as Error).message));
      }
    });
  }

  private sendSubscribe(roomId: string, room: Room): void {
    const data: Record<string, unknown> = { room_id: roomId };
    const since = room.sequencer.lastSeq;
    if (since !== undefined) data.since_seq = since;
    room.subscribing = true;
    this.request("subscribe", data).then(
      (ack) => {
        if (this.rooms.get(roomId) !== room) return;
        room.subscribing = false;
        room.active = true;
        const lastSeq = Number(ack.last_seq);
        room.sequencer.anchor(lastSeq);
        for (const waiter of room.waiters) waiter.resolve(lastSeq);
        room.waiters = [];
      },
      (error: Error) => {
        if (error instanceof SessionError && error.reason !== "timeout") return; // resubscribed on reconnect
        room.subscribing = false;
        if (error instanceof SessionError) {
          this.reconnect(); // a subscribe without a reply: the connection is not healthy
          return;
        }
        if (this.rooms.get(roomId) !== room) return;
        if (error instanceof ApiError && kRetryableCodes.has(error.code)) {
          setTimeout(
            () => {
              if (this.rooms.get(roomId) === room && this.isOpen() && !room.active)
                this.sendSubscribe(roomId, room);
            },
            error.retryAfterMs ?? backoffDelay(1, this.options.backoff),
          );
          return;
        }
        this.rooms.delete(roomId);
        room.sequencer.dispose();
        for (const waiter of room.waiters) waiter.reject(error);
        room.waiters = [];
      },
    );
  }

  // Sends the oldest unanswered message of `roomId`, one at a time per room: the gateway saves
  // concurrent sends in any order, and a user's messages must keep the order they were typed in.
  private pumpOutbox(roomId: string): void {
    if (!this.isOpen()) return;
    for (const entry of this.outbox.values()) {
      if (entry.data.room_id !== roomId) continue;
      if (!entry.busy) this.sendFromOutbox(entry);
      return;
    }
  }

  private sendFromOutbox(entry: OutboxEntry): void {
    clearTimeout(entry.retryTimer);
    entry.retryTimer = undefined;
    entry.busy = true;
    const clientMsgId = entry.data.client_msg_id;
    const roomId = entry.data.room_id;
    this.request("send_message", entry.data).then(
      (ack) => {
        if (this.outbox.get(clientMsgId) !== entry) return;
        this.outbox.delete(clientMsgId);
        const message = ack as unknown as Message;
        // The ack and the echo are the same message: whichever comes first is delivered.
        const room = this.rooms.get(message.room_id);
        if (room && room.sequencer.lastSeq !== undefined) room.sequencer.push(message);
        entry.resolve(message);
        this.pumpOutbox(roomId);
      },
      (error: Error) => {
        if (this.outbox.get(clientMsgId) !== entry) return;
        if (error instanceof SessionError) {
          if (error.reason === "timeout" && this.isOpen()) this.sendFromOutbox(entry);
          return; // connection_lost: sent again after the next `ready`
        }
        entry.failures += 1;
        if (
          error instanceof ApiError &&
          kRetryableCodes.has(error.code) &&
          entry.failures < kMaxSendFailures
        ) {
          const delay = error.retryAfterMs ?? backoffDelay(entry.failures, this.options.backoff);
          entry.retryTimer = setTimeout(() => {
            if (this.outbox.get(clientMsgId) === entry && this.isOpen()) this.sendFromOutbox(entry);
          }, delay);
          return;
        }
        this.outbox.delete(clientMsgId);
        entry.reject(error);
        this.pumpOutbox(roomId);
      },
    );
  }

  private chain(entry: OutboxEntry, resolve: (m: Message) => void, reject: (e: Error) => void): void {
    const { resolve: first, reject: firstReject } = entry;
    entry.resolve = (m) => {
      first(m);
      resolve(m);
    };
    entry.reject = (e) => {
      firstReject(e);
      reject(e);
    };
  }

  // ---- tokens and liveness ----

  private onNewToken(token: string): void {
    if (!this.isOpen() || token === this.handedToken) return;
    this.authenticate(token).catch(() => {
      // The session keeps its token; the next refresh (or a 4401) tries again.
    });
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    const expiresAt = this.provider.accessTokenExpiresAt();
    if (expiresAt === undefined || !this.isOpen()) return;
    const before = this.options.refreshBeforeExpiryMs ?? 60_000;
    const remaining = expiresAt - Date.now();
    // A token that lives less than `before` is refreshed halfway through what is left, not at
    // once (and then again and again).
    const delay = Math.max(1000, remaining > before ? remaining - before : remaining / 2);
    this.refreshTimer = setTimeout(() => void this.refreshNow(expiresAt), delay);
  }

  private async refreshNow(scheduledFor: number): Promise<void> {
    try {
      const token =
        this.provider.accessTokenExpiresAt() === scheduledFor
          ? await this.provider.refreshAccessToken()
          : await this.provider.getAccessToken();
      if (!this.isOpen()) return;
      if (token !== this.handedToken) await this.authenticate(token);
      else this.scheduleRefresh();
    } catch {
      if (!this.isOpen()) return;
      // Try again a little later; if the token runs out first, the gateway closes with 4401.
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(
        () => void this.refreshNow(scheduledFor),
        backoffDelay(3, this.options.backoff),
      );
    }
  }

  private startHeartbeat(): void {
    const every = this.options.heartbeatMs ?? 25_000;
    if (every <= 0) return;
    this.heartbeatTimer = setInterval(() => {
      this.ping().catch((error: Error) => {
        if (error instanceof SessionError && error.reason === "timeout") this.reconnect();
      });
    }, every);
  }

  private stopTimers(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private setState(state: SessionState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.emit("state", state);
  }
}

function wsError(data: Record<string, unknown>): ApiError {
  const retry = Number(data.retry_after_ms);
  return new ApiError(
    0,
    String(data.code ?? "unknown"),
    String(data.message ?? "error"),
    [],
    undefined,
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}

function isAuthFailure(error: unknown): boolean {
  if (error instanceof ApiError) return error.status === 401 || error.code === "unauthenticated";
  return error instanceof Error && /static access token/.test(error.message);
}

function randomUuid(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
