/**
 * The compliance report as a one-to-two-page A4 PDF (pdf-lib). Text is set in
 * DejaVu Sans, embedded (subset) from the `dejavu-fonts-ttf` package: the PDF
 * standard fonts are WinAnsi-only and cannot draw ş ğ ı İ Ş Ğ, and hotel names
 * and managers' notes are Turkish.
 */
import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, type PDFFont, type PDFPage, rgb } from "pdf-lib";
import type { ComplianceReport } from "./index.ts";

/** The TrueType files of the report's fonts, resolved from node_modules. */
export const REPORT_FONT_FILES = {
  regular: Bun.resolveSync("dejavu-fonts-ttf/ttf/DejaVuSans.ttf", import.meta.dir),
  bold: Bun.resolveSync("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf", import.meta.dir),
};

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 50;

/**
 * An A4 PDF written top to bottom in DejaVu Sans: lines, paragraphs broken
 * between words, a new page when the page is full. It keeps every text it
 * drew (`drawn`): embedded-font text cannot be read back from the bytes, so a
 * test proves what a PDF says (or does not) from these.
 *
 * @example
 * const flow = await PdfTextFlow.create({ title: "Özet", createdAt: new Date() });
 * flow.line("Başlık", 16, flow.bold);
 * const bytes = await flow.pdf.save();
 */
export class PdfTextFlow {
  static readonly width = A4.width;
  static readonly margin = MARGIN;
  page: PDFPage;
  y = A4.height - MARGIN;
  readonly drawn: string[] = [];

  private constructor(
    readonly pdf: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
  ) {
    this.page = pdf.addPage([A4.width, A4.height]);
  }

  static async create(meta: { title: string; createdAt: Date }): Promise<PdfTextFlow> {
    const pdf = await PDFDocument.create();
    pdf.setTitle(meta.title);
    pdf.setCreator("LogMaster");
    pdf.setCreationDate(meta.createdAt);
    pdf.registerFontkit(fontkit);
    const regular = await pdf.embedFont(await Bun.file(REPORT_FONT_FILES.regular).bytes(), {
      subset: true,
    });
    const bold = await pdf.embedFont(await Bun.file(REPORT_FONT_FILES.bold).bytes(), {
      subset: true,
    });
    return new PdfTextFlow(pdf, regular, bold);
  }

  get pages(): number {
    return this.pdf.getPageCount();
  }

  /** A new page unless `needed` points still fit above the bottom margin. */
  ensureRoom(needed: number): void {
    if (this.y - needed < MARGIN) {
      this.page = this.pdf.addPage([A4.width, A4.height]);
      this.y = A4.height - MARGIN;
    }
  }

  /** Text at `x` on the current line, without moving down. */
  text(value: string, x: number, size: number, font: PDFFont = this.regular): void {
    this.drawn.push(value);
    this.page.drawText(value, { x, y: this.y, size, font, color: rgb(0.1, 0.1, 0.1) });
  }

  line(value: string, size = 10, font: PDFFont = this.regular, gap = 4): void {
    this.ensureRoom(size + gap);
    this.text(value, MARGIN, size, font);
    this.y -= size + gap;
  }

  /** Text wider than the page, broken into lines between words (and inside words too long for one). */
  paragraph(value: string, size = 10, font: PDFFont = this.regular, gap = 4, indent = 0): void {
    const width = A4.width - 2 * MARGIN - indent;
    const fits = (text: string) => font.widthOfTextAtSize(text, size) <= width;
    const out = (text: string, last: boolean) => {
      this.ensureRoom(size + (last ? gap : 2));
      this.text(text, MARGIN + indent, size, font);
      this.y -= size + (last ? gap : 2);
    };
    let current = "";
    for (const word of value.split(" ")) {
      const next = current ? `${current} ${word}` : word;
      if (fits(next)) {
        current = next;
        continue;
      }
      if (current) out(current, false);
      current = word;
      // A word wider than the line (a long log line without spaces): cut it.
      while (!fits(current)) {
        let cut = current.length - 1;
        while (cut > 1 && !fits(current.slice(0, cut))) cut--;
        out(current.slice(0, cut), false);
        current = current.slice(cut);
      }
    }
    out(current, true);
  }
}

/**
 * Render a compliance report as PDF bytes.
 *
 * @example
 * await Bun.write("report.pdf", await complianceReportPdf(report));
 */
