// The offline queue of sends. Every message the user sends is kept here (in localStorage, per
// user) until the server has saved it, so neither a dropped connection nor a reload loses it:
// the SDK's session resends unanswered sends on reconnect, and after a reload the app hands the
// stored entries to it again under the same client_msg_id (the server never saves one twice).
import type { Message } from "@chatterstack/client";
import type { PendingMessage } from "./timeline.ts";

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

// What the queue needs from ChatterSession.
export interface SendTransport {
  send(roomId: string, content: string, options: { clientMsgId: string }): Promise<Message>;
  newClientMsgId(): string;
}

export interface OutboxEvents {
  // The server saved it (the entry has left the queue).
  saved(entry: PendingMessage, message: Message): void;
  // The server refused it for good; it stays, marked failed, for the user to retry or discard.
  failed(entry: PendingMessage, reason: string): void;
}

// Errors after which the entry should simply wait for the next session (the SDK gave up on the
// connection, e.g. the user signed out or the session closed): it is sent again on resume().
function isSessionEnd(error: unknown): boolean {
  return (error as { name?: string })?.name === "SessionError";
}

export class Outbox {
  private entries: PendingMessage[];
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly storage: StorageLike,
    private readonly key: string,
    private readonly transport: SendTransport,
    private readonly events: OutboxEvents,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.entries = load(storage, key);
  }

  // Everything not saved yet, oldest first.
  list(): PendingMessage[] {
    return this.entries.slice();
  }

  forRoom(roomId: string): PendingMessage[] {
    return this.entries.filter((e) => e.roomId === roomId);
  }

  // Queues a new message and hands it to the transport; returns the optimistic entry.
  send(roomId: string, content: string): PendingMessage {
    const entry: PendingMessage = {
      clientMsgId: this.transport.newClientMsgId(),
      roomId,
      content,
      createdAt: this.now().toISOString(),
    };
    this.entries.push(entry);
    this.save();
    this.dispatch(entry);
    return entry;
  }

  // Hands every waiting entry (not failed, not in flight) to the transport, oldest first; after
  // a reload or a new session.
  resume(): void {
    for (const entry of this.entries) if (!entry.failed) this.dispatch(entry);
  }

  retry(clientMsgId: string): void {
    const entry = this.entries.find((e) => e.clientMsgId === clientMsgId);
    if (!entry) return;
    delete entry.failed;
    this.save();
    this.dispatch(entry);
  }

  discard(clientMsgId: string): void {
    this.entries = this.entries.filter((e) => e.clientMsgId !== clientMsgId);
    this.save();
  }

  // Forgets the in-flight marks (the transport is gone, e.g. a new session replaces it).
  detach(): void {
    this.inFlight.clear();
  }

  private dispatch(entry: PendingMessage): void {
    if (this.inFlight.has(entry.clientMsgId)) return;
    this.inFlight.add(entry.clientMsgId);
    this.transport.send(entry.roomId, entry.content, { clientMsgId: entry.clientMsgId }).then(
      (message) => {
        this.inFlight.delete(entry.clientMsgId);
        this.entries = this.entries.filter((e) => e.clientMsgId !== entry.clientMsgId);
        this.save();
        this.events.saved(entry, message);
      },
      (error: unknown) => {
        this.inFlight.delete(entry.clientMsgId);
        if (isSessionEnd(error)) return; // kept; resume() sends it with the next session
        const stored = this.entries.find((e) => e.clientMsgId === entry.clientMsgId);
        if (!stored) return;
        stored.failed = (error as Error)?.message || "not sent";
        this.save();
        this.events.failed(stored, stored.failed);
      },
    );
  }

  private save(): void {
    try {
      if (this.entries.length) this.storage.setItem(this.key, JSON.stringify(this.entries));
      else this.storage.removeItem(this.key);
    } catch {
      // storage full or unavailable: the queue still works for this page's lifetime
    }
  }
}

function load(storage: StorageLike, key: string): PendingMessage[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(key) ?? "[]");
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (e): e is PendingMessage =>
        typeof e?.clientMsgId === "string" && typeof e?.roomId === "string" && typeof e?.content === "string",
    );
  } catch {
    return [];
  }
}
