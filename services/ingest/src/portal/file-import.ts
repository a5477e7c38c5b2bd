import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { type Source, sourceOf } from '@commune-pulse/contracts';
import { sha256OfFile, storeInBatches } from '../file-import.ts';
import { type FileLine, readFileLines } from '../file-lines.ts';
import {
  addPortalOutcome,
  emptyPortalOutcome,
  MAX_PORTAL_ELEMENT_BYTES,
  PORTAL_BLOCKS,
  type PortalAdapter,
  type PortalElement,
  type PortalOutcome,
  tooLargeElement,
} from './adapter.ts';

export interface PortalFileImportOptions {
  adapter: PortalAdapter;
  batchRecords?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface PortalFileImportResult extends PortalOutcome {
  source: Source;
}

/** One element of a JSON array export, as text, with where it ends in the file. */
interface ArrayElement {
  /** null when the element is too large to be a record: only its length is counted */
  text: string | null;
  tooLargeBytes: number;
  position: number;
  bytesRead: number;
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

/**
 * The elements of a JSON array file, streamed: a national export does not have to fit in memory. Splits at the
 * array's top-level commas, minding strings and nesting.
 */
async function* arrayElements(path: string): AsyncGenerator<ArrayElement> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = '';
  let oversized = false;
  let oversizedLength = 0;
  let position = 0;
  let bytesRead = 0;
  const stream = createReadStream(path, { encoding: 'utf8' });
  for await (const chunk of stream as AsyncIterable<string>) {
    let start = depth >= 1 ? 0 : -1;
    const flush = (end: number) => {
      if (start < 0) return;
      if (oversized) oversizedLength += Buffer.byteLength(chunk.slice(start, end));
      else element += chunk.slice(start, end);
    };
    /** The element that ends at `end` of this chunk; the next one starts empty. */
    const take = (end: number): ArrayElement => {
      position += 1;
      const taken = {
        text: oversized ? null : element,
        tooLargeBytes: oversizedLength,
        position,
        bytesRead: bytesRead + Buffer.byteLength(chunk.slice(0, end)),
      };
      element = '';
      oversized = false;
      oversizedLength = 0;
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
          oversizedLength = 0;
          start = -1;
        }
      } else if (ch === ',' && depth === 1) {
        flush(i);
        yield take(i);
        start = i + 1;
      }
    }
    flush(chunk.length);
    if (!oversized && element.length > MAX_PORTAL_ELEMENT_BYTES) {
      oversized = true;
      oversizedLength = Buffer.byteLength(element);
      element = '';
    }
    bytesRead += Buffer.byteLength(chunk);
  }
}

/**
 * Imports an export of sync records (a JSON array, or NDJSON of records, envelopes or dead letters) through the
 * portal adapter. The source is the file's content hash in portal blocks, so importing the same bytes again
 * finds every position in the ledger and stores nothing; an interrupted import resumes where its ledger ends.
 */
export async function importPortalFile(
  path: string,
  options: PortalFileImportOptions,
): Promise<PortalFileImportResult> {
  const totalBytes = statSync(path).size;
  const source = sourceOf({ kind: 'file', sha256: await sha256OfFile(path), label: path }, PORTAL_BLOCKS);
  let bytesRead = 0;
  let total = emptyPortalOutcome();
  // As many elements a batch as the event import's lines: as few parts to merge.
  const batchRecords = options.batchRecords ?? 25_000;
  const store = async (batch: PortalElement[]) => {
    const readSoFar = bytesRead;
    const outcome = await options.adapter.storeElements(source, 0, batch);
    total = addPortalOutcome(total, outcome);
    options.onProgress?.(readSoFar, totalBytes);
  };
  if ((await firstCharacter(path)) === '[') {
    const fromArray = (element: ArrayElement): PortalElement => {
      bytesRead = element.bytesRead;
      return element.text === null
        ? tooLargeElement(element.position, element.tooLargeBytes)
        : { ordinal: element.position, value: element.text };
    };
    await storeInBatches(arrayElements(path), fromArray, batchRecords, store);
  } else {
    const lines = readFileLines(path, {
      maxLineBytes: MAX_PORTAL_ELEMENT_BYTES,
      onBytes: (bytes) => (bytesRead = bytes),
    });
    const fromLine = (line: FileLine): PortalElement =>
      line.bytes === null ? tooLargeElement(line.number, line.length) : { ordinal: line.number, value: line.bytes };
    await storeInBatches(lines, fromLine, batchRecords, store);
  }
  options.onProgress?.(totalBytes, totalBytes);
  return { ...total, source };
}
