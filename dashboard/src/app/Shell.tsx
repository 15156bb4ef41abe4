/**
 * The frame of every signed-in page: header (product, hotel scope,
 * language, time zone, account menu), the role's navigation, and the page.
 * Signed out, it shows the login page at whatever URL was asked for, and
 * that page after signing in.
 */
import { A, type RouteSectionProps, useLocation } from "@solidjs/router";
import {
  createEffect,
  createResource,
  createSignal,
  For,
  type JSX,
  Match,
  onCleanup,
  Show,
  Switch,
} from "solid-js";
import { api } from "../api/client.ts";
import type { HotelOverview, Me } from "../api/types.ts";
import { logout, session } from "../auth/session.ts";
import { LanguageSwitch, ZoneSwitch } from "../components/Settings.tsx";
import { Loading } from "../components/States.tsx";
import { t } from "../i18n/index.ts";
import LoginPage from "../pages/Login/index.tsx";
import { pagesOf } from "./pages.ts";

/** "All hotels (3)" for chain-wide accounts, else the names of the account's hotels. */
function scopeText(me: Me, hotels: readonly HotelOverview[] | undefined): string {
  if (me.hotels.length === 0) return t("scope.all", { count: hotels?.length ?? "…" });
  const names = new Map(hotels?.map((hotel) => [hotel.id, hotel.name]));
  return me.hotels.map((id) => names.get(id) ?? id).join(", ");
}

function UserMenu(props: { me: Me }): JSX.Element {
  const [open, setOpen] = createSignal(false);
  let root: HTMLDivElement | undefined;
  let toggle: HTMLButtonElement | undefined;
  const close = (event: Event) => {
    if (open() && root && !root.contains(event.target as Node)) setOpen(false);
  };
  const onEscape = (event: KeyboardEvent) => {
    if (event.key === "Escape" && open()) {
      setOpen(false);
      toggle?.focus();
    }
  };
  document.addEventListener("click", close);
  document.addEventListener("keydown", onEscape);
  onCleanup(() => {
    document.removeEventListener("click", close);
    document.removeEventListener("keydown", onEscape);
  });
  const name = () => (props.me.kind === "user" ? props.me.username : props.me.actor);
  return (
    <div class="user-menu" ref={root}>
      <button
        type="button"
        class="user-button"
        aria-expanded={open()}
        aria-controls="user-menu-panel"
        ref={toggle}
        onClick={() => setOpen(!open())}
      >
        <span class="avatar" aria-hidden="true">
          {name().slice(0, 1).toLocaleUpperCase("tr")}
        </span>
        <span class="user-name">{name()}</span>
        <span class="visually-hidden">{t("user.menu")}</span>
      </button>
      <Show when={open()}>
        <div class="user-panel" id="user-menu-panel">
          <p>{t("user.signedInAs", { name: name() })}</p>
          <p class="muted">{t(`role.${props.me.role}`)}</p>
          <button type="button" class="button" onClick={() => void logout()}>
            {t("user.logout")}
          </button>
        </div>
      </Show>
    </div>
  );
}

function SignedIn(props: { me: Me; children: JSX.Element }): JSX.Element {
  const location = useLocation();
  const [hotels] = createResource(() => api<HotelOverview[]>("/api/hotels").catch(() => []));
  let main: HTMLElement | undefined;
  // A new page: move focus to it, as a page load would (screen readers announce it).
  createEffect((previous: string | undefined) => {
    const path = location.pathname;
    if (previous !== undefined && previous !== path) main?.focus({ preventScroll: true });
    return path;
  });
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {t("app.skipToContent")}
      </a>
      <header class="header">
        <A href="/" class="brand" end>
          <img src="/favicon.svg" alt="" width="28" height="28" />
          <span class="brand-name">{t("app.name")}</span>
        </A>
        <div class="header-tools">
          <p class="scope" title={t("scope.label")}>
            <span class="visually-hidden">{t("scope.label")}: </span>
            {scopeText(props.me, hotels.latest)}
          </p>
          <LanguageSwitch />
          <ZoneSwitch />
          <UserMenu me={props.me} />
        </div>
      </header>
      <nav class="nav" aria-label={t("nav.label")}>
        <ul>
          <For each={pagesOf(props.me.role)}>
            {(page) => (
              <li>
                <A href={page.path} end={page.path === "/"} activeClass="active">
                  {t(page.label)}
                </A>
              </li>
            )}
          </For>
        </ul>
      </nav>
      <main id="main" class="main" tabindex="-1" ref={main}>
        {props.children}
      </main>
    </div>
  );
}

export function Shell(props: RouteSectionProps): JSX.Element {
  return (
    <Switch>
      <Match when={session().status === "restoring"}>
        <div class="full-page">
          <Loading />
        </div>
      </Match>
      <Match when={session().status === "signed_out"}>
        <LoginPage />
      </Match>
      <Match
        when={(() => {
          const current = session();
          return current.status === "signed_in" ? current.me : undefined;
        })()}
      >
        {(me) => <SignedIn me={me()}>{props.children}</SignedIn>}
      </Match>
    </Switch>
  );
}
