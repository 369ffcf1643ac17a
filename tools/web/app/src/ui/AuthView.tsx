// Sign up and log in. Errors from the API name the field, which is shown beside the form.
import { useState } from "preact/hooks";
import { errorText, type ChatStore } from "../store.ts";

export function AuthView({ store }: { store: ChatStore }) {
  const [mode, setMode] = useState<"login" | "signup">("login");
  return (
    <div class="auth-card">
      <h1>
        <img src={`${import.meta.env.BASE_URL}icons/icon.svg`} alt="" width={40} height={40} /> ChatterStack
      </h1>
      <div class="tabs" role="group" aria-label="Account">
        <button type="button" aria-pressed={mode === "login"} data-testid="show-login" onClick={() => setMode("login")}>
          Log in
        </button>
        <button type="button" aria-pressed={mode === "signup"} data-testid="show-signup" onClick={() => setMode("signup")}>
          Sign up
        </button>
      </div>
      {mode === "login" ? <LoginForm store={store} /> : <SignUpForm store={store} />}
    </div>
  );
}

function useSubmit(action: (form: FormData) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      await action(new FormData(event.currentTarget as HTMLFormElement));
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return { busy, error, onSubmit };
}

function LoginForm({ store }: { store: ChatStore }) {
  const { busy, error, onSubmit } = useSubmit((form) =>
    store.logIn(String(form.get("login")), String(form.get("password"))),
  );
  return (
    <form class="stack" data-testid="login-form" onSubmit={onSubmit} aria-label="Log in">
      <label>
        Username or email
        <input name="login" autocomplete="username" required data-testid="login-username" />
      </label>
      <label>
        Password
        <input name="password" type="password" autocomplete="current-password" required data-testid="login-password" />
      </label>
      {error && (
        <p class="form-error" role="alert" data-testid="login-error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy} data-testid="login-submit">
        {busy ? "Logging in…" : "Log in"}
      </button>
    </form>
  );
}

function SignUpForm({ store }: { store: ChatStore }) {
  const { busy, error, onSubmit } = useSubmit((form) =>
    store.signUp(String(form.get("username")), String(form.get("email")), String(form.get("password"))),
  );
  return (
    <form class="stack" data-testid="signup-form" onSubmit={onSubmit} aria-label="Sign up">
      <label>
        Username
        <input
          name="username"
          autocomplete="username"
          required
          minLength={3}
          maxLength={32}
          pattern="[A-Za-z0-9_.\-]{3,32}"
          title="3 to 32 letters, digits, _ . or -"
          data-testid="signup-username"
        />
      </label>
      <label>
        Email
        <input name="email" type="email" autocomplete="email" required data-testid="signup-email" />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          maxLength={128}
          data-testid="signup-password"
        />
      </label>
      {error && (
        <p class="form-error" role="alert" data-testid="signup-error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy} data-testid="signup-submit">
        {busy ? "Creating account…" : "Create account"}
      </button>
    </form>
  );
}
