/**
 * The pack's `summary.pdf`, in Turkish for the court: the question, the
 * answer first, the hotel and the case, the times on Europe/Istanbul wall
 * time (UTC beside them), the evidence lines and how to verify them. Set
 * with the compliance report's {@link PdfTextFlow} (DejaVu Sans, embedded),
 * which keeps every text it drew: the renderer answers them beside the bytes
 * so a test proves what the PDF says, and what it does not.
 */
import type { Disclosure } from "../../../shared/src/custody/index.ts";
import {
  type EvidenceLine,
  ipLookupSchema,
  type Lease,
  macLookupSchema,
  natLookupSchema,
  type Session,
} from "../query/index.ts";
import { istanbulTime } from "../query/time.ts";
import { PdfTextFlow } from "../report/pdf.ts";
import { type DiscloseQuery, discloseQuerySchema } from "./request.ts";

export interface DisclosurePdfInput {
  disclosure: Disclosure;
  /** Every disclosed line with its chunk directory, in pack order. */
  evidence: { dir: string; line: EvidenceLine }[];
  /** Format-1 chunks disclosed whole, with their record counts. */
  whole: { dir: string; records: number }[];
}

/** `12.03.2026 14:32:00 (11:32:00 UTC)` of any ISO time with a zone. */
export function turkishTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const utc = date.toISOString();
  const local = istanbulTime(utc);
  const wall = (text: string) =>
    `${text.slice(8, 10)}.${text.slice(5, 7)}.${text.slice(0, 4)} ${text.slice(11, 19)}`;
  const sameDay = local.slice(0, 10) === utc.slice(0, 10);
  return `${wall(local)} (${sameDay ? utc.slice(11, 19) : wall(utc)} UTC)`;
}

function questionInTurkish(query: DiscloseQuery): string {
  switch (query.kind) {
    case "ip":
      return `${query.ip} IP adresini ${turkishTime(query.at)} anında hangi cihaz ve kullanıcı kullanıyordu?`;
    case "mac":
      return `${query.mac} MAC adresli cihaz ${turkishTime(query.from)} ile ${turkishTime(query.to)} arasında hangi IP adreslerini ve hotspot oturumlarını kullandı?`;
    case "nat":
      return `${query.address} genel (NAT) adres ve portundan ${turkishTime(query.at)} anında çıkan bağlantı hangi iç adrese ve cihaza aitti?`;
    default: {
      const { kind: _kind, from, to, ...filters } = query;
      const given = Object.entries(filters)
        .filter(([, value]) => value !== undefined)
        .map(([name, value]) => `${name}=${value}`);
      return `${turkishTime(from)} ile ${turkishTime(to)} arasındaki kayıt satırları${given.length > 0 ? ` (süzgeç: ${given.join(", ")})` : ""}.`;
    }
  }
}

const leaseInTurkish = (lease: Lease) =>
  `${lease.ip} adresi DHCP ile MAC ${lease.mac}${lease.hostname ? ` (${lease.hostname})` : ""} cihazına kiralanmıştı: ${turkishTime(lease.from.utc)} – ${lease.to ? turkishTime(lease.to.utc) : "bırakma kaydı yok"}.`;

const sessionInTurkish = (session: Session) =>
  `Hotspot kullanıcısı ${session.user}, ${session.ip}${session.mac ? ` (MAC ${session.mac})` : ""}: giriş ${turkishTime(session.login.utc)}, ${session.logout ? `çıkış ${turkishTime(session.logout.utc)}` : "çıkış kaydı yok"}.`;

/** The answer in Turkish sentences, most telling first. */
function answerInTurkish(query: DiscloseQuery, answer: unknown): string[] {
  switch (query.kind) {
    case "ip": {
      const parsed = ipLookupSchema.safeParse(answer);
      if (!parsed.success) return [];
      const { lease, sessions } = parsed.data;
      return [
        lease ? leaseInTurkish(lease) : "Bu anda geçerli bir DHCP kiralaması bulunamadı.",
        ...sessions.map(sessionInTurkish),
      ];
    }
    case "mac": {
      const parsed = macLookupSchema.safeParse(answer);
      if (!parsed.success) return [];
      const { leases, sessions } = parsed.data;
      return [
        `${leases.length} DHCP kiralaması, ${sessions.length} hotspot oturumu.`,
        ...leases.map(leaseInTurkish),
        ...sessions.map(sessionInTurkish),
      ];
    }
    case "nat": {
      const parsed = natLookupSchema.omit({ nearby: true }).safeParse(answer);
      if (!parsed.success) return [];
      const { connection, internal, device } = parsed.data;
      if (!connection) return ["Bu port için bir NAT (srcnat) kaydı bulunamadı."];
      return [
        `Bağlantı ${turkishTime(connection.received_at)} anında iç adres ${internal ? `${internal.ip}${internal.port === null ? "" : `:${internal.port}`}` : "(satırda yok)"} kaynaklıydı${connection.dst_ip ? `, hedef ${connection.dst_ip}${connection.dst_port === null ? "" : `:${connection.dst_port}`}` : ""}.`,
        ...(device?.lease ? [leaseInTurkish(device.lease)] : []),
        ...(device?.sessions ?? []).map(sessionInTurkish),
      ];
    }
    default: {
      const hits = (answer as { hits?: unknown } | null)?.hits;
      return [`Arama ${typeof hits === "number" ? hits : "?"} satır buldu.`];
    }
  }
}

