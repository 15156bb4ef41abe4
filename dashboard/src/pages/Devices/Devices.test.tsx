import { fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { ApiError } from "../../api/client.ts";
import type { Device, HotelOverview } from "../../api/types.ts";
import { setLocale, setZone } from "../../i18n/index.ts";
import { byHotel, Devices, type DevicesProps } from "./Devices.tsx";

const HOTELS = [
  { id: "antalya-lara", name: "Lara Beach" },
  { id: "istanbul-sisli", name: "Şişli" },
] as HotelOverview[];

function device(address: string, extra: Partial<Device> = {}): Device {
  return {
    hotel: "antalya-lara",
    agent: "lara-agent001",
    address,
    name: null,
    last_host: "fw1",
    first_seen: { utc: "2026-12-03T06:00:00.000Z", istanbul: "" },
    last_seen: { utc: "2026-12-03T07:00:00.000Z", istanbul: "" },
    events: 1200,
    ...extra,
  };
}

function props(extra: Partial<DevicesProps> = {}): DevicesProps {
  return {
    hotels: HOTELS,
    devices: [device("10.0.0.10"), device("10.0.0.9", { name: "Lobby AP" })],
    error: undefined,
    retry: () => {},
    rename: async () => {},
    ...extra,
  };
}

beforeEach(() => {
  setLocale("en");
  setZone("istanbul");
});

describe("devices", () => {
  test("are grouped per hotel, addresses in numeric order", () => {
    const groups = byHotel(
      [device("10.0.0.10"), device("10.0.0.9"), device("10.1.0.1", { hotel: "istanbul-sisli" })],
      HOTELS,
    );
    expect(groups.map((group) => [group.name, group.devices.map((d) => d.address)])).toEqual([
      ["Lara Beach", ["10.0.0.9", "10.0.0.10"]],
      ["Şişli", ["10.1.0.1"]],
    ]);
  });

  test("a rename sends the new name to the API; an empty name clears it", async () => {
    const rename = vi.fn(async () => {});
    render(() => <Devices {...props({ rename })} />);
    fireEvent.click(screen.getByRole("button", { name: "Rename the device at 10.0.0.10" }));
    const input = screen.getByLabelText("Name of the device at 10.0.0.10") as HTMLInputElement;
    fireEvent.input(input, { target: { value: "  Core router " } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(rename).toHaveBeenCalledWith(
        expect.objectContaining({ agent: "lara-agent001", address: "10.0.0.10" }),
        "Core router",
      ),
    );
    await waitFor(() =>
      expect(screen.queryByLabelText("Name of the device at 10.0.0.10")).toBeNull(),
    );

    fireEvent.click(screen.getByRole("button", { name: "Rename the device at 10.0.0.9" }));
    fireEvent.input(screen.getByLabelText("Name of the device at 10.0.0.9"), {
      target: { value: "" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(rename).toHaveBeenLastCalledWith(
        expect.objectContaining({ address: "10.0.0.9" }),
        null,
      ),
    );
  });

  test("a refused rename stays open with the reason", async () => {
    const rename = vi.fn(() =>
      Promise.reject(new ApiError(400, "invalid_request", "name: too long")),
    );
    render(() => <Devices {...props({ rename })} />);
    fireEvent.click(screen.getByRole("button", { name: "Rename the device at 10.0.0.10" }));
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "The request is not valid: name: too long",
    );
    expect(screen.getByLabelText("Name of the device at 10.0.0.10")).toBeTruthy();
  });

  test("empty and error states", () => {
    const { unmount } = render(() => <Devices {...props({ devices: [] })} />);
    expect(screen.getByText("No device has sent logs yet")).toBeTruthy();
    unmount();
    render(() => (
      <Devices {...props({ devices: undefined, error: new ApiError(0, "network", "down") })} />
    ));
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
  });
});
