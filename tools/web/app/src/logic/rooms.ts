// The room list's bookkeeping: unread counts, @mentions, the last message and the order by
// latest activity, kept current from live messages and read markers between reads of
// GET /v1/rooms. Pure functions over plain objects.
import type { Message, Room } from "@chatterstack/client";

export interface RoomEntry {
  room: Room;
  // Messages of others above the read marker, as far as this client knows.
  unread: number;
  mentions: number;
  lastMessage: Message | null;
  // The newest seq seen in this room.
  lastSeq: number;
  // The newest seq the user read (0: unknown, then unread comes from the server).
  readSeq: number;
  // When something last happened (for the order of the list).
  activity: string;
}

export function entryFromRoom(room: Room): RoomEntry {
  return {
    room,
    unread: room.unread_count ?? 0,
    mentions: room.unread_mentions ?? 0,
    lastMessage: room.last_message ?? null,
    lastSeq: room.last_seq,
    readSeq: 0,
    activity: room.last_message?.created_at ?? room.created_at,
  };
}

// A fresh GET /v1/rooms: the server's counts win unless this client has seen newer messages
// (a live message that arrived after the server answered) or read further since.
export function mergeRoomList(current: ReadonlyMap<string, RoomEntry>, rooms: readonly Room[]): Map<string, RoomEntry> {
  const next = new Map<string, RoomEntry>();
  for (const room of rooms) {
    const fresh = entryFromRoom(room);
    const known = current.get(room.id);
    if (known && known.lastSeq > fresh.lastSeq) {
      next.set(room.id, { ...known, room: { ...room, last_seq: known.lastSeq } });
    } else if (known && known.readSeq >= fresh.lastSeq && fresh.lastSeq > 0) {
      next.set(room.id, { ...fresh, unread: 0, mentions: 0, readSeq: known.readSeq });
    } else {
      next.set(room.id, { ...fresh, readSeq: known?.readSeq ?? 0 });
    }
  }
  return next;
}

// A message of the room arrived (live, replayed, or sent by this user). `viewing`: the user has
// the room open and sees the newest messages, so it does not count as unread.
export function onMessage(entry: RoomEntry, message: Message, me: string, viewing: boolean): RoomEntry {
  if (message.seq <= entry.lastSeq) {
    // Already counted; it may be a newer version of the last message.
    if (entry.lastMessage?.id === message.id) return { ...entry, lastMessage: message };
    return entry;
  }
  const fromOther = message.sender_id !== me;
  const counts = fromOther && !viewing && message.seq > entry.readSeq && !message.deleted;
  return {
    ...entry,
    lastSeq: message.seq,
    lastMessage: message,
    activity: message.created_at,
    unread: counts ? entry.unread + 1 : entry.unread,
    mentions: counts && message.mentions?.includes(me) ? entry.mentions + 1 : entry.mentions,
    room: { ...entry.room, last_seq: message.seq },
  };
}

// message_updated / message_deleted: the preview follows the last message.
export function onChange(entry: RoomEntry, message: Message): RoomEntry {
  return entry.lastMessage?.id === message.id ? { ...entry, lastMessage: message } : entry;
}

// The user read up to `seq`. `known`: the room's messages this client holds, to count what is
// left above the marker exactly; without them only a read up to the newest seq clears the count.
export function onRead(entry: RoomEntry, seq: number, me: string, known?: readonly Message[]): RoomEntry {
  if (seq <= entry.readSeq) return entry;
  if (seq >= entry.lastSeq) return { ...entry, readSeq: seq, unread: 0, mentions: 0 };
  if (known && known.length && known[0].seq <= seq + 1) {
    const above = known.filter((m) => m.seq > seq && m.sender_id !== me && !m.deleted);
    return {
      ...entry,
      readSeq: seq,
      unread: above.length,
      mentions: above.filter((m) => m.mentions?.includes(me)).length,
    };
  }
  return { ...entry, readSeq: seq };
}

// Most recent activity first; ties by name so the order is stable.
export function sortedRooms(entries: Iterable<RoomEntry>): RoomEntry[] {
  return [...entries].sort(
    (a, b) => (a.activity < b.activity ? 1 : a.activity > b.activity ? -1 : a.room.name.localeCompare(b.room.name)),
  );
}

export function totalUnread(entries: Iterable<RoomEntry>): number {
  let total = 0;
  for (const entry of entries) total += entry.unread;
  return total;
}
