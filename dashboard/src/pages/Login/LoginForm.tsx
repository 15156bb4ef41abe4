/**
 * The sign-in form: user name and password, then — when the hub answers
 * `totp_required` — the authenticator's 6-digit code for the same account.
 */
import { createSignal, type JSX, Show } from "solid-js";
import { ApiError, errorMessage } from "../../api/client.ts";
import type { LoginRequest } from "../../api/types.ts";
import { t } from "../../i18n/index.ts";

export interface LoginFormProps {
  /** Sign in; rejects with the API's error. */
  submit(request: LoginRequest): Promise<void>;
  /** The session ended (a refused refresh): say so above the form. */
  sessionEnded?: boolean;
}

export function LoginForm(props: LoginFormProps): JSX.Element {
  const [step, setStep] = createSignal<"password" | "totp">("password");
  const [username, setUsername] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [code, setCode] = createSignal("");
  const [error, setError] = createSignal<unknown>();
  const [busy, setBusy] = createSignal(false);
  let codeInput: HTMLInputElement | undefined;
  let passwordInput: HTMLInputElement | undefined;

  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy()) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.submit({
        username: username().trim().toLowerCase(),
        password: password(),
        ...(step() === "totp" ? { totp: code().replace(/\s/g, "") } : {}),
      });
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === "totp_required") {
        setStep("totp");
        queueMicrotask(() => codeInput?.focus());
      } else {
        setError(failure);
        if (step() === "totp") {
          setCode("");
          queueMicrotask(() => codeInput?.focus());
        } else {
          queueMicrotask(() => passwordInput?.select());
        }
      }
    } finally {
      setBusy(false);
    }
  };

  const back = () => {
    setStep("password");
    setCode("");
    setPassword("");
    setError(undefined);
  };

  return (
    <form class="login-form" onSubmit={onSubmit} novalidate={false} aria-describedby="login-status">
      <h1>{t("login.title")}</h1>
      <div id="login-status">
        <Show when={props.sessionEnded && !error()}>
          <p class="notice">{t("login.sessionEnded")}</p>
        </Show>
        <Show when={error()}>
          {(failure) => (
            <p class="form-error" role="alert">
              {errorMessage(failure())}
            </p>
          )}
        </Show>
      </div>
      <Show
        when={step() === "totp"}
        fallback={
          <>
            <p class="muted">{t("login.subtitle")}</p>
            <div class="field">
              <label for="login-username">{t("login.username")}</label>
              <input
                id="login-username"
                name="username"
                autocomplete="username"
                autocapitalize="none"
                spellcheck={false}
                required
                value={username()}
                onInput={(event) => setUsername(event.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="login-password">{t("login.password")}</label>
              <input
                id="login-password"
                name="password"
                type="password"
                autocomplete="current-password"
                required
                ref={passwordInput}
                value={password()}
                onInput={(event) => setPassword(event.currentTarget.value)}
              />
            </div>
          </>
        }
      >
        <p class="muted" id="login-totp-help">
          {t("login.totpHelp")}
        </p>
        <div class="field">
          <label for="login-totp">{t("login.totp")}</label>
          <input
            id="login-totp"
            name="totp"
            inputmode="numeric"
            autocomplete="one-time-code"
            pattern="[0-9]{6}"
            maxlength={6}
            required
            aria-describedby="login-totp-help"
            class="code-input"
            ref={codeInput}
            value={code()}
            onInput={(event) => setCode(event.currentTarget.value)}
          />
        </div>
      </Show>
      <button type="submit" class="button button-primary" disabled={busy()}>
        {busy() ? t("login.working") : step() === "totp" ? t("login.verify") : t("login.submit")}
      </button>
      <Show when={step() === "totp"}>
        <button type="button" class="button-link" onClick={back}>
          {t("login.back")}
        </button>
      </Show>
    </form>
  );
}
