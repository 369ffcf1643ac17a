// Contacts: add by username, message, block or unblock, report.
import { useState } from "preact/hooks";
import { errorText, type ChatStore } from "../store.ts";
import { go } from "./hooks.ts";
import { PresenceDot } from "./Presence.tsx";

export function ContactsView({ store }: { store: ChatStore }) {
  const [username, setUsername] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [reporting, setReporting] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const run = async (action: () => Promise<void>, done?: string) => {
    setBusy(true);
    setError("");
    try {
      await action();
      if (done) store.setNotice({ kind: "info", text: done });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="contacts-title">
      <header class="panel-header">
        <a href="#/" class="back" aria-label="Back to rooms">
          ‹
        </a>
        <h1 id="contacts-title">Contacts</h1>
      </header>
      <form
        class="row-form"
        data-testid="add-contact-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await store.addContact(username);
            setUsername("");
          });
        }}
      >
        <label>
          Add by username
          <input value={username} required onInput={(e) => setUsername(e.currentTarget.value)} data-testid="add-contact-username" />
        </label>
        <button type="submit" disabled={busy || !username.trim()} data-testid="add-contact-submit">
          Add
        </button>
      </form>
      {error && <p class="form-error" role="alert">{error}</p>}
      {store.contacts.length === 0 && <p class="muted">No contacts yet.</p>}
      <ul class="contact-list">
        {store.contacts.map((c) => (
          <li key={c.user_id} class="contact" data-testid="contact" data-username={c.username}>
            <span class="contact-name">
              <PresenceDot store={store} userId={c.user_id} /> @{c.username}
              {c.blocked && <span class="tag">blocked</span>}
            </span>
            <span class="contact-actions">
              <button type="button" class="secondary" disabled={busy || c.blocked} onClick={() => void run(async () => go(`/room/${await store.openDirect(c.username)}`))}>
                Message
              </button>
              <button
                type="button"
                class="secondary"
                disabled={busy}
                data-testid="contact-block"
                aria-pressed={c.blocked}
                onClick={() => void run(() => store.setBlocked(c.user_id, !c.blocked))}
              >
                {c.blocked ? "Unblock" : "Block"}
              </button>
              <button type="button" class="secondary" onClick={() => setReporting(reporting === c.user_id ? null : c.user_id)} aria-expanded={reporting === c.user_id}>
                Report
              </button>
            </span>
            {reporting === c.user_id && (
              <form
                class="report-form"
                data-testid="report-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void run(async () => {
                    await store.reportUser(c.user_id, reason.trim());
                    setReporting(null);
                    setReason("");
                  }, "Report sent to the moderators.");
                }}
              >
                <label>
                  Why are you reporting @{c.username}?
                  <textarea value={reason} required maxLength={1000} rows={3} onInput={(e) => setReason(e.currentTarget.value)} />
                </label>
                <button type="submit" disabled={busy || !reason.trim()}>
                  Send report
                </button>
              </form>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
