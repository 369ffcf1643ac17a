// The WebSocket protocol's frames (docs/WEBSOCKET.md) as types: what the server sends, what a
// client sends, and the events ChatterSession hands to the application.
import type { Message } from "./types.js";

export interface Frame {
  event: string;
  data?: Record<string, unknown>;
  ref?: string;
}

export interface ReadyData {
  user_id: string;
  session_id: string;
  subscribed: string[];
  refused: { room_id: string; code: string }[];
}
export interface TypingData {
  room_id: string;
  user_id: string;
  username: string;
}
export interface PresenceData {
  user_id: string;
  status: "online" | "offline";
  last_seen: string | null;
}
export interface ReceiptData {
  room_id: string;
  user_id: string;
  seq: number;
}
export interface ReactionData {
  room_id: string;
  message_id: string;
  emoji: string;
  user_id: string;
}
export interface MemberData {
  room_id: string;
  user_id: string;
}
export interface NotificationData {
  id: string;
  type: string;
  payload: Record<string, unknown>;
}
export interface ServerErrorData {
  code: string;
  message: string;
  retry_after_ms?: number;
}
export interface ResyncData {
  room_id: string;
  // Live delivery goes on after this seq; read (from_seq, last_seq] over REST.
  last_seq: number;
  // The last seq the application got before the resync (0 when none).
  from_seq: number;
}
export interface GapData {
  room_id: string;
  // Seqs in (after_seq, before_seq) never arrived; the application may read them over REST.
  after_seq: number;
  before_seq: number;
}
export interface AuthenticatedData {
  user_id: string;
  expires_at: string;
}
export interface DisconnectedData {
  code: number;
  reason: string;
  // When the session will try again (ms), or undefined when it will not.
  reconnectInMs?: number;
  attempt: number;
}
export interface ClosedData {
  code: number;
  reason: string;
  // Why the session gave up: the application closed it, the server said not to come back
  // (1008, 4000-4999), or the login ended (4401 and the refresh failed).
  cause: "client" | "policy" | "unauthenticated" | "protocol";
}

export type SessionState = "idle" | "connecting" | "open" | "reconnecting" | "closed";

// Everything ChatterSession emits. `message` is the ordered, de-duplicated per-room stream.
export interface SessionEvents {
  state: SessionState;
  ready: ReadyData;
  message: Message;
  message_updated: Message;
  message_deleted: Message;
  typing_start: TypingData;
  typing_stop: TypingData;
  presence: PresenceData;
  read_receipt: ReceiptData;
  delivery_receipt: ReceiptData;
  reaction_added: ReactionData;
  reaction_removed: ReactionData;
  member_joined: MemberData;
  member_left: MemberData;
  notification: NotificationData;
  resync_required: ResyncData;
  gap: GapData;
  authenticated: AuthenticatedData;
  server_error: ServerErrorData;
  disconnected: DisconnectedData;
  closed: ClosedData;
  // Every frame as it arrived (including events this SDK does not know yet).
  frame: Frame;
}
