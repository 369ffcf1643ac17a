// Reads a room's messages in (fromSeq, toSeq] over REST, page by page (oldest first with
// `after`): after resync_required, a gap the SDK reports, or a hole in a timeline.
import type { Message } from "@chatterstack/client";

export type PageReader = (after: number) => Promise<{ messages: Message[]; next_after: number | null }>;

export async function readRange(
  read: PageReader,
  fromSeq: number,
  toSeq: number,
  deliver: (message: Message) => void,
): Promise<void> {
  let after = fromSeq;
  while (after < toSeq) {
    const page = await read(after);
    for (const message of page.messages) if (message.seq > after && message.seq <= toSeq) deliver(message);
    const next = page.next_after ?? page.messages.at(-1)?.seq;
    // Stop when caught up, or when the server does not move forward (never loop on one page).
    if (page.next_after === null || next === undefined || next <= after) break;
    after = next;
  }
}
