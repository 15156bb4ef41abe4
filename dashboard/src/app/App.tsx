/**
 * The routes: the overview and a hotel's page, every other page of the
 * navigation (each behind its roles), and "not found" for the rest. Pages
 * load lazily.
 */
import { Route, Router } from "@solidjs/router";
import { type JSX, lazy } from "solid-js";
import { NotFoundState } from "../components/States.tsx";
import { Guard } from "./Guard.tsx";
import { PAGES } from "./pages.ts";
import { Shell } from "./Shell.tsx";

const Overview = lazy(() => import("../pages/Overview/index.tsx"));
const Hotel = lazy(() => import("../pages/Hotel/index.tsx"));

/** The pages with a view of their own (the overview has its route above). */
const VIEWS = PAGES.flatMap((page) => (page.view ? [{ ...page, view: page.view }] : []));

export function App(): JSX.Element {
  return (
    <Router root={Shell}>
      <Route path="/" component={Overview} />
      <Route path="/hotels/:hotel" component={Hotel} />
      {VIEWS.map((page) => {
        const View = lazy(page.view);
        return (
          <Route
            path={page.path}
            component={() => (
              <Guard page={page.id}>
                <View />
              </Guard>
            )}
          />
        );
      })}
      <Route path="*" component={NotFoundState} />
    </Router>
  );
}
