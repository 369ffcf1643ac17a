// Read markers: the message list reports the newest seq the user has seen in a room; this sends
// mark_read for it, at most once per `delayMs` per room, only ever forward, and again after a
// failure (the next report retries).
import { realTimers, type Timers } from "./typing.ts";

export class ReadMarker {
  // Newest seq confirmed or in flight, per room.
  private readonly sent = new Map<string, number>();
  // Newest seq seen but not sent yet.
  private readonly wanted = new Map<string, number>();
  private readonly timers = new Map<string, unknown>();

  constructor(
    private readonly send: (roomId: string, seq: number) => Promise<unknown>,
    private readonly onRead: (roomId: string, seq: number) => void = () => {},
    private readonly delayMs = 500,
    private readonly clock: Timers = realTimers,
  ) {}

  // The user saw the room up to `seq` (the app knows the marker already is at `known`).
  seen(roomId: string, seq: number): void {
    if (seq <= Math.max(this.sent.get(roomId) ?? 0, this.wanted.get(roomId) ?? 0)) return;
    this.wanted.set(roomId, seq);
    if (this.timers.has(roomId)) return;
    this.timers.set(
      roomId,
      this.clock.setTimeout(() => this.flush(roomId), this.delayMs),
    );
  }

  // What this client has marked read in the room (0 when nothing yet).
  markedSeq(roomId: string): number {
    return this.sent.get(roomId) ?? 0;
  }

  dispose(): void {
    for (const handle of this.timers.values()) this.clock.clearTimeout(handle);
    this.timers.clear();
    this.wanted.clear();
  }

  private flush(roomId: string): void {
    this.timers.delete(roomId);
    const seq = this.wanted.get(roomId);
    this.wanted.delete(roomId);
    if (seq === undefined || seq <= (this.sent.get(roomId) ?? 0)) return;
    const previous = this.sent.get(roomId) ?? 0;
    this.sent.set(roomId, seq);
    this.onRead(roomId, seq);
    this.send(roomId, seq).catch(() => {
      // Not marked: let the next report (or a later one of the same seq) try again.
      if (this.sent.get(roomId) === seq) this.sent.set(roomId, previous);
    });
  }
}
