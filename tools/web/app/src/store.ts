// The app's state and everything that changes it: the login, the WebSocket session, rooms,
// timelines, typing, presence, contacts and the offline queue. Components read it and call its
// methods; it tells them to render again through subscribe(). The rules live in src/logic/.
import {
  ApiError,
  ChatterSession,
  ChatterClient,
  type Contact,
  type Message,
  type PresenceData,
  type Room,
  type SessionState,
  type User,
} from "@chatterstack/client";
import {
  browserLock,
  crossTabRefreshFetch,
  kTokensKey,
  loadTokens,
  loadUser,
  saveTokens,
  saveUser,
} from "./logic/auth_store.ts";
import { readRange } from "./logic/catch_up.ts";
import { Outbox, type StorageLike } from "./logic/outbox.ts";
import { ReadMarker } from "./logic/read_marker.ts";
import { entryFromRoom, mergeRoomList, onChange, onMessage, onRead, type RoomEntry } from "./logic/rooms.ts";
import {
  addMessages,
  addPage,
  addPending,
  applyChange,
  emptyTimeline,
  holes,
  lastSeqOf,
  updatePending,
  type Timeline,
} from "./logic/timeline.ts";
import { TypingNotifier, TypingRoster } from "./logic/typing.ts";

const kPageSize = 50;
// New rooms (a direct message someone opened with the user) are only found by reading the list.
const kRoomsPollMs = 15_000;

export interface Notice {
  kind: "error" | "info";
  text: string;
}

// What the store is built from: main.tsx passes the real ones (browserDeps), tests pass fakes.
export interface StoreDeps {
  storage: StorageLike;
  api: ChatterClient;
  newSession(api: ChatterClient): ChatterSession;
  // Follow the browser's online/offline, focus, visibility and other tabs (default true).
  watchBrowser?: boolean;
}

// The real client: REST on this page's origin, the login in `storage`, refreshes safe across tabs.
export function browserDeps(storage: StorageLike): StoreDeps {
  const api = new ChatterClient({
    baseUrl: location.origin,
    tokens: loadTokens(storage) ?? undefined,
    onTokensChange: (tokens) => saveTokens(storage, tokens),
    fetch: crossTabRefreshFetch(fetch.bind(globalThis), storage, browserLock()),
  });
  return {
    storage,
    api,
    newSession: (client) => new ChatterSession({ url: client.webSocketUrl, tokens: client }),
  };
}

export class ChatStore {
  readonly api: ChatterClient;
  private readonly storage: StorageLike;
  private readonly newSession: (api: ChatterClient) => ChatterSession;
  me: User | null;
  connection: SessionState | "idle" = "idle";
  // The session was open once: later "connecting" states are reconnects.
  everOpen = false;
  online = typeof navigator === "undefined" ? true : navigator.onLine;
  // Why the session ended for good (moderation, policy), until the user reconnects.
  closedReason: string | null = null;
  rooms = new Map<string, RoomEntry>();
  roomsLoaded = false;
  timelines = new Map<string, Timeline>();
  readonly typing = new TypingRoster();
  presence = new Map<string, PresenceData>();
  usernames = new Map<string, string>();
  // Direct room -> the other member's user id.
  directPeers = new Map<string, string>();
  // Room -> its members' user ids (read when a room is opened).
  members = new Map<string, string[]>();
  contacts: Contact[] = [];
  activeRoomId: string | null = null;
  // The user sees the newest messages of the active room (scrolled to the bottom, page visible).
  viewingLatest = true;
  notice: Notice | null = null;
  // The latest live message of someone else, as text for screen readers (an aria-live region).
  announcement = "";
  loadingOlder = new Set<string>();

  private session: ChatterSession | null = null;
  private outbox: Outbox | null = null;
  private readMarker: ReadMarker | null = null;
  private notifiers = new Map<string, TypingNotifier>();
  private subscribed = new Set<string>();
  private membersLoaded = new Set<string>();
  private userLookups = new Set<string>();
  private listeners = new Set<() => void>();
  private notifyQueued = false;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private typingTimer: ReturnType<typeof setInterval> | undefined;
  private roomsRefresh: Promise<void> | null = null;
  private roomsRefreshTimer: ReturnType<typeof setTimeout> | undefined;
  // Counts the user's own changes to the room list (create, join, leave).
  private roomsEpoch = 0;
  private readonly cleanups: (() => void)[] = [];

