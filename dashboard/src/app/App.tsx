/**
 * The routes: the overview and a hotel's page, the pages still to come
 * (each behind its roles), and "not found" for the rest. Pages load lazily.
 */
import { Route, Router } from "@solidjs/router";
import { type JSX, lazy } from "solid-js";
import { NotFoundState } from "../components/States.tsx";
import { Guard } from "./Guard.tsx";
import { PAGES } from "./pages.ts";
import { Shell } from "./Shell.tsx";

const Overview = lazy(() => import("../pages/Overview/index.tsx"));
const Hotel = lazy(() => import("../pages/Hotel/index.tsx"));
const Placeholder = lazy(() => import("../pages/Placeholder/index.tsx"));

const LATER = PAGES.filter((page) => page.id !== "overview");

export function App(): JSX.Element {
  return (
    <Router root={Shell}>
      <Route path="/" component={Overview} />
      <Route path="/hotels/:hotel" component={Hotel} />
      {LATER.map((page) => {
        const View = page.view ? lazy(page.view) : undefined;
        return (
          <Route
            path={page.path}
            component={() => (
              <Guard page={page.id}>{View ? <View /> : <Placeholder page={page.id} />}</Guard>
            )}
          />
        );
      })}
      <Route path="*" component={NotFoundState} />
    </Router>
  );
}
