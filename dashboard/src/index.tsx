/** The dashboard's entry: styles, the session from the refresh cookie, the app. */
import { render } from "solid-js/web";
import { App } from "./app/App.tsx";
import { restoreSession } from "./auth/session.ts";
import { locale } from "./i18n/index.ts";
import "./styles.css";

document.documentElement.lang = locale();
void restoreSession();
const root = document.getElementById("root");
if (root) render(() => <App />, root);
