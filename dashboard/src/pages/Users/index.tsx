/** Users: the chain's accounts (chain admins only); the list reloads after each change. */
import { createResource, type JSX } from "solid-js";
import { api } from "../../api/client.ts";
import type { HotelOverview, UserPasswordAnswer, UserView } from "../../api/types.ts";
import { me } from "../../auth/session.ts";
import { Users } from "./Users.tsx";

export default function UsersPage(): JSX.Element {
  const [hotels] = createResource(() => api<HotelOverview[]>("/api/hotels").catch(() => []));
  const [users, control] = createResource(() => api<UserView[]>("/api/users"));
  const path = (username: string, action: string) =>
    `/api/users/${encodeURIComponent(username)}/${action}`;
  const changed = <T,>(answer: T) => {
    void control.refetch();
    return answer;
  };
  return (
    <Users
      hotels={hotels() ?? []}
      users={users.error ? undefined : users.latest}
      self={me()?.username}
      error={users.error}
      retry={() => void control.refetch()}
      addUser={async (body) =>
        changed(await api<UserPasswordAnswer>("/api/users", { method: "POST", body }))
      }
      disable={async (username) =>
        changed(await api<UserView>(path(username, "disable"), { method: "POST" }))
      }
      resetPassword={async (username) =>
        changed(
          await api<UserPasswordAnswer>(path(username, "password"), { method: "POST", body: {} }),
        )
      }
    />
  );
}
