/** A page only for the roles that may use it; others get "not found", as the hub answers them. */
import type { JSX } from "solid-js";
import { Show } from "solid-js";
import { me } from "../auth/session.ts";
import { NotFoundState } from "../components/States.tsx";
import { canSee, type PageId } from "./pages.ts";

export function Guard(props: { page: PageId; children: JSX.Element }): JSX.Element {
  const allowed = () => {
    const person = me();
    return person !== undefined && canSee(person.role, props.page);
  };
  return (
    <Show when={allowed()} fallback={<NotFoundState />}>
      {props.children}
    </Show>
  );
}
