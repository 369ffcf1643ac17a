// Test data: messages and rooms shaped as the API sends them.
import type { Message, Room } from "@chatterstack/client";

export function message(seq: number, over: Partial<Message> = {}): Message {
  const at = new Date(Date.UTC(2026, 10, 22, 10, 0, seq)).toISOString();
  return {
    id: `m${seq}`,
    room_id: "r1",
    seq,
    sender_id: "alice",
    content: `message ${seq}`,
    attachments: [],
    client_msg_id: "",
    status: "sent",
    created_at: at,
    updated_at: at,
    edited: false,
    deleted: false,
    reply_to: null,
    reply_count: 0,
    reactions: [],
    mentions: [],
    sender_kind: "user",
    ...over,
  };
}

export function room(id: string, over: Partial<Room> = {}): Room {
  return {
    id,
    name: id,
    kind: "group",
    visibility: "public",
    created_by: "alice",
    created_at: "2026-11-22T09:00:00.000Z",
    member_count: 2,
    last_seq: 0,
    unread_count: 0,
    last_message: null,
    unread_mentions: 0,
    ...over,
  };
}

export class MemoryStorage {
  readonly data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}

// A promise with its resolve/reject exposed.
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
