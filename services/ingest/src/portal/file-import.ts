import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Warehouse } from '@commune-pulse/warehouse';
import {
  addPortalOutcome,
  emptyPortalOutcome,
  MAX_PORTAL_ELEMENT_BYTES,
  type PortalAdapter,
  type PortalItem,
  type PortalOutcome,
  tooLargeElement,
} from './adapter.ts';

export interface PortalFileImportOptions {
  adapter: PortalAdapter;
  warehouse: Warehouse;
  batchRecords?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface PortalFileImportResult extends PortalOutcome {
  source: string;
}

/** One element of an export, as text, with where it ends in the file. */
interface Element {
  text: string | null;
  position: number;
  bytesRead: number;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function firstCharacter(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return (
      buffer
        .subarray(0, bytesRead)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .trimStart()[0] ?? ''
    );
  } finally {
    await handle.close();
  }
}

async function* ndjsonElements(path: string): AsyncGenerator<Element> {
  let bytesRead = 0;
  let line = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const text of lines) {
    line += 1;
    const bytes = Buffer.byteLength(text) + 1;
    bytesRead += bytes;
    if (text.trim() === '') continue;
    yield { text: bytes > MAX_PORTAL_ELEMENT_BYTES ? null : text, position: line, bytesRead };
  }
}

/**
 * The elements of a JSON array file, streamed: a national export does not have to fit in memory. Splits at the
 * array's top-level commas, minding strings and nesting.
 */
async function* arrayElements(path: string): AsyncGenerator<Element> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = '';
  let oversized = false;
  let position = 0;
  let bytesRead = 0;
  const stream = createReadStream(path, { encoding: 'utf8' });
  for await (const chunk of stream as AsyncIterable<string>) {
    let start = depth >= 1 ? 0 : -1;
    const flush = (end: number) => {
      if (start >= 0 && !oversized) element += chunk.slice(start, end);
    };
    /** The element that ends at `end` of this chunk; the next one starts empty. */
    const take = (end: number): Element => {
      position += 1;
      const taken = {
        text: oversized ? null : element,
        position,
        bytesRead: bytesRead + Buffer.byteLength(chunk.slice(0, end)),
      };
      element = '';
      oversized = false;
      return taken;
    };
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '[' || ch === '{') {
        depth += 1;
        if (depth === 1) start = i + 1;
      } else if ((ch === ']' || ch === '}') && depth > 0) {
        depth -= 1;
        if (depth === 0) {
          flush(i);
          if (element.trim() !== '' || oversized) yield take(i);
          element = '';
          oversized = false;
          start = -1;
        }
      } else if (ch === ',' && depth === 1) {
        flush(i);
        yield take(i);
        start = i + 1;
      }
    }
    flush(chunk.length);
    if (element.length > MAX_PORTAL_ELEMENT_BYTES) {
      oversized = true;
      element = '';
    }
    bytesRead += Buffer.byteLength(chunk);
  }
}

/**
 * Imports an export of sync records (a JSON array, or NDJSON of records, envelopes or dead letters) through the
 * portal adapter. The source is named by the file's content hash, so importing the same bytes again is
 * recognised position by position and stores nothing new.
 */
export async function importPortalFile(
  path: string,
  options: PortalFileImportOptions,
): Promise<PortalFileImportResult> {
  const totalBytes = statSync(path).size;
  const source = `portal-file:${(await sha256OfFile(path)).slice(0, 32)}`;
  const [known] = await options.warehouse.query<{ n: number }>(
    'SELECT count() AS n FROM ingest_deliveries WHERE source = {source:String}',
    { source },
  );
  const firstImport = Number(known?.n ?? 0) === 0;
  // As many elements as the event import's lines per batch: as few parts to merge.
  const batchRecords = options.batchRecords ?? 25_000;
  const elements = (await firstCharacter(path)) === '[' ? arrayElements(path) : ndjsonElements(path);
  let total = emptyPortalOutcome();
  let batch: PortalItem[] = [];
  let lastBytes = 0;
  // Two batches in flight: one is mapped while the engine writes the other.
  const inFlight: Promise<void>[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const first = (batch[0] as PortalItem).position;
    const last = (batch[batch.length - 1] as PortalItem).position;
    const readSoFar = lastBytes;
    inFlight.push(
      options.adapter.storeItems(batch, `${source}:${first}-${last}`, { newSource: firstImport }).then((outcome) => {
        total = addPortalOutcome(total, outcome);
        options.onProgress?.(readSoFar, totalBytes);
      }),
    );
    batch = [];
    if (inFlight.length >= 2) await inFlight.shift();
  };
  for await (const element of elements) {
    lastBytes = element.bytesRead;
    batch.push(
      element.text === null
        ? tooLargeElement(source, element.position)
        : { source, position: element.position, text: element.text },
    );
    if (batch.length >= batchRecords) await flush();
  }
  lastBytes = totalBytes;
  await flush();
  await Promise.all(inFlight);
  return { ...total, source };
}
