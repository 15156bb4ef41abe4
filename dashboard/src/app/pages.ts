/**
 * The dashboard's pages and who sees which: the navigation shows a role its
 * pages only (the hub refuses the rest anyway, hub/src/auth/roles.ts).
 */
import type { Component } from "solid-js";
import type { UserRole } from "../api/types.ts";
import type { MessageKey } from "../i18n/index.ts";

export const PAGE_IDS = [
  "overview",
  "search",
  "live",
  "lookups",
  "custody",
  "devices",
  "agents",
  "hotels",
  "users",
  "audit",
] as const;
export type PageId = (typeof PAGE_IDS)[number];

export interface Page {
  id: PageId;
  path: string;
  label: MessageKey;
  /** The page's module, loaded lazily (its own chunk); none yet: a placeholder. */
  view?: () => Promise<{ default: Component }>;
}

export const PAGES: readonly Page[] = [
  { id: "overview", path: "/", label: "nav.overview" },
  {
    id: "search",
    path: "/search",
    label: "nav.search",
    view: () => import("../pages/Search/index.tsx"),
  },
  {
    id: "live",
    path: "/live",
    label: "nav.live",
    view: () => import("../pages/Live/index.tsx"),
  },
  {
    id: "lookups",
    path: "/lookups",
    label: "nav.lookups",
    view: () => import("../pages/Lookups/index.tsx"),
  },
  {
    id: "custody",
    path: "/custody",
    label: "nav.custody",
    view: () => import("../pages/Custody/index.tsx"),
  },
  {
    id: "devices",
    path: "/devices",
    label: "nav.devices",
    view: () => import("../pages/Devices/index.tsx"),
  },
  {
    id: "agents",
    path: "/agents",
    label: "nav.agents",
    view: () => import("../pages/Agents/index.tsx"),
  },
  {
    id: "hotels",
    path: "/manage/hotels",
    label: "nav.hotels",
    view: () => import("../pages/Hotels/index.tsx"),
  },
  {
    id: "users",
    path: "/manage/users",
    label: "nav.users",
    view: () => import("../pages/Users/index.tsx"),
  },
  {
    id: "audit",
    path: "/audit",
    label: "nav.audit",
    view: () => import("../pages/Audit/index.tsx"),
  },
];

/** Each role's pages: its permissions (hub/src/auth/roles.ts) as screens. */
const ROLE_PAGES: Record<UserRole, readonly PageId[]> = {
  chain_admin: PAGE_IDS,
  hotel_manager: ["overview", "search", "live", "lookups", "custody", "devices"],
  // Reads, verifies and exports; changes nothing.
  auditor: ["overview", "search", "lookups", "custody", "audit"],
  // The network, never the guests' traffic (KVKK data minimisation).
  hotel_it: ["overview", "agents", "devices"],
};

export function canSee(role: UserRole, page: PageId): boolean {
  return ROLE_PAGES[role].includes(page);
}

export function pagesOf(role: UserRole): Page[] {
  return PAGES.filter((page) => canSee(role, page.id));
}
