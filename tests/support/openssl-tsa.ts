/**
 * A TSA we did not write: `openssl ts -reply` behind a small Bun.serve HTTP
 * wrapper, with a test PKI made by the openssl CLI (root CA -> intermediate
 * CA -> TSA signer with `extendedKeyUsage = critical,timeStamping`). It can
 * misbehave on demand for negative tests: sign with a certificate that is not
 * a TSA's, answer for another imprint or another nonce, or be down.
 *
 * This file is also the one place that makes certificates for the
 * time-stamp tests, and runs `openssl ts -verify` for them.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProcess } from "../../shared/src/testing/run-process.ts";
import { DEVELOPMENT_TSA_POLICY_OID } from "../../shared/src/timestamp/development-tsa.ts";
import {
  buildTimestampRequest,
  grantedResponse,
  LOGMASTER_OID_ARC,
  parseTimestampRequest,
} from "../../shared/src/timestamp/index.ts";

/** The policy the test TSA stamps under (LogMaster arc, `.1.2` = test TSA; docs/timestamping.md). */
export const TEST_TSA_POLICY_OID = `${LOGMASTER_OID_ARC}.1.2`;

/** Run the openssl CLI; throws with its stderr when it fails. */
export async function openssl(args: string[], cwd: string): Promise<string> {
  const { exitCode, stdout, stderr } = await runProcess(["openssl", ...args], { cwd });
  if (exitCode !== 0) throw new Error(`openssl ${args.join(" ")} failed:\n${stderr}`);
  return stdout;
}

/**
 * What an auditor runs: `openssl ts -verify -data ... -in ... -CAfile ...
 * -untrusted ...`. Returns openssl's exit code and output instead of throwing.
 */
export async function opensslTsVerify(files: {
  data: string;
  tsr: string;
  caFile: string;
  untrusted?: string;
}): Promise<{ ok: boolean; output: string }> {
  const args = ["ts", "-verify", "-data", files.data, "-in", files.tsr, "-CAfile", files.caFile];
  if (files.untrusted) args.push("-untrusted", files.untrusted);
  const { exitCode, stdout, stderr } = await runProcess(["openssl", ...args]);
  return { ok: exitCode === 0 && stdout.includes("Verification: OK"), output: stdout + stderr };
}

/** Which certificate signs the answers. */
export type TestSigner =
  /** A proper TSA certificate: critical extendedKeyUsage timeStamping. */
  | "tsa"
  /** The same key in a certificate without extendedKeyUsage. */
  | "no-eku"
  /** The same key, extendedKeyUsage timeStamping but not critical. */
  | "non-critical-eku";

/** Files of the test PKI (all PEM). */
export interface TestTsaPki {
  dir: string;
  /** The root CA: what a client trusts (`tsa-ca.pem`). */
  caFile: string;
  caPem: string;
  /** TSA signer + intermediate CA (`tsa-chain.pem`). */
  chainFile: string;
  chainPem: string;
  intermediateFile: string;
  /** A root CA that issued nothing here: trusting only it must fail. */
  otherCaPem: string;
  signerFiles: Record<TestSigner, string>;
  signerKeyFile: string;
}