/**
 * Render the pack's summary: the PDF's bytes and every text drawn on it.
 *
 * @example
 * const { bytes, texts } = await disclosureSummaryPdf({ disclosure, evidence, whole: [] });
 * await writeFile(join(dir, "summary.pdf"), bytes);
 */
export async function disclosureSummaryPdf(
  input: DisclosurePdfInput,
): Promise<{ bytes: Uint8Array; texts: string[] }> {
  const { disclosure } = input;
  const query = discloseQuerySchema.parse(disclosure.query);
  const flow = await PdfTextFlow.create({
    title: `LogMaster kısmi delil paketi ${disclosure.case}`,
    createdAt: new Date(disclosure.made_at),
  });
  const { bold } = flow;
  const heading = (text: string) => {
    flow.y -= 6;
    flow.line(text, 12, bold, 6);
  };

  flow.line("LogMaster – 5651 kısmi delil paketi (yalnızca sorulan satırlar)", 15, bold, 10);
  flow.paragraph(`Dosya / soruşturma no: ${disclosure.case}`, 11, bold);
  flow.paragraph(`Otel: ${disclosure.hotel_name} (${disclosure.hotel_id})`, 11);
  flow.paragraph(
    `Hazırlayan: ${disclosure.made_by}, ${turkishTime(disclosure.made_at)}; denetim kaydı no ${disclosure.audit_id}`,
    9,
  );
  flow.paragraph(
    "Saatler Türkiye saatidir (Europe/Istanbul, UTC+03:00); parantez içinde UTC.",
    9,
    flow.regular,
    8,
  );

  heading("Cevap");
  for (const sentence of answerInTurkish(query, disclosure.answer)) flow.paragraph(sentence, 10);
  heading("Soru");
  flow.paragraph(questionInTurkish(query), 10);

  heading(
    `Deliller: ${disclosure.lines} satır, ${disclosure.chunks.length} kayıt parçasından (chunk)`,
  );
  for (const whole of input.whole) {
    flow.paragraph(
      `UYARI: ${whole.dir} eski biçimdedir (logmaster-chunk/1, Merkle ağacı yok); bu parça bütün olarak, ${whole.records} kaydın hepsiyle verilmiştir.`,
      9,
      bold,
    );
  }
  for (const { dir, line } of input.evidence) {
    flow.paragraph(
      `${dir} · sıra (seq) ${line.seq} · ${turkishTime(line.received_at)}`,
      8,
      bold,
      1,
    );
    flow.paragraph(line.raw, 8, flow.regular, 5, 10);
  }

  heading("Nasıl doğrulanır");
  for (const step of [
    "1. python3 verify_disclosure.py: her satırın, otelin ajanının imzaladığı Merkle köküne (manifest.json, RFC 6962) denetim yoluyla bağlandığını ve pakette disclosure.json'da yazan satırların tam olarak bulunduğunu denetler (yalnızca Python 3 standart kitaplığı gerekir).",
    "2. VERIFY.md'deki openssl komutları, her parça için: ajanın imzası (manifest.sig), sertifikası ve zinciri (agent.pem, chain-ca.pem), iptal listesi (chain-ca.crl.pem) ve RFC 3161 zaman damgası (manifest.tsr).",
    "3. logmaster verify <paket dizini>: aynı denetimlerin hepsi tek komutla.",
    "Bu özet okumayı kolaylaştırır; kanıt, paketteki imzalı dosyalardır.",
  ])
    flow.paragraph(step, 9);

  return { bytes: await flow.pdf.save(), texts: flow.drawn };
}
