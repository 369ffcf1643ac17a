// Per-room ordering of received messages: delivers strictly increasing seqs, drops duplicates,
// and holds a message that arrives past a gap for a short while (the missing ones are usually
// right behind it); a gap that stays open is reported and delivery goes on after it.
import type { Message } from "./types.js";

export interface SequencerCallbacks {
  deliver(message: Message): void;
  gap(afterSeq: number, beforeSeq: number): void;
}

export class RoomSequencer {
  // The last seq handed to the application; undefined until the room is anchored (a subscribe
  // without since_seq learns it from the first message or the subscribe ack).
  private last: number | undefined;
  private readonly held = new Map<number, Message>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly callbacks: SequencerCallbacks,
    private readonly holdMs: number,
    lastSeq?: number,
  ) {
    this.last = lastSeq;
  }

  get lastSeq(): number | undefined {
    return this.last;
  }

  // Anchors an unanchored room at `seq` (the subscribe ack's last_seq), releasing what it can.
  anchor(seq: number): void {
    if (this.last !== undefined) return;
    this.last = seq;
    this.release();
  }

  // The server says live delivery goes on after `seq` (resync_required): what is at or before
  // it is the application's to read over REST.
  resetTo(seq: number): void {
    this.last = Math.max(this.last ?? 0, seq);
    this.release();
  }

  push(message: Message): void {
    if (this.last === undefined) this.last = message.seq - 1;
    if (message.seq <= this.last || this.held.has(message.seq)) return; // a duplicate
    this.held.set(message.seq, message);
    this.release();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.held.clear();
  }

  private release(): void {
    for (const seq of [...this.held.keys()]) if (seq <= this.last!) this.held.delete(seq);
    let next = this.held.get(this.last! + 1);
    while (next) {
      this.held.delete(next.seq);
      this.last = next.seq;
      this.callbacks.deliver(next);
      next = this.held.get(this.last + 1);
    }
    if (this.held.size === 0) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.skipGap(), this.holdMs);
    }
  }

  // The hold expired: report the gap and go on from the lowest held seq.
  private skipGap(): void {
    this.timer = undefined;
    if (this.held.size === 0) return;
    const lowest = Math.min(...this.held.keys());
    this.callbacks.gap(this.last!, lowest);
    this.last = lowest - 1;
    this.release();
  }
}