const PKI_CONFIG = `
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ root_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ intermediate_ca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ signer_tsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ signer_no-eku ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ signer_non-critical-eku ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

function randomSerial(): string {
  return `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString("hex")}`;
}

/**
 * Make the test PKI in `dir` with the openssl CLI (2048-bit RSA: fast, and
 * what verifiers must accept). The three signer certificates share one key.
 *
 * @example
 * const pki = await makeTestTsaPki(mkdtempSync(join(tmpdir(), "pki-")));
 */
export async function makeTestTsaPki(dir: string): Promise<TestTsaPki> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "pki.cnf"), PKI_CONFIG);
  const key = (name: string) =>
    openssl(
      ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name],
      dir,
    );
  await Promise.all(["root.key", "intermediate.key", "signer.key", "other.key"].map(key));
  const selfSigned = (keyFile: string, out: string, subject: string) => {
    const request = ["req", "-x509", "-config", "pki.cnf", "-extensions", "root_ca"];
    const validity = ["-days", "3650", "-set_serial", randomSerial()];
    return openssl([...request, "-key", keyFile, "-subj", subject, ...validity, "-out", out], dir);
  };
  const issue = async (
    keyFile: string,
    out: string,
    subject: string,
    section: string,
    ca: string,
  ) => {
    const request = ["req", "-new", "-config", "pki.cnf", "-key", keyFile, "-subj", subject];
    await openssl([...request, "-out", `${out}.csr`], dir);
    await openssl(
      ["x509", "-req", "-in", `${out}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`]
        .concat(["-set_serial", randomSerial(), "-days", "825", "-sha256"])
        .concat(["-extfile", "pki.cnf", "-extensions", section, "-out", out]),
      dir,
    );
  };
  await Promise.all([
    selfSigned("root.key", "root.pem", "/O=LogMaster tests/CN=LogMaster TEST TSA Root"),
    selfSigned("other.key", "other.pem", "/O=LogMaster tests/CN=Some Other Root"),
  ]);
  await issue(
    "intermediate.key",
    "intermediate.pem",
    "/O=LogMaster tests/CN=LogMaster TEST TSA Intermediate",
    "intermediate_ca",
    "root",
  );
  const signers: TestSigner[] = ["tsa", "no-eku", "non-critical-eku"];
  await Promise.all(
    signers.map((signer) =>
      issue(
        "signer.key",
        `signer-${signer}.pem`,
        `/O=LogMaster tests/CN=LogMaster TEST TSA (${signer})`,
        `signer_${signer}`,
        "intermediate",
      ),
    ),
  );
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  const chainPem = read("signer-tsa.pem") + read("intermediate.pem");
  writeFileSync(join(dir, "chain.pem"), chainPem);
  return {
    dir,
    caFile: join(dir, "root.pem"),
    caPem: read("root.pem"),
    chainFile: join(dir, "chain.pem"),
    chainPem,
    intermediateFile: join(dir, "intermediate.pem"),
    otherCaPem: read("other.pem"),
    signerFiles: {
      tsa: join(dir, "signer-tsa.pem"),
      "no-eku": join(dir, "signer-no-eku.pem"),
      "non-critical-eku": join(dir, "signer-non-critical-eku.pem"),
    },
    signerKeyFile: join(dir, "signer.key"),
  };
}

/**
 * `openssl ts -reply`'s configuration. Besides its own policy it stamps under
 * the development TSA's when asked: a signer without the development marker
 * under that policy is what a development TSA made before the marker looks
 * like to a verifier.
 */
function tsaConfig(pki: TestTsaPki): string {
  return `
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = ${join(pki.dir, "tsaserial")}
crypto_device = builtin
signer_cert = ${pki.signerFiles.tsa}
certs = ${pki.intermediateFile}
signer_key = ${pki.signerKeyFile}
signer_digest = sha256
default_policy = ${TEST_TSA_POLICY_OID}
other_policies = 1.2.3.4.5, ${DEVELOPMENT_TSA_POLICY_OID}
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:500
clock_precision_digits = 3
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;
}

/** How the test TSA behaves; change it between requests with `set`. */
export interface TestTsaBehaviour {
  signer: TestSigner;
  /** "other": answer for a different message imprint than the query's. */
  imprint: "echo" | "other";
  /** "other": answer with a different nonce than the query's. */
  nonce: "echo" | "other";
  /** "503": answer 503; "refuse": stop listening (connections are refused). */
  down: false | "503" | "refuse";
  /** Wait this long before answering (for timeouts). */
  delayMs: number;
}

/** One request as the wrapper received it. */
export interface ReceivedTsaRequest {
  method: string;
  headers: Headers;
  body: Uint8Array;
}

