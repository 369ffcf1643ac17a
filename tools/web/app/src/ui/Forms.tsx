// Starting conversations: a new room, a direct message by username, and joining a public room
// by its id or invite link (the API has no public room directory: rooms are discovered by link).
import type { Room } from "@chatterstack/client";
import { useEffect, useState } from "preact/hooks";
import { roomIdFromInput } from "../logic/routes.ts";
import { errorText, type ChatStore } from "../store.ts";
import { go } from "./hooks.ts";

function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError("");
    try {
      await action();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function Back() {
  return (
    <a href="#/" class="back" aria-label="Back to rooms">
      ‹
    </a>
  );
}

export function NewRoomForm({ store }: { store: ChatStore }) {
  const { busy, error, run } = useAction();
  const [name, setName] = useState("");
  const [visibility, setVisibility] = useState<"public" | "private">("public");
  return (
    <section class="panel" aria-labelledby="new-room-title">
      <header class="panel-header">
        <Back />
        <h1 id="new-room-title">New room</h1>
      </header>
      <form
        class="stack"
        data-testid="new-room-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => go(`/room/${await store.createRoom(name.trim(), visibility)}`));
        }}
      >
        <label>
          Name
          <input
            name="name"
            required
            maxLength={100}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            data-testid="new-room-name"
          />
        </label>
        <fieldset>
          <legend>Who can join</legend>
          <label class="inline">
            <input
              type="radio"
              name="visibility"
              value="public"
              checked={visibility === "public"}
              onChange={() => setVisibility("public")}
              data-testid="new-room-public"
            />
            Public: anyone with the link
          </label>
          <label class="inline">
            <input
              type="radio"
              name="visibility"
              value="private"
              checked={visibility === "private"}
              onChange={() => setVisibility("private")}
              data-testid="new-room-private"
            />
            Private: members only
          </label>
        </fieldset>
        {error && <p class="form-error" role="alert">{error}</p>}
        <button type="submit" disabled={busy || !name.trim()} data-testid="new-room-submit">
          Create room
        </button>
      </form>
    </section>
  );
}

export function DirectForm({ store }: { store: ChatStore }) {
  const { busy, error, run } = useAction();
  const [username, setUsername] = useState("");
  return (
    <section class="panel" aria-labelledby="dm-title">
      <header class="panel-header">
        <Back />
        <h1 id="dm-title">Message someone</h1>
      </header>
      <form
        class="stack"
        data-testid="dm-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => go(`/room/${await store.openDirect(username)}`));
        }}
      >
        <label>
          Username
          <input
            name="username"
            required
            autocomplete="off"
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
            data-testid="dm-username"
          />
        </label>
        {error && <p class="form-error" role="alert" data-testid="dm-error">{error}</p>}
        <button type="submit" disabled={busy || !username.trim()} data-testid="dm-submit">
          Open conversation
        </button>
      </form>
    </section>
  );
}

export function DiscoverView({ store, roomId }: { store: ChatStore; roomId?: string }) {
  const { busy, error, run } = useAction();
  const [input, setInput] = useState(roomId ?? "");
  const [room, setRoom] = useState<Room | null>(null);
  const preview = (id: string) =>
    run(async () => {
      setRoom(null);
      setRoom(await store.api.getRoom(id));
    });
  useEffect(() => {
    if (roomId) void preview(roomId);
  }, [roomId]);
  const member = room ? store.rooms.has(room.id) : false;
  return (
    <section class="panel" aria-labelledby="discover-title">
      <header class="panel-header">
        <Back />
        <h1 id="discover-title">Join a room</h1>
      </header>
      <p class="muted">Paste an invite link or a room id. Public rooms can be previewed and joined.</p>
      <form
        class="stack"
        data-testid="discover-form"
        onSubmit={(e) => {
          e.preventDefault();
          void preview(roomIdFromInput(input));
        }}
      >
        <label>
          Invite link or room id
          <input value={input} required onInput={(e) => setInput(e.currentTarget.value)} data-testid="discover-input" />
        </label>
        <button type="submit" class="secondary" disabled={busy || !input.trim()} data-testid="discover-submit">
          Find room
        </button>
      </form>
      {error && <p class="form-error" role="alert" data-testid="discover-error">{error}</p>}
      {room && (
        <div class="room-card" data-testid="room-preview">
          <h2>{room.kind === "direct" ? "Direct conversation" : `# ${room.name}`}</h2>
          <p class="muted">
            {room.member_count} member{room.member_count === 1 ? "" : "s"} · {room.visibility} · {room.last_seq} message
            {room.last_seq === 1 ? "" : "s"}
          </p>
          {member ? (
            <a class="button" href={`#/room/${room.id}`}>
              Open
            </a>
          ) : (
            <button
              type="button"
              disabled={busy || room.visibility !== "public"}
              data-testid="join-room"
              onClick={() => void run(async () => go(`/room/${await store.joinRoom(room.id)}`))}
            >
              Join room
            </button>
          )}
        </div>
      )}
    </section>
  );
}