  constructor(deps: StoreDeps) {
    this.api = deps.api;
    this.storage = deps.storage;
    this.newSession = deps.newSession;
    this.me = this.api.currentTokens ? loadUser(this.storage) : null;
    if (!this.me) saveTokens(this.storage, null);
    if (deps.watchBrowser ?? true) this.watchBrowser();
  }

  // Stops the session and its timers (tests; the page never needs it).
  dispose(): void {
    this.stopSession();
  }

  // ---- change notification ----

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const listener of this.listeners) listener();
    });
  }

  setNotice(notice: Notice | null): void {
    this.notice = notice;
    this.changed();
  }

  // ---- auth ----

  async signUp(username: string, email: string, password: string): Promise<void> {
    const answer = await this.api.signUp({ username, email, password });
    this.signedIn(answer.user);
  }

  async logIn(emailOrUsername: string, password: string): Promise<void> {
    const answer = await this.api.login({ email_or_username: emailOrUsername, password });
    this.signedIn(answer.user);
  }

  async logOut(): Promise<void> {
    try {
      await this.api.logout();
    } catch {
      // offline or already ended: forget the login here anyway
    }
    this.outbox?.list().forEach((e) => this.outbox?.discard(e.clientMsgId));
    this.signedOut(null);
  }

  // Resumes the stored login (after a reload).
  start(): void {
    if (!this.me) return;
    this.startSession();
    this.api.me().then(
      (user) => {
        this.me = user;
        saveUser(this.storage, user);
        this.changed();
      },
      (error) => {
        if (error instanceof ApiError && error.status === 401) this.signedOut("Your session ended. Please sign in again.");
      },
    );
  }

  private signedIn(user: User): void {
    this.me = user;
    saveUser(this.storage, user);
    this.usernames.set(user.id, user.username);
    this.startSession();
    this.changed();
  }

  private signedOut(reason: string | null): void {
    this.stopSession();
    saveTokens(this.storage, null);
    saveUser(this.storage, null);
    this.me = null;
    this.rooms = new Map();
    this.roomsLoaded = false;
    this.timelines = new Map();
    this.presence = new Map();
    this.contacts = [];
    this.directPeers = new Map();
    this.members = new Map();
    this.activeRoomId = null;
    this.everOpen = false;
    this.connection = "idle";
    this.notice = reason ? { kind: "info", text: reason } : null;
    if (typeof location !== "undefined" && location.hash && location.hash !== "#/") location.hash = "#/";
    this.changed();
  }

  // ---- the session ----

  private startSession(): void {
    const me = this.me!;
    this.usernames.set(me.id, me.username);
    this.closedReason = null;
    const session = this.newSession(this.api);
    this.session = session;
    this.subscribed = new Set();
    const on = session.on.bind(session);
    const offs = [
      on("state", (state) => {
        this.connection = state;
        if (state === "open") this.everOpen = true;
        this.changed();
      }),
      on("ready", () => void this.refreshRooms()),
      on("message", (m) => this.onLiveMessage(m)),
      on("message_updated", (m) => this.onMessageChange(m)),
      on("message_deleted", (m) => this.onMessageChange(m)),
      on("typing_start", (t) => {
        if (t.user_id === this.me?.id) return;
        this.typing.start(t.room_id, t.user_id, t.username);
        this.usernames.set(t.user_id, t.username);
        this.tickTyping();
        this.changed();
      }),
      on("typing_stop", (t) => {
        this.typing.stop(t.room_id, t.user_id);
        this.changed();
      }),
      on("presence", (p) => {
        this.presence.set(p.user_id, p);
        this.changed();
      }),
      on("member_joined", (m) => this.membersChanged(m.room_id)),
      on("member_left", (m) => {
        if (m.user_id === this.me?.id) this.forgetRoom(m.room_id);
        else this.membersChanged(m.room_id);
      }),
      on("resync_required", (r) => void this.catchUp(r.room_id, r.from_seq, r.last_seq)),
      on("gap", (g) => void this.catchUp(g.room_id, g.after_seq, g.before_seq - 1)),
      on("closed", (c) => {
        if (this.session !== session) return;
        if (c.cause === "unauthenticated") this.signedOut("Your session ended. Please sign in again.");
        else if (c.cause !== "client") {
          this.closedReason = c.reason || `connection closed (${c.code})`;
          this.changed();
        }
      }),
    ];
    this.cleanups.push(() => offs.forEach((off) => off()));

    this.outbox = new Outbox(this.storage, `chatterstack.outbox.${me.id}`, session, {
      saved: (_entry, message) => this.onLiveMessage(message),
      failed: (entry, reason) => {
        this.updateTimeline(entry.roomId, (t) => updatePending(t, entry.clientMsgId, { failed: reason }));
        this.changed();
      },
    });
    for (const entry of this.outbox.list()) this.updateTimeline(entry.roomId, (t) => addPending(t, entry));
    this.readMarker = new ReadMarker(
      (roomId, seq) =>
        this.session?.state === "open" ? this.session.markRead(roomId, seq) : this.api.markRead(roomId, seq),
      (roomId, seq) => {
        const entry = this.rooms.get(roomId);
        if (entry) this.rooms.set(roomId, onRead(entry, seq, me.id, this.timelines.get(roomId)?.messages));
        this.changed();
      },
    );

    session.connect().catch(() => {
      // `closed` says why
    });
    this.outbox.resume();
    void this.refreshRooms();
    void this.refreshContacts();
    this.pollTimer = setInterval(() => void this.refreshRooms(), kRoomsPollMs);
  }

  private stopSession(): void {
    clearInterval(this.pollTimer);
    clearTimeout(this.roomsRefreshTimer);
    this.roomsRefreshTimer = undefined;
    clearInterval(this.typingTimer);
    this.typingTimer = undefined;
    this.cleanups.splice(0).forEach((cleanup) => cleanup());
    for (const notifier of this.notifiers.values()) notifier.stop();
    this.notifiers.clear();
    this.readMarker?.dispose();
    this.readMarker = null;
    this.outbox?.detach();
    this.outbox = null;
    const session = this.session;
    this.session = null;
    session?.close();
  }

  // After a policy close: the user asked to connect again.
  reconnect(): void {
    if (!this.me) return;
    this.stopSession();
    this.startSession();
    this.changed();
  }

  get pendingCount(): number {
    return this.outbox?.list().length ?? 0;
  }

  // ---- rooms ----

  refreshRooms(): Promise<void> {
    if (this.roomsRefresh) return this.roomsRefresh;
    const epoch = this.roomsEpoch;
    this.roomsRefresh = this.api
      .listRooms()
      .then(({ rooms }) => {
        // The user created, joined or left a room meanwhile: this answer may predate it.
        if (epoch !== this.roomsEpoch) return void this.scheduleRoomsRefresh();
        this.rooms = mergeRoomList(this.rooms, rooms);
        this.roomsLoaded = true;
        for (const room of rooms) this.follow(room);
        for (const roomId of [...this.subscribed]) if (!this.rooms.has(roomId)) this.forgetRoom(roomId);
        this.changed();
      })
      .catch((error) => this.showError(error, false))
      .finally(() => {
        this.roomsRefresh = null;
      });
    return this.roomsRefresh;
  }

  // Coalesces the reads a burst of events asks for (members joining, messages of new rooms).
  private scheduleRoomsRefresh(): void {
    if (this.roomsRefreshTimer) return;
    this.roomsRefreshTimer = setTimeout(() => {
      this.roomsRefreshTimer = undefined;
      void this.refreshRooms();
    }, 1000);
  }

  private membersChanged(roomId: string): void {
    this.membersLoaded.delete(roomId);
    this.members.delete(roomId);
    if (roomId === this.activeRoomId) void this.loadMembers(roomId);
    this.scheduleRoomsRefresh();
  }

  // How many of the room's members are online (as presence events tell), the user included.
  onlineCount(roomId: string): number | undefined {
    const ids = this.members.get(roomId);
    if (!ids) return undefined;
    return ids.filter((id) => id === this.me?.id || this.presence.get(id)?.status === "online").length;
  }

  // Subscribes to a room the user belongs to (from its last seq: history comes over REST).
  private follow(room: Room): void {
    if (room.kind === "direct") void this.loadMembers(room.id);
    if (this.subscribed.has(room.id) || !this.session) return;
    this.subscribed.add(room.id);
    const since = this.rooms.get(room.id)?.lastSeq ?? room.last_seq;
    this.session.subscribe(room.id, { sinceSeq: since }).catch(() => this.subscribed.delete(room.id));
  }

  private addRoom(room: Room): void {
    this.roomsEpoch += 1;
    if (!this.rooms.has(room.id)) this.rooms.set(room.id, { ...entryFromRoom(room), unread: 0, mentions: 0 });
    this.follow(room);
    this.changed();
  }

  private forgetRoom(roomId: string): void {
    this.roomsEpoch += 1;
    this.rooms.delete(roomId);
    this.timelines.delete(roomId);
    if (this.subscribed.delete(roomId)) this.session?.unsubscribe(roomId).catch(() => {});
    this.changed();
  }

  async createRoom(name: string, visibility: "public" | "private"): Promise<string> {
    const room = await this.api.createRoom({ name, visibility });
    this.addRoom(room);
    return room.id;
  }

  async joinRoom(roomId: string): Promise<string> {
    const room = await this.api.joinRoom(roomId);
    this.addRoom(room);
    return room.id;
  }

  async leaveRoom(roomId: string): Promise<void> {
    await this.api.leaveRoom(roomId);
    this.forgetRoom(roomId);
  }

  // Opens (or creates) the one-to-one room with `username`; returns its id.
  async openDirect(username: string): Promise<string> {
    const user = await this.api.lookupUser({ username: username.trim().replace(/^@/, "").toLowerCase() });
    if (user.id === this.me?.id) throw new Error("That is you: pick another username.");
    if (user.username) this.usernames.set(user.id, user.username);
    const room = await this.api.openDirectRoom(user.id);
    this.directPeers.set(room.id, user.id);
    this.membersLoaded.add(room.id);
    this.addRoom(room);
    return room.id;
  }

  roomTitle(roomId: string): string {
    const entry = this.rooms.get(roomId);
    if (!entry) return "Room";
    if (entry.room.kind !== "direct") return entry.room.name;
    const peer = this.directPeers.get(roomId);
    return peer ? `@${this.usernames.get(peer) ?? "…"}` : "Direct message";
  }

  peerOf(roomId: string): string | undefined {
    return this.directPeers.get(roomId);
  }

  async loadMembers(roomId: string): Promise<void> {
    if (this.membersLoaded.has(roomId)) return;
    this.membersLoaded.add(roomId);
    try {
      const { members } = await this.api.listMembers(roomId);
      this.members.set(roomId, members.map((m) => m.user_id));
      for (const m of members) {
        this.usernames.set(m.user_id, m.username);
        if (this.rooms.get(roomId)?.room.kind === "direct" && m.user_id !== this.me?.id)
          this.directPeers.set(roomId, m.user_id);
      }
      this.changed();
    } catch {
      this.membersLoaded.delete(roomId);
    }
  }

  username(userId: string): string {
    const name = this.usernames.get(userId);
    if (name !== undefined) return name;
    if (!this.userLookups.has(userId) && this.me) {
      this.userLookups.add(userId);
      this.api.getUser(userId).then(
        (user) => {
          this.usernames.set(userId, user.username ?? "deleted user");
          this.changed();
        },
        () => {},
      );
    }
    return "…";
  }

  // ---- the open room ----

  openRoom(roomId: string | null): void {
    if (this.activeRoomId === roomId) return;
    if (this.activeRoomId) this.notifiers.get(this.activeRoomId)?.stop();
    this.activeRoomId = roomId;
    this.viewingLatest = true;
    if (roomId) {
      void this.loadMembers(roomId);
      if (!this.timelines.get(roomId)?.loaded) void this.loadLatest(roomId);
    }
    this.changed();
  }

  timeline(roomId: string): Timeline {
    return this.timelines.get(roomId) ?? emptyTimeline();
  }

  private updateTimeline(roomId: string, change: (t: Timeline) => Timeline): void {
    this.timelines.set(roomId, change(this.timeline(roomId)));
  }

  private async loadLatest(roomId: string): Promise<void> {
    if (this.loadingOlder.has(roomId)) return;
    this.loadingOlder.add(roomId);
    this.changed();
    try {
      const page = await this.api.listMessages(roomId, { limit: kPageSize });
      this.updateTimeline(roomId, (t) => addPage(t, page));
      for (const hole of holes(this.timeline(roomId))) void this.catchUp(roomId, hole.after, hole.before - 1);
    } catch (error) {
      this.showError(error);
    } finally {
      this.loadingOlder.delete(roomId);
      this.changed();
    }
  }

  // Infinite scroll: the next older page. Resolves false when there is nothing older.
  async loadOlder(roomId: string): Promise<boolean> {
    const timeline = this.timeline(roomId);
    if (!timeline.loaded) return true;
    if (timeline.nextBefore === null) return false;
    if (this.loadingOlder.has(roomId)) return true;
    this.loadingOlder.add(roomId);
    this.changed();
    try {
      const page = await this.api.listMessages(roomId, { limit: kPageSize, before: timeline.nextBefore });
      this.updateTimeline(roomId, (t) => addPage(t, page));
      return page.next_before !== null;
    } catch (error) {
      this.showError(error);
      return true;
    } finally {
      this.loadingOlder.delete(roomId);
      this.changed();
    }
  }

  // Reads (fromSeq, toSeq] over REST (after resync_required, a gap, or a hole in a timeline).
  private async catchUp(roomId: string, fromSeq: number, toSeq: number): Promise<void> {
    try {
      await readRange(
        (after) => this.api.listMessages(roomId, { after, limit: 100 }),
        fromSeq,
        toSeq,
        (message) => this.onLiveMessage(message),
      );
    } catch (error) {
      this.showError(error, false);
    }
  }

  private onLiveMessage(message: Message): void {
    const roomId = message.room_id;
    const me = this.me?.id ?? "";
    const viewing = this.isViewing(roomId);
    // Rooms never shown keep no timeline: their history is read when they are opened.
    if (this.timelines.has(roomId)) this.updateTimeline(roomId, (t) => addMessages(t, [message]));
    const entry = this.rooms.get(roomId);
    if (entry) this.rooms.set(roomId, onMessage(entry, message, me, viewing));
    else this.scheduleRoomsRefresh();
    this.typing.stop(roomId, message.sender_id);
    if (viewing) this.readMarker?.seen(roomId, message.seq);
    if (message.sender_id !== me && !message.deleted) {
      this.announcement =
        roomId === this.activeRoomId
          ? `${this.username(message.sender_id)}: ${message.content}`
          : `New message in ${this.roomTitle(roomId)}`;
    }
    this.changed();
  }

  private onMessageChange(message: Message): void {
    this.updateTimeline(message.room_id, (t) => applyChange(t, message));
    const entry = this.rooms.get(message.room_id);
    if (entry) this.rooms.set(message.room_id, onChange(entry, message));
    this.changed();
  }

  private isViewing(roomId: string): boolean {
    return (
      this.activeRoomId === roomId &&
      this.viewingLatest &&
      (typeof document === "undefined" || document.visibilityState === "visible")
    );
  }

  // The message list says what the user sees: up to `seq`, and whether that is the newest.
  seen(roomId: string, seq: number, atBottom: boolean): void {
    if (roomId === this.activeRoomId && this.viewingLatest !== atBottom) {
      this.viewingLatest = atBottom;
    }
    if (typeof document !== "undefined" && document.visibilityState !== "visible") return;
    const entry = this.rooms.get(roomId);
    if (!entry || seq <= 0) return;
    if (seq > entry.readSeq && (entry.unread > 0 || seq > (this.readMarker?.markedSeq(roomId) ?? 0)))
      this.readMarker?.seen(roomId, seq);
  }

  send(roomId: string, content: string): void {
    const text = content.trim();
    if (!text || !this.outbox) return;
    this.notifiers.get(roomId)?.sent();
    const entry = this.outbox.send(roomId, text);
    this.updateTimeline(roomId, (t) => addPending(t, entry));
    this.viewingLatest = true;
    this.changed();
  }

  retrySend(roomId: string, clientMsgId: string): void {
    this.outbox?.retry(clientMsgId);
    this.updateTimeline(roomId, (t) => updatePending(t, clientMsgId, { failed: undefined }));
    this.changed();
  }

  discardSend(roomId: string, clientMsgId: string): void {
    this.outbox?.discard(clientMsgId);
    this.updateTimeline(roomId, (t) => updatePending(t, clientMsgId, null));
    this.changed();
  }

  async editMessage(roomId: string, messageId: string, content: string): Promise<void> {
    const message = await this.api.editMessage(roomId, messageId, content.trim());
    this.onMessageChange(message);
  }

  async deleteMessage(roomId: string, message: Message): Promise<void> {
    await this.api.deleteMessage(roomId, message.id);
    this.onMessageChange({ ...message, content: "", deleted: true, updated_at: new Date().toISOString() });
  }

  composerInput(roomId: string, empty: boolean): void {
    let notifier = this.notifiers.get(roomId);
    if (!notifier) {
      notifier = new TypingNotifier((typing) => {
        if (this.session?.state === "open") this.session.typing(roomId, typing).catch(() => {});
      });
      this.notifiers.set(roomId, notifier);
    }
    if (empty) notifier.stop();
    else notifier.input();
  }

  private tickTyping(): void {
    if (this.typingTimer) return;
    this.typingTimer = setInterval(() => {
      this.changed();
      if (!this.typing.active()) {
        clearInterval(this.typingTimer);
        this.typingTimer = undefined;
      }
    }, 1000);
  }

  lastSeq(roomId: string): number {
    return Math.max(this.rooms.get(roomId)?.lastSeq ?? 0, lastSeqOf(this.timeline(roomId)));
  }

  // ---- contacts ----

  async refreshContacts(): Promise<void> {
    try {
      this.contacts = (await this.api.listContacts()).contacts;
      for (const c of this.contacts) this.usernames.set(c.user_id, c.username);
      this.changed();
    } catch (error) {
      this.showError(error, false);
    }
  }

  async addContact(username: string): Promise<void> {
    const user = await this.api.lookupUser({ username: username.trim().replace(/^@/, "").toLowerCase() });
    await this.api.addContact({ user_id: user.id });
    await this.refreshContacts();
  }

  async setBlocked(userId: string, blocked: boolean): Promise<void> {
    if (blocked) await this.api.blockUser(userId);
    else await this.api.unblockUser(userId);
    await this.refreshContacts();
  }

  isBlocked(userId: string): boolean {
    return this.contacts.some((c) => c.user_id === userId && c.blocked);
  }

  private showError(error: unknown, show = true): void {
    if (show) this.setNotice({ kind: "error", text: errorText(error) });
  }

  async reportUser(userId: string, reason: string): Promise<void> {
    await this.api.reportUser(userId, { reason });
  }

  // ---- the browser ----

  private watchBrowser(): void {
    if (typeof window === "undefined") return;
    window.addEventListener("online", () => {
      this.online = true;
      this.session?.reconnect();
      this.changed();
    });
    window.addEventListener("offline", () => {
      this.online = false;
      this.changed();
    });
    window.addEventListener("focus", () => {
      if (this.me) void this.refreshRooms();
    });
    document.addEventListener("visibilitychange", () => this.changed());
    // Another tab signed out (or in as someone else): follow it.
    window.addEventListener("storage", (event) => {
      if (event.key !== kTokensKey) return;
      const tokens = loadTokens(this.storage);
      if (!tokens && this.me) this.signedOut("You signed out in another tab.");
      else if (tokens && tokens.userId !== this.me?.id) location.reload();
    });
  }
}

// A readable message for an error from the API or the session.
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0 && error.code === "unavailable") return "The server cannot be reached. Try again.";
    const field = error.field ? ` (${error.field})` : "";
    return `${error.message}${field}`;
  }
  return (error as Error)?.message ?? String(error);
}