export interface OpensslTsa {
  /** POST time-stamp queries here. */
  url: string;
  pki: TestTsaPki;
  /** Every request received, oldest first. */
  requests: ReceivedTsaRequest[];
  /** Change the behaviour (only the given fields). */
  set(behaviour: Partial<TestTsaBehaviour>): Promise<void>;
  /** Back to a well-behaved TSA that is up. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const WELL_BEHAVED: TestTsaBehaviour = {
  signer: "tsa",
  imprint: "echo",
  nonce: "echo",
  down: false,
  delayMs: 0,
};

/**
 * Re-sign the TSTInfo of a good reply with another certificate (same key):
 * `openssl ts -reply` itself refuses a signer without a critical
 * timeStamping extendedKeyUsage, so a non-TSA token is made with `openssl cms`.
 */
async function resignReply(reply: string, signerFile: string, pki: TestTsaPki, dir: string) {
  await openssl(["ts", "-reply", "-in", reply, "-token_out", "-out", "token.der"], dir);
  await openssl(
    [
      "cms",
      "-verify",
      "-noverify",
      "-binary",
      "-inform",
      "DER",
      "-in",
      "token.der",
      "-out",
      "tst.der",
    ],
    dir,
  );
  await openssl(
    ["cms", "-sign", "-binary", "-nodetach", "-nosmimecap", "-md", "sha256", "-in", "tst.der"]
      .concat(["-econtent_type", "1.2.840.113549.1.9.16.1.4", "-signer", signerFile])
      .concat(["-inkey", pki.signerKeyFile, "-certfile", pki.intermediateFile])
      .concat(["-outform", "DER", "-out", "resigned.der"]),
    dir,
  );
  return grantedResponse(new Uint8Array(readFileSync(join(dir, "resigned.der"))));
}

/** Rewrite a query's imprint or nonce, so openssl answers for something else. */
function rewriteQuery(query: Uint8Array, behaviour: TestTsaBehaviour): Uint8Array {
  if (behaviour.imprint === "echo" && behaviour.nonce === "echo") return query;
  const parsed = parseTimestampRequest(query);
  const digest =
    behaviour.imprint === "other"
      ? crypto.getRandomValues(new Uint8Array(parsed.hashedMessage.byteLength))
      : parsed.hashedMessage;
  return buildTimestampRequest({
    digest,
    hashAlgorithm: parsed.hashAlgorithm ?? "SHA-256",
    nonce: behaviour.nonce === "other" ? (parsed.nonce ?? 0n) + 1n : parsed.nonce,
    certReq: parsed.certReq,
    ...(parsed.reqPolicy === undefined ? {} : { reqPolicy: parsed.reqPolicy }),
  }).der;
}

/**
 * Start the openssl TSA on a free loopback port, with a fresh test PKI.
 *
 * @example
 * const tsa = await startOpensslTsa();
 * await tsa.set({ nonce: "other" });
 * await requestTimestamp({ url: tsa.url, data, timeoutMs: 5_000, trustedCaPems: [tsa.pki.caPem] });
 * await tsa.stop();
 */
export async function startOpensslTsa(): Promise<OpensslTsa> {
  const root = mkdtempSync(join(tmpdir(), "logmaster-openssl-tsa-"));
  const pki = await makeTestTsaPki(join(root, "pki"));
  writeFileSync(join(pki.dir, "tsaserial"), "01\n");
  writeFileSync(join(root, "tsa.cnf"), tsaConfig(pki));
  let behaviour = { ...WELL_BEHAVED };
  const requests: ReceivedTsaRequest[] = [];
  let sequence = 0;
  // openssl keeps the TSA serial in a file: one reply at a time.
  let queue: Promise<unknown> = Promise.resolve();

  async function reply(query: Uint8Array, current: TestTsaBehaviour): Promise<Uint8Array> {
    const dir = join(root, `request-${++sequence}`);
    mkdirSync(dir);
    try {
      writeFileSync(join(dir, "q.tsq"), rewriteQuery(query, current));
      await openssl(
        ["ts", "-reply", "-config", join(root, "tsa.cnf"), "-queryfile", "q.tsq", "-out", "r.tsr"],
        dir,
      );
      if (current.signer !== "tsa")
        return await resignReply("r.tsr", pki.signerFiles[current.signer], pki, dir);
      return new Uint8Array(readFileSync(join(dir, "r.tsr")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const fetchHandler = async (request: Request): Promise<Response> => {
    const current = behaviour;
    const body = new Uint8Array(await request.arrayBuffer());
    requests.push({ method: request.method, headers: request.headers, body });
    if (current.delayMs > 0) await Bun.sleep(current.delayMs);
    if (current.down === "503") return new Response("down for the test", { status: 503 });
    if (request.method !== "POST") return new Response("POST a query", { status: 405 });
    const answer = queue.then(() => reply(body, current));
    queue = answer.catch(() => {});
    return new Response(await answer, {
      headers: { "content-type": "application/timestamp-reply" },
    });
  };

  let server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: fetchHandler });
  const port = server.port;
  let listening = true;

  const tsa: OpensslTsa = {
    url: `http://127.0.0.1:${port}/tsa`,
    pki,
    requests,
    async set(change) {
      behaviour = { ...behaviour, ...change };
      if (behaviour.down === "refuse" && listening) {
        await server.stop(true);
        listening = false;
      } else if (behaviour.down !== "refuse" && !listening) {
        server = Bun.serve({ hostname: "127.0.0.1", port, fetch: fetchHandler });
        listening = true;
      }
    },
    reset: () => tsa.set(WELL_BEHAVED),
    async stop() {
      if (listening) await server.stop(true);
      listening = false;
      rmSync(root, { recursive: true, force: true });
    },
  };
  return tsa;
}
