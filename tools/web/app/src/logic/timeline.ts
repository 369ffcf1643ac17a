// One room's messages as the app shows them: history pages and live messages merged by seq
// (each seq once, the newest version of a message wins), followed by the user's optimistic
// sends that the server has not confirmed yet. Pure functions: each returns a new Timeline.
import type { Message } from "@chatterstack/client";

// A send the user made that has no saved message yet (it may be offline, in flight or failed).
export interface PendingMessage {
  clientMsgId: string;
  roomId: string;
  content: string;
  createdAt: string;
  // Why the server refused it (then it waits for the user: retry or discard).
  failed?: string;
}

export interface Timeline {
  // Oldest first, unique and strictly increasing by seq.
  messages: Message[];
  // Optimistic entries, in the order they were sent; never one whose message is in `messages`.
  pending: PendingMessage[];
  // The `before` cursor of the next older page; null when the room's start is reached.
  nextBefore: number | null;
  // The newest page has been read (until then the timeline holds live messages only).
  loaded: boolean;
}

export function emptyTimeline(): Timeline {
  return { messages: [], pending: [], nextBefore: null, loaded: false };
}

// Which of two versions of the message with the same seq to keep: a deletion is final, else the
// later update (an edit that arrived before an older copy from a history page must survive).
function newer(current: Message, incoming: Message): Message {
  if (current.deleted !== incoming.deleted) return current.deleted ? current : incoming;
  return incoming.updated_at >= current.updated_at ? incoming : current;
}

// Merges messages in any order (a page is newest first, a replay oldest first) into `list`.
export function mergeMessages(list: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return list as Message[];
  const bySeq = new Map<number, Message>();
  for (const message of list) bySeq.set(message.seq, message);
  for (const message of incoming) {
    const current = bySeq.get(message.seq);
    bySeq.set(message.seq, current ? newer(current, message) : message);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

// Removes the optimistic entries that the given messages confirm (same client_msg_id).
function confirm(pending: readonly PendingMessage[], messages: readonly Message[]): PendingMessage[] {
  const ids = new Set(messages.map((m) => m.client_msg_id).filter((id) => id !== ""));
  if (ids.size === 0) return pending as PendingMessage[];
  return pending.filter((p) => !ids.has(p.clientMsgId));
}

// A page of GET .../messages (newest first with `before`; the first page without).
export function addPage(
  timeline: Timeline,
  page: { messages: readonly Message[]; next_before: number | null },
): Timeline {
  return {
    messages: mergeMessages(timeline.messages, page.messages),
    pending: confirm(timeline.pending, page.messages),
    nextBefore: page.next_before,
    loaded: true,
  };
}

// Messages that arrived live, from a replay, or from a catch-up read (`after`).
export function addMessages(timeline: Timeline, messages: readonly Message[]): Timeline {
  return {
    ...timeline,
    messages: mergeMessages(timeline.messages, messages),
    pending: confirm(timeline.pending, messages),
  };
}

// message_updated / message_deleted: replaces the message if the timeline holds it. A change to
// a message outside the loaded range is left for the history read that brings it.
export function applyChange(timeline: Timeline, message: Message): Timeline {
  const index = timeline.messages.findIndex((m) => m.id === message.id);
  if (index < 0) return timeline;
  const messages = timeline.messages.slice();
  messages[index] = newer(messages[index], message);
  return { ...timeline, messages };
}

export function addPending(timeline: Timeline, entry: PendingMessage): Timeline {
  if (timeline.pending.some((p) => p.clientMsgId === entry.clientMsgId)) return timeline;
  if (timeline.messages.some((m) => m.client_msg_id === entry.clientMsgId)) return timeline;
  return { ...timeline, pending: [...timeline.pending, entry] };
}

export function updatePending(
  timeline: Timeline,
  clientMsgId: string,
  change: Partial<PendingMessage> | null,
): Timeline {
  const pending = change
    ? timeline.pending.map((p) => (p.clientMsgId === clientMsgId ? { ...p, ...change } : p))
    : timeline.pending.filter((p) => p.clientMsgId !== clientMsgId);
  return { ...timeline, pending };
}

// The newest seq the timeline holds (0 when none).
export function lastSeqOf(timeline: Timeline): number {
  return timeline.messages.length ? timeline.messages[timeline.messages.length - 1].seq : 0;
}

// Seqs the timeline misses between its oldest and newest message (a live message arrived before
// the read that fills the hole): [after, before) ranges to read with `after=`.
export function holes(timeline: Timeline): { after: number; before: number }[] {
  const result: { after: number; before: number }[] = [];
  const list = timeline.messages;
  for (let i = 1; i < list.length; i++) {
    if (list[i].seq !== list[i - 1].seq + 1) result.push({ after: list[i - 1].seq, before: list[i].seq });
  }
  return result;
}
