// Presence: a dot in lists and a line of text in a direct room's header.
import { shortTime } from "../logic/time.ts";
import type { ChatStore } from "../store.ts";

export function PresenceDot({ store, userId }: { store: ChatStore; userId: string }) {
  const status = store.presence.get(userId)?.status ?? "unknown";
  return <span class={`dot dot-${status}`} role="img" aria-label={status === "online" ? "online" : "offline"} />;
}

export function presenceText(store: ChatStore, userId: string): string {
  const p = store.presence.get(userId);
  if (!p) return "offline";
  if (p.status === "online") return "online";
  return p.last_seen ? `offline · last seen ${shortTime(p.last_seen)}` : "offline";
}
