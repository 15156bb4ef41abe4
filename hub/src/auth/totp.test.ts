import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import {
  loadTotpSecretKey,
  newTotpSecret,
  openTotpSecret,
  sealTotpSecret,
  TOTP_KEY_FILE,
  totpCode,
  totpStep,
  totpStepOfCode,
  totpUri,
} from "./totp.ts";

/** RFC 6238 appendix B: the SHA-1 seed, ASCII "12345678901234567890", in base32. */
const RFC_SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/** Appendix B's SHA-1 rows: Unix time (s) and the 8-digit TOTP. */
const RFC_VECTORS = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
] as const;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("TOTP codes", () => {
  test("match RFC 6238 appendix B (SHA-1): a 6-digit code is the last 6 digits of the 8-digit one", () => {
    for (const [seconds, eightDigits] of RFC_VECTORS) {
      expect([seconds, totpCode(RFC_SEED, seconds * 1000)]).toEqual([
        seconds,
        eightDigits.slice(2),
      ]);
      // And the library itself, at the appendix's 8 digits.
      const secret = Secret.fromBase32(RFC_SEED);
      expect(TOTP.generate({ secret, digits: 8, timestamp: seconds * 1000 })).toBe(eightDigits);
    }
  });

  test("a code is taken one step either side of now, with the step it belongs to; two steps off it is not", () => {
    const now = 1_234_567_890_000;
    const step = totpStep(now);
    expect(step).toBe(41_152_263); // appendix B's T for 1234567890
    for (const offset of [-1, 0, 1]) {
      const code = totpCode(RFC_SEED, now + offset * 30_000);
      expect(totpStepOfCode(RFC_SEED, code, now)).toBe(step + offset);
    }
    for (const offset of [-2, 2])
      expect(totpStepOfCode(RFC_SEED, totpCode(RFC_SEED, now + offset * 30_000), now)).toBe(
        undefined,
      );
    expect(totpStepOfCode(RFC_SEED, "12345", now)).toBe(undefined);
  });

  test("a new secret is 160 bits of base32, and its URI is what authenticator apps read", () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const uri = new URL(totpUri(secret, "ayse.k"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/LogMaster:ayse.k");
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      issuer: "LogMaster",
      secret,
      algorithm: "SHA1",
      digits: "6",
      period: "30",
    });
  });
});

describe("sealed TOTP secrets", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "logmaster-totp-"));
  dirs.push(dataDir);

  test("the key is made once (0600) and read back the same", () => {
    const key = loadTotpSecretKey(dataDir);
    expect(statSync(join(dataDir, TOTP_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadTotpSecretKey(dataDir)).toEqual(key);
  });

  test("open gives back the secret; another account, another key or a changed byte do not", () => {
    const key = loadTotpSecretKey(dataDir);
    const secret = newTotpSecret();
    const sealed = sealTotpSecret(key, "user-1", secret);
    expect(sealed).not.toContain(secret);
    expect(sealed).toMatch(/^v1\.[0-9a-f]{16}\./);
    expect(openTotpSecret(key, "user-1", sealed)).toBe(secret);
    expect(sealTotpSecret(key, "user-1", secret)).not.toBe(sealed); // a fresh IV each time
    expect(() => openTotpSecret(key, "user-2", sealed)).toThrow();
    const other = mkdtempSync(join(tmpdir(), "logmaster-totp-"));
    dirs.push(other);
    expect(() => openTotpSecret(loadTotpSecretKey(other), "user-1", sealed)).toThrow(
      "every hub process needs the same auth/totp-secrets.key",
    );
    const body = sealed.split(".")[3] as string;
    const flipped = `${body.slice(0, 5)}${body[5] === "A" ? "B" : "A"}${body.slice(6)}`;
    expect(() => openTotpSecret(key, "user-1", sealed.replace(body, flipped))).toThrow();
  });
});
