import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test, vi } from "vitest";
import type { AgentStatus, HotelOverview, TokenAnswer } from "../../api/types.ts";
import { setLocale, setZone } from "../../i18n/index.ts";
import { Agents, type AgentsProps } from "./Agents.tsx";
import { START_COMMAND } from "./TokenPanel.tsx";

const HOTELS: HotelOverview[] = [
  {
    id: "antalya-lara",
    name: "Lara Beach",
    created_at: "2026-01-01T00:00:00.000Z",
    retention_days: 730,
    legal_hold: false,
    agents: 1,
  },
];

const AGENT: AgentStatus = {
  id: "lara-agent001",
  hotel_id: "antalya-lara",
  hostname: "lara-gw",
  cert_serial: "01",
  cert_sha256: "ab",
  not_after: "2027-01-01T00:00:00.000Z",
  enrolled_at: "2026-01-01T00:00:00.000Z",
  revoked_at: null,
  last_seen_at: "2026-12-03T07:00:00.000Z",
  last_clock_skew_ms: 3_400,
  reported_at: "2026-12-03T07:00:00.000Z",
  unsent_bytes: 0,
  disk_used_bytes: 1_048_576,
  disk_max_bytes: 1_073_741_824,
  wal_refusing: false,
  state: "silent",
};

const TOKEN: TokenAnswer = {
  token: "lm1.abc_DEF-123",
  hotel_id: "antalya-lara",
  expires_at: "2026-12-04T07:00:00.000Z",
  install_command:
    "sudo -u logmaster logmaster-agent enroll --token 'lm1.abc_DEF-123' --data-dir /var/lib/logmaster-agent",
};

function props(extra: Partial<AgentsProps> = {}): AgentsProps {
  return {
    hotels: HOTELS,
    agents: [AGENT],
    error: undefined,
    retry: () => {},
    createToken: async () => TOKEN,
    revoke: async () => {},
    ...extra,
  };
}

beforeEach(() => {
  setLocale("en");
  setZone("istanbul");
});

describe("the enrollment token", () => {
  test("is asked for the hotel and lifetime chosen, shows the install command once and copies it", async () => {
    const createToken = vi.fn(async () => TOKEN);
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    render(() => <Agents {...props({ createToken })} />);
    fireEvent.change(screen.getByLabelText("Valid for"), { target: { value: "3600000" } });
    fireEvent.click(screen.getByRole("button", { name: "Create token" }));
    await screen.findByRole("heading", { name: "Token for Lara Beach ready" });
    expect(createToken).toHaveBeenCalledWith({ hotel: "antalya-lara", ttl_ms: 3_600_000 });
    expect(screen.getByText(TOKEN.install_command)).toBeTruthy();
    expect(screen.getByText(START_COMMAND)).toBeTruthy();
    expect(screen.getByText(/Shown only this once/)).toBeTruthy();

    fireEvent.click(
      screen.getByRole("button", { name: "Copy: 1. Enroll the agent (on the site box)" }),
    );
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(TOKEN.install_command));
    // Announced to screen readers, not only shown.
    const status = await screen.findByText("Copied: 1. Enroll the agent (on the site box)");
    expect(status.getAttribute("role")).toBe("status");

    fireEvent.click(screen.getByRole("button", { name: "Done, hide the token" }));
    expect(screen.queryByText(TOKEN.install_command)).toBeNull();
  });

  test("a refusal is shown in words, in Turkish too", async () => {
    setLocale("tr");
    const { ApiError } = await import("../../api/client.ts");
    render(() => (
      <Agents
        {...props({ createToken: () => Promise.reject(new ApiError(403, "forbidden", "no")) })}
      />
    ));
    fireEvent.click(screen.getByRole("button", { name: "Anahtar oluştur" }));
    expect((await screen.findByRole("alert")).textContent).toBeTruthy();
  });
});

describe("the agents", () => {
  test("show state, skew and certificate, and revoke only after the confirm", async () => {
    const revoke = vi.fn(async () => {});
    render(() => <Agents {...props({ revoke })} />);
    const row = screen.getAllByRole("row")[1] as HTMLElement;
    expect(within(row).getByText("Offline since 03.12.2026 10:00 Istanbul")).toBeTruthy();
    expect(within(row).getByText("3.4 s")).toBeTruthy();
    expect(within(row).getByText("01.01.2027 03:00 Istanbul")).toBeTruthy();

    fireEvent.click(within(row).getByRole("button", { name: "Revoke lara-gw" }));
    const dialog = screen.getByRole("alertdialog", { name: "Revoke lara-gw?" });
    // The focus starts on the harmless choice.
    expect(document.activeElement?.textContent).toBe("Cancel");
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(revoke).not.toHaveBeenCalled();

    fireEvent.click(within(row).getByRole("button", { name: "Revoke lara-gw" }));
    fireEvent.click(screen.getByRole("button", { name: "Revoke the agent" }));
    await waitFor(() => expect(revoke).toHaveBeenCalledWith("lara-agent001"));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
  });

  test("loading, empty and error states", () => {
    const { unmount } = render(() => <Agents {...props({ agents: [] })} />);
    expect(screen.getByText("No agent yet")).toBeTruthy();
    unmount();
    render(() => <Agents {...props({ agents: undefined })} />);
    expect(screen.getByText("Loading…")).toBeTruthy();
  });
});
