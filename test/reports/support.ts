import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEstimation } from '@commune-pulse/estimator';
import { importNdjsonFile, openIngestContext } from '@commune-pulse/ingest';
import {
  defaultCalendar,
  formatDay,
  isoWeekLabel,
  isoWeekStartDayNumber,
  readCsv,
  vnDayNumber,
  weekPeriod,
} from '@commune-pulse/reference-data';
import type { Browser } from '@commune-pulse/reporter';
import { createLogger, loadConfig } from '@commune-pulse/runtime';
import { formatStaffingCsv, simulateEvents, simulateStaffing } from '@commune-pulse/simulator';
import { parseStaffingCsv, saveStaffingRows } from '@commune-pulse/warehouse';

export interface SimulatedWeeks {
  /** the ISO week that ended last (what the Monday job reports), e.g. 2026-W47 */
  week: string;
  /** every estimated week, oldest first */
  weeks: string[];
  events: number;
}

/**
 * A warehouse filled by the simulator: `weeksBefore` full weeks before the week that ended, that week, and the
 * current week up to now. The span is centred on the reported week's Monday, so the communes the simulator
 * reinforces get their support staff from that Monday on: some recover in the reported week. Every complete
 * week is estimated, as the estimator's Monday runs would have done.
 */
export async function simulateWarehouse(
  dataDir: string,
  options: {
    communeCodes?: string[];
    scale: number;
    weeksBefore: number;
    seed?: number;
    faults?: Record<string, number>;
  },
): Promise<SimulatedWeeks> {
  const nowMs = Date.now();
  const monday = isoWeekStartDayNumber(vnDayNumber(nowMs));
  const reportedMonday = monday - 7;
  const startDay = formatDay(reportedMonday - 7 * options.weeksBefore);
  const days = 2 * 7 * (options.weeksBefore + 1);
  const scope = { seed: options.seed ?? 11, communeCodes: options.communeCodes, startDay, days, scale: options.scale };

  const eventsPath = join(dataDir, '..', `events-${Date.now()}.ndjson`);
  const out = createWriteStream(eventsPath);
  const stream = simulateEvents({ ...scope, endMs: nowMs - 60_000, faults: options.faults });
  let chunk = '';
  let events = 0;
  for (let result = stream.next(); result.done !== true; result = stream.next()) {
    chunk += `${result.value}\n`;
    events++;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');

  const logger = createLogger('test', 'silent');
  const context = await openIngestContext(loadConfig({ COMMUNE_PULSE_DATA_DIR: dataDir }), logger);
  const weeks = Array.from({ length: options.weeksBefore + 1 }, (_, i) =>
    isoWeekLabel(formatDay(reportedMonday - 7 * (options.weeksBefore - i))),
  );
  try {
    await importNdjsonFile(eventsPath, { pipeline: context.createPipeline(context.localDeadLetters()) });
    await context.derive();
    const roster = parseStaffingCsv(formatStaffingCsv(simulateStaffing(scope)));
    if (!roster.ok) throw new Error(JSON.stringify(roster.errors.slice(0, 3)));
    await saveStaffingRows(context.warehouse, roster.rows, 'simulated-staffing.csv');
    for (const week of weeks) {
      await runEstimation(
        { warehouse: context.warehouse, calendar: defaultCalendar(), logger },
        { period: weekPeriod(week), trigger: 'test' },
      );
    }
  } finally {
    await context.close();
  }
  return { week: weeks[weeks.length - 1] as string, weeks, events };
}

/** The rows of a report CSV as objects keyed by its (localised) header; the byte-order mark must be there. */
export function readReportCsv(path: string): { header: string[]; rows: Record<string, string>[] } {
  const text = readFileSync(path, 'utf8');
  if (!text.startsWith('\uFEFF')) throw new Error(`${path} has no UTF-8 byte-order mark`);
  const parsed = readCsv(text);
  if (!parsed.ok) throw new Error(`${path}: line ${parsed.error.line}: ${parsed.error.message}`);
  const [header, ...records] = parsed.records;
  const names = [...(header?.fields ?? [])];
  return {
    header: names,
    rows: records.map((record) => Object.fromEntries(names.map((name, i) => [name, record.fields[i] ?? '']))),
  };
}

export function pdfPages(path: string): number {
  const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
  const match = /^Pages:\s+(\d+)/m.exec(info);
  if (!match) throw new Error(`pdfinfo printed no page count for ${path}:\n${info}`);
  return Number(match[1]);
}

/** The PDF's text, pages separated by form feeds, in composed Unicode (as the HTML is). */
export function pdfText(path: string): string {
  return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).normalize('NFC');
}

export function pdfPagePng(path: string, page: number, outStem: string, dpi = 80): string {
  execFileSync('pdftoppm', [
    '-png',
    '-r',
    String(dpi),
    '-f',
    String(page),
    '-l',
    String(page),
    '-singlefile',
    path,
    outStem,
  ]);
  return `${outStem}.png`;
}

/**
 * Distinct colours of a PNG, counted by Chromium itself (drawn on a canvas), over a grid of at most 200,000
 * samples: a blank or single-colour page has a handful, a page of charts and tables hundreds.
 */
export async function distinctColours(browser: Browser, png: Buffer): Promise<number> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async (dataUrl: string) => {
        // This function runs in Chromium: its globals, not the compiler's (which has no DOM library here).
        const { document, Image } = globalThis as unknown as CanvasPageGlobals;
        const image = new Image();
        image.src = dataUrl;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.width;
        canvas.height = image.height;
        const context = canvas.getContext('2d');
        if (!context) throw new Error('no 2d canvas');
        context.drawImage(image, 0, 0);
        const { data } = context.getImageData(0, 0, image.width, image.height);
        const step = Math.max(1, Math.floor((image.width * image.height) / 200_000));
        const colours = new Set<number>();
        for (let pixel = 0; pixel < image.width * image.height; pixel += step) {
          const i = pixel * 4;
          colours.add(((data[i] as number) << 16) | ((data[i + 1] as number) << 8) | (data[i + 2] as number));
        }
        return colours.size;
      },
      `data:image/png;base64,${png.toString('base64')}`,
    );
  } finally {
    await page.close();
  }
}

interface CanvasPageGlobals {
  Image: new () => { src: string; width: number; height: number; decode(): Promise<void> };
  document: {
    createElement(tag: 'canvas'): {
      width: number;
      height: number;
      getContext(kind: '2d'): {
        drawImage(image: unknown, x: number, y: number): void;
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      } | null;
    };
  };
}
