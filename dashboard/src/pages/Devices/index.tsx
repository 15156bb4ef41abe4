/**
 * Devices: the sources of logs of the caller's hotels, named by hand. A
 * saved name replaces the row at once (the hub's answer is the device).
 */
import { createResource, type JSX } from "solid-js";
import { api } from "../../api/client.ts";
import type { Device, HotelOverview } from "../../api/types.ts";
import { Devices } from "./Devices.tsx";

const sameDevice = (a: Device, b: Device) => a.agent === b.agent && a.address === b.address;

export default function DevicesPage(): JSX.Element {
  const [hotels] = createResource(() => api<HotelOverview[]>("/api/hotels").catch(() => []));
  const [devices, control] = createResource(() => api<Device[]>("/api/devices"));
  return (
    <Devices
      hotels={hotels()}
      devices={devices.error ? undefined : devices.latest}
      error={devices.error}
      retry={() => void control.refetch()}
      rename={async (device, name) => {
        const saved = await api<Device>(
          `/api/devices/${encodeURIComponent(device.agent)}/${encodeURIComponent(device.address)}`,
          { method: "PUT", body: { name } },
        );
        control.mutate((list) =>
          list?.map((candidate) =>
            sameDevice(candidate, device) ? { ...candidate, ...saved } : candidate,
          ),
        );
      }}
    />
  );
}
