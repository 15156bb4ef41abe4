/** The manifest's `clock`: whether the agent's clock was NTP-synchronised, and by what. */
export interface ClockInfo {
  ntp_synchronized: boolean | null;
  source: string;
}

/**
 * Ask systemd (`timedatectl`) about clock synchronisation; `null` / "unknown"
 * where it cannot tell (no systemd, container).
 *
 * @example
 * const clock = describeClock(); // { ntp_synchronized: true, source: "systemd-timesyncd" }
 */
export function describeClock(): ClockInfo {
  try {
    const result = Bun.spawnSync(["timedatectl", "show", "-p", "NTPSynchronized", "--value"], {
      stdout: "pipe",
      stderr: "ignore",
      timeout: 2000,
    });
    const answer = result.stdout.toString().trim();
    if (result.exitCode !== 0 || (answer !== "yes" && answer !== "no")) {
      return { ntp_synchronized: null, source: "unknown" };
    }
    return { ntp_synchronized: answer === "yes", source: detectTimeDaemon() };
  } catch {
    return { ntp_synchronized: null, source: "unknown" };
  }
}

function detectTimeDaemon(): string {
  for (const unit of ["chronyd", "chrony", "systemd-timesyncd", "ntpd", "ntp"]) {
    const result = Bun.spawnSync(["systemctl", "is-active", "--quiet", unit], {
      stdout: "ignore",
      stderr: "ignore",
      timeout: 2000,
    });
    if (result.exitCode === 0) return unit.startsWith("chrony") ? "chrony" : unit;
  }
  return "unknown";
}
