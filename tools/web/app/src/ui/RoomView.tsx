// One room: its header (name, presence or members, actions), the message list, who is typing,
// and the composer.
import { useEffect, useRef, useState } from "preact/hooks";
import { inviteLink } from "../logic/routes.ts";
import { typingLabel } from "../logic/typing.ts";
import { errorText, type ChatStore } from "../store.ts";
import { go } from "./hooks.ts";
import { MessageList } from "./MessageList.tsx";
import { presenceText, PresenceDot } from "./Presence.tsx";

export function RoomView({ store, roomId }: { store: ChatStore; roomId: string }) {
  const entry = store.rooms.get(roomId);
  const heading = useRef<HTMLHeadingElement>(null);
  // Opening a room moves the keyboard focus to its title, so screen readers say where they are.
  useEffect(() => heading.current?.focus({ preventScroll: true }), [roomId, entry !== undefined]);
  if (!entry) {
    return (
      <section class="room-view" aria-label="Room">
        <p class="muted">{store.roomsLoaded ? "You are not a member of this room." : "Loading…"}</p>
        {store.roomsLoaded && (
          <a href={`#/join/${roomId}`} class="button">
            Preview and join
          </a>
        )}
      </section>
    );
  }
  const title = store.roomTitle(roomId);
  const peer = store.peerOf(roomId);
  const memberCount = store.members.get(roomId)?.length ?? entry.room.member_count;
  return (
    <section class="room-view" aria-labelledby="room-title">
      <header class="room-header">
        <a href="#/" class="back" aria-label="Back to rooms">
          ‹
        </a>
        <div class="room-heading">
          <h1 id="room-title" data-testid="room-title" tabIndex={-1} ref={heading}>
            {title}
          </h1>
          {peer ? (
            <p class="room-sub" data-testid="presence" data-user-id={peer} data-status={store.presence.get(peer)?.status ?? "offline"}>
              <PresenceDot store={store} userId={peer} /> {presenceText(store, peer)}
            </p>
          ) : (
            <p class="room-sub">
              {memberCount} member{memberCount === 1 ? "" : "s"}
              {store.onlineCount(roomId) !== undefined && (
                <span data-testid="online-count">
                  {" · "}
                  <span class="dot dot-online" aria-hidden="true" /> {store.onlineCount(roomId)} online
                </span>
              )}
              {" · "}
              {entry.room.visibility}
            </p>
          )}
        </div>
        <RoomActions store={store} roomId={roomId} peer={peer} />
      </header>
      <MessageList store={store} roomId={roomId} />
      <TypingIndicator store={store} roomId={roomId} />
      <Composer store={store} roomId={roomId} blocked={peer ? store.isBlocked(peer) : false} />
    </section>
  );
}

function TypingIndicator({ store, roomId }: { store: ChatStore; roomId: string }) {
  const label = typingLabel(store.typing.names(roomId));
  return (
    <div class="typing" data-testid="typing-indicator" aria-live="polite" data-active={label ? "true" : "false"}>
      {label}
    </div>
  );
}

function RoomActions({ store, roomId, peer }: { store: ChatStore; roomId: string; peer?: string }) {
  const [reporting, setReporting] = useState(false);
  const [busy, setBusy] = useState(false);
  const act = async (action: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    try {
      await action();
      if (done) store.setNotice({ kind: "info", text: done });
    } catch (error) {
      store.setNotice({ kind: "error", text: errorText(error) });
    } finally {
      setBusy(false);
    }
  };
  const entry = store.rooms.get(roomId)!;
  if (peer) {
    const blocked = store.isBlocked(peer);
    return (
      <div class="room-actions">
        <button
          type="button"
          class="secondary"
          disabled={busy}
          data-testid="block-user"
          aria-pressed={blocked}
          onClick={() => void act(() => store.setBlocked(peer, !blocked), blocked ? "Unblocked." : "Blocked: no direct messages either way.")}
        >
          {blocked ? "Unblock" : "Block"}
        </button>
        <button type="button" class="secondary" data-testid="report-user" onClick={() => setReporting(!reporting)} aria-expanded={reporting}>
          Report
        </button>
        {reporting && (
          <ReportForm
            onSubmit={(reason) =>
              act(async () => {
                await store.reportUser(peer, reason);
                setReporting(false);
              }, "Report sent to the moderators.")
            }
          />
        )}
      </div>
    );
  }
  const copyLink = () => {
    const link = inviteLink(location.origin, import.meta.env.BASE_URL, roomId);
    void act(() => navigator.clipboard.writeText(link), "Invite link copied.");
  };
  return (
    <div class="room-actions">
      {entry.room.visibility === "public" && (
        <button type="button" class="secondary" onClick={copyLink} data-testid="copy-invite">
          Invite link
        </button>
      )}
      <button
        type="button"
        class="secondary"
        disabled={busy}
        data-testid="leave-room"
        onClick={() => {
          if (confirm(`Leave ${entry.room.name}?`))
            void act(async () => {
              await store.leaveRoom(roomId);
              go("/");
            }, "You left the room.");
        }}
      >
        Leave
      </button>
    </div>
  );
}

function ReportForm({ onSubmit }: { onSubmit: (reason: string) => Promise<void> }) {
  const [reason, setReason] = useState("");
  return (
    <form
      class="report-form"
      data-testid="report-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (reason.trim()) void onSubmit(reason.trim());
      }}
    >
      <label>
        Why are you reporting this user?
        <textarea value={reason} onInput={(e) => setReason(e.currentTarget.value)} maxLength={1000} required rows={3} />
      </label>
      <button type="submit">Send report</button>
    </form>
  );
}

function Composer({ store, roomId, blocked }: { store: ChatStore; roomId: string; blocked: boolean }) {
  const [text, setText] = useState("");
  const submit = () => {
    if (!text.trim()) return;
    store.send(roomId, text);
    setText("");
  };
  return (
    <form
      class="composer"
      data-testid="composer"
      aria-label="Send a message"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label for="composer-input" class="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-input"
        data-testid="composer-input"
        rows={1}
        maxLength={4000}
        placeholder={blocked ? "You blocked this user" : "Write a message"}
        disabled={blocked}
        value={text}
        onInput={(e) => {
          const value = e.currentTarget.value;
          setText(value);
          store.composerInput(roomId, value.trim() === "");
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <button type="submit" data-testid="composer-send" disabled={blocked || !text.trim()}>
        Send
      </button>
    </form>
  );
}
