// Typing indicators. TypingRoster: who is typing where, from typing_start/typing_stop events,
// each entry expiring by itself (a lost typing_stop must not leave "alice is typing" forever).
// TypingNotifier: the user's own typing_start/typing_stop, throttled: one start every few
// seconds while keys are pressed, a stop after a pause or when the message is sent.

export class TypingRoster {
  private readonly rooms = new Map<string, Map<string, { username: string; until: number }>>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = 6000,
  ) {}

  start(roomId: string, userId: string, username: string): void {
    let room = this.rooms.get(roomId);
    if (!room) this.rooms.set(roomId, (room = new Map()));
    room.set(userId, { username, until: this.now() + this.ttlMs });
  }

  // typing_stop, or a message of the user arrived (they stopped typing to send it).
  stop(roomId: string, userId: string): void {
    this.rooms.get(roomId)?.delete(userId);
  }

  // Usernames typing in the room now, in the order they started.
  names(roomId: string): string[] {
    const room = this.rooms.get(roomId);
    if (!room) return [];
    const now = this.now();
    const names: string[] = [];
    for (const [userId, entry] of room) {
      if (entry.until <= now) room.delete(userId);
      else names.push(entry.username);
    }
    return names;
  }

  // True while anybody is typing anywhere (the UI then re-checks expiry every second).
  active(): boolean {
    const now = this.now();
    for (const room of this.rooms.values()) for (const entry of room.values()) if (entry.until > now) return true;
    return false;
  }
}

export function typingLabel(names: readonly string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class TypingNotifier {
  private typingSince: number | null = null;
  private idleTimer: unknown;

  constructor(
    private readonly notify: (typing: boolean) => void,
    private readonly timers: Timers = realTimers,
    // Send typing_start again this often while typing goes on (others expire it after ~6 s).
    private readonly repeatMs = 3000,
    // Send typing_stop after this long without a key.
    private readonly idleMs = 3000,
  ) {}

  // A key was pressed in the composer.
  input(): void {
    const now = this.timers.now();
    if (this.typingSince === null || now - this.typingSince >= this.repeatMs) {
      this.typingSince = now;
      this.notify(true);
    }
    this.timers.clearTimeout(this.idleTimer);
    this.idleTimer = this.timers.setTimeout(() => this.stop(), this.idleMs);
  }

  // The message was sent: receivers clear the indicator when the message arrives, so no
  // typing_stop is spent on it (a client's frames are rate limited).
  sent(): void {
    this.timers.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.typingSince = null;
  }

  // The composer emptied or the room closed.
  stop(): void {
    this.timers.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.typingSince === null) return;
    this.typingSince = null;
    this.notify(false);
  }
}
