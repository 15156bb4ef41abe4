/** The sign-in page: the brand, the language switch and the form. */
import type { JSX } from "solid-js";
import { login, session } from "../../auth/session.ts";
import { LanguageSwitch } from "../../components/Settings.tsx";
import { t } from "../../i18n/index.ts";
import { LoginForm } from "./LoginForm.tsx";

export default function LoginPage(): JSX.Element {
  const ended = () => {
    const current = session();
    return current.status === "signed_out" && current.reason === "ended";
  };
  return (
    <main id="main" class="login-page">
      <div class="login-card">
        <div class="login-brand">
          <img src="/favicon.svg" alt="" width="40" height="40" />
          <div>
            <p class="brand-name">{t("app.name")}</p>
            <p class="muted">{t("app.tagline")}</p>
          </div>
        </div>
        <LoginForm submit={login} sessionEnded={ended()} />
        <div class="login-footer">
          <LanguageSwitch />
        </div>
      </div>
    </main>
  );
}
