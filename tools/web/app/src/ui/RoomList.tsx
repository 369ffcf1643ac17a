// The user's rooms, most recent activity first: name, last message, unread count, and for
// direct rooms the other person's presence.
import { sortedRooms } from "../logic/rooms.ts";
import { shortTime } from "../logic/time.ts";
import type { ChatStore } from "../store.ts";
import { PresenceDot } from "./Presence.tsx";

export function RoomList({ store, activeId }: { store: ChatStore; activeId: string | null }) {
  const entries = sortedRooms(store.rooms.values());
  return (
    <nav class="room-list" aria-label="Your rooms">
      <h2 class="list-title">Rooms</h2>
      {!store.roomsLoaded && <p class="muted">Loading…</p>}
      {store.roomsLoaded && entries.length === 0 && <p class="muted">No rooms yet.</p>}
      <ul>
        {entries.map((entry) => {
          const id = entry.room.id;
          const last = entry.lastMessage;
          const preview = last ? (last.deleted ? "Message deleted" : last.content) : "No messages yet";
          const sender = last && last.sender_id === store.me?.id ? "You: " : "";
          const peer = store.peerOf(id);
          const title = store.roomTitle(id);
          return (
            <li key={id}>
              <a
                href={`#/room/${id}`}
                class={`room-entry ${id === activeId ? "active" : ""} ${entry.unread ? "has-unread" : ""}`}
                aria-current={id === activeId ? "page" : undefined}
                data-testid="room-entry"
                data-room-id={id}
                data-room-name={title}
              >
                <span class="room-name">
                  {peer && <PresenceDot store={store} userId={peer} />}
                  {entry.room.kind === "group" && <span aria-hidden="true">#</span>}
                  {title}
                  {entry.room.visibility === "private" && entry.room.kind === "group" && <span class="tag">private</span>}
                </span>
                <span class="room-time">{last ? shortTime(last.created_at) : ""}</span>
                <span class="room-preview" data-testid="room-last-message">
                  {sender}
                  {preview}
                </span>
                {entry.unread > 0 && (
                  <span
                    class={`badge ${entry.mentions ? "mention" : ""}`}
                    data-testid="unread-count"
                    aria-label={`${entry.unread} unread${entry.mentions ? `, ${entry.mentions} mentioning you` : ""}`}
                  >
                    {entry.unread > 99 ? "99+" : entry.unread}
                  </span>
                )}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