export async function complianceReportPdf(report: ComplianceReport): Promise<Uint8Array> {
  const flow = await PdfTextFlow.create({
    title: `LogMaster compliance report ${report.hotel_name} ${report.month}`,
    createdAt: new Date(report.generated_at),
  });
  const { regular, bold } = flow;
  const line = flow.line.bind(flow);
  const paragraph = flow.paragraph.bind(flow);

  line("LogMaster - Law 5651 log custody compliance report", 16, bold, 10);
  line(`Hotel: ${report.hotel_name} (${report.hotel_id})`, 11);
  line(`Month: ${report.month} (UTC hours, counted until ${report.counted_until})`, 11);
  line(`Generated: ${report.generated_at}`, 9, regular, 14);
  if (report.timestamp_warning) paragraph(`WARNING: ${report.timestamp_warning}.`, 10, bold, 14);

  const columns = [
    // Widths sum to 477 pt, inside A4 less margins (495 pt) in DejaVu Sans 9 pt.
    { title: "Agent", width: 125 },
    { title: "Expected", width: 50 },
    { title: "Sealed", width: 42 },
    { title: "Verified", width: 46 },
    { title: "Stamped", width: 48 },
    { title: "Missing", width: 44 },
    { title: "Failed", width: 38 },
    { title: "Lost", width: 34 },
    { title: "Skew ms", width: 50 },
  ];
  const row = (cells: string[], font: PDFFont) => {
    flow.ensureRoom(16);
    let x = MARGIN;
    cells.forEach((cell, i) => {
      flow.text(cell, x, 9, font);
      x += columns[i]?.width ?? 50;
    });
    flow.y -= 14;
  };
  line("Summary", 12, bold, 6);
  row(
    columns.map((c) => c.title),
    bold,
  );
  flow.page.drawLine({
    start: { x: MARGIN, y: flow.y + 10 },
    end: { x: A4.width - MARGIN, y: flow.y + 10 },
    thickness: 0.5,
  });
  for (const agent of report.agents) {
    row(
      [
        agent.agent_id,
        String(agent.hours_expected),
        String(agent.hours_sealed),
        String(agent.hours_verified),
        String(agent.hours_timestamped),
        String(agent.missing_hours.length),
        String(agent.failed_hours.length),
        String(agent.gap_lost),
        agent.last_clock_skew_ms === null
          ? "-"
          : `${Math.round(agent.last_clock_skew_ms)}${agent.clock_skew_flagged ? " !" : ""}`,
      ],
      regular,
    );
  }
  const t = report.totals;
  row(
    [
      "Total",
      String(t.hours_expected),
      String(t.hours_sealed),
      String(t.hours_verified),
      String(t.hours_timestamped),
      String(t.missing_hours),
      String(t.failed_hours),
      String(t.gap_lost),
      "",
    ],
    bold,
  );
  flow.y -= 6;
  paragraph(
    `Stamped = verified hours whose every part is time-stamped; of them by the development TSA (no legal value): ${t.hours_timestamped_dev_tsa}.`,
    8,
  );
  line("Lost = datagrams the agents received but could not keep (gap records).", 8);
  line(
    `Skew = hub minus agent clock at the last batch; "!" beyond ${report.skew_threshold_ms} ms.`,
    8,
  );
  line(
    `Chunks with an unsynchronised agent clock: ${t.unsynchronized_chunks}. Chunks purged past retention this month: ${report.chunks_purged}.`,
    8,
    regular,
    14,
  );

  line("Missing and failed hours", 12, bold, 6);
  const problems = report.agents.filter((a) => a.missing_hours.length + a.failed_hours.length > 0);
  if (problems.length === 0) line("None: every expected hour is sealed and verified.", 10);
  for (const agent of problems) {
    line(agent.agent_id, 10, bold);
    for (const [label, hours] of [
      ["missing", agent.missing_hours],
      ["failed", agent.failed_hours],
    ] as const) {
      if (hours.length === 0) continue;
      // Hours as HH per day keep a month on a few lines.
      const byDay = new Map<string, string[]>();
      for (const hour of hours) {
        const [day = "", hh = ""] = hour.split("T");
        byDay.set(day, [...(byDay.get(day) ?? []), hh]);
      }
      for (const [day, hhs] of byDay) line(`  ${label} ${day}: ${hhs.join(" ")}`, 9);
    }
  }
  return flow.pdf.save();
}
