import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { type FileHandle, open, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sourceOf } from '@commune-pulse/contracts';
import type { PortalEnvelope } from '@commune-pulse/portal';
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

/**
 * Without a broker, the portal receiver makes each accepted call durable in a journal under the data folder
 * before it answers: one NDJSON line per record (a sanitized envelope), written and fdatasync'ed. The drain
 * feeds the lines to the portal adapter and records how far it got beside each segment. A segment is a source
 * of its own, named by the random id in its file name (its bytes grow, so no content hash names it; a receiver
 * on another host sharing the warehouse never makes the same id), position = line in portal blocks: a drain
 * interrupted anywhere and run again finds its lines in the ledger and stores nothing twice.
 */

export interface PortalCallSink {
  /** resolves once the records are durable (fsynced, or acknowledged by all in-sync replicas) */
  append(envelopes: readonly PortalEnvelope[]): Promise<void>;
  close(): Promise<void>;
}

export function journalDir(dataDir: string): string {
  return join(dataDir, 'portal-journal');
}

interface Pending {
  text: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Appends to a new segment of its own; concurrent calls share one write and one fdatasync (group commit). */
export async function openJournalWriter(dir: string): Promise<PortalCallSink & { segment(): string }> {
  mkdirSync(dir, { recursive: true });
  let handle: FileHandle | null = null;
  let path = '';
  const openSegment = async () => {
    // Zero-padded start time: segments sort in the order they were written.
    path = join(dir, `segment-${String(Date.now()).padStart(15, '0')}-${process.pid}-${randomUUID()}.ndjson`);
    handle = await open(path, 'a');
    // The new file's directory entry is durable too.
    const directory = await open(dir, 'r');
    await directory.sync().finally(() => directory.close());
  };
  await openSegment();
  let queue: Pending[] = [];
  let writing: Promise<void> | null = null;
  const flush = async () => {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        if (handle === null) await openSegment();
        const file = handle as unknown as FileHandle;
        await file.write(batch.map((item) => item.text).join(''));
        await file.datasync();
        for (const item of batch) item.resolve();
      } catch (error) {
        // A failed write may have left half a line: later calls go to a fresh segment.
        const broken = handle;
        handle = null;
        await broken?.close().catch(() => {});
        for (const item of batch) item.reject(error);
      }
    }
    writing = null;
  };
  return {
    segment: () => path,
    append(envelopes) {
      const text = envelopes.map((envelope) => `${JSON.stringify(envelope)}\n`).join('');
      return new Promise<void>((resolve, reject) => {
        queue.push({ text, resolve, reject });
        writing ??= flush();
      });
    },
    async close() {
      await writing;
      await (handle as FileHandle | null)?.close();
      handle = null;
    },
  };
}

/** segment-<start ms>-<writer's pid>-<random id>.ndjson */
const SEGMENT = /^segment-\d+-(\d+)-[0-9a-f-]{36}\.ndjson$/;

interface Progress {
  bytes: number;
  lines: number;
}

async function readProgress(path: string): Promise<Progress> {
  try {
    const handle = await open(path, 'r');
    try {
      return JSON.parse((await handle.readFile()).toString('utf8')) as Progress;
    } finally {
      await handle.close();
    }
  } catch {
    return { bytes: 0, lines: 0 };
  }
}

async function writeProgress(path: string, progress: Progress): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(progress));
  await rename(`${path}.tmp`, path);
}

const READ_CHUNK = 4 * 1024 * 1024;

/**
 * Feeds every complete journal line not drained yet to the adapter, oldest segment first, and removes the
 * segments that are drained and no longer written (`activeSegment` is the one this process writes).
 */
export async function drainJournal(
  dir: string,
  adapter: PortalAdapter,
  options: { activeSegment?: string; batchRecords?: number } = {},
): Promise<PortalOutcome> {
  let total = emptyPortalOutcome();
  let segments: string[];
  try {
    segments = readdirSync(dir)
      .filter((name) => SEGMENT.test(name))
      .sort();
  } catch {
    return total;
  }
  const batchRecords = options.batchRecords ?? 5_000;
  for (const name of segments) {
    const path = join(dir, name);
    const progressPath = `${path}.drained`;
    const progress = await readProgress(progressPath);
    const size = statSync(path).size;
    const source = sourceOf({ kind: 'journal', segmentId: basename(name, '.ndjson'), label: path }, PORTAL_BLOCKS);
    if (size > progress.bytes) {
      const handle = await open(path, 'r');
      try {
        let offset = progress.bytes;
        let line = progress.lines;
        let rest = Buffer.alloc(0);
        let batch: PortalElement[] = [];
        let batchEnd = { bytes: offset, lines: line };
        const store = async () => {
          if (batch.length === 0) return;
          total = addPortalOutcome(total, await adapter.storeElements(source, 0, batch));
          await writeProgress(progressPath, batchEnd);
          batch = [];
        };
        while (offset < size) {
          const buffer = Buffer.alloc(Math.min(READ_CHUNK, size - offset));
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          let data = Buffer.concat([rest, buffer.subarray(0, bytesRead)]);
          let consumed = offset - data.length;
          for (let newline = data.indexOf(10); newline !== -1; newline = data.indexOf(10)) {
            const bytes = data.subarray(0, newline);
            consumed += newline + 1;
            data = data.subarray(newline + 1);
            line += 1;
            batchEnd = { bytes: consumed, lines: line };
            if (bytes.byteLength > MAX_PORTAL_ELEMENT_BYTES) batch.push(tooLargeElement(line, bytes.byteLength));
            else if (bytes.toString('utf8').trim() !== '') batch.push({ ordinal: line, value: bytes });
            if (batch.length >= batchRecords) await store();
          }
          // A line cut by the end of what was written so far waits for its end (or, in a dead writer's
          // segment, was never acknowledged).
          rest = data;
        }
        if (batch.length > 0) await store();
        else if (batchEnd.bytes > progress.bytes) await writeProgress(progressPath, batchEnd);
      } finally {
        await handle.close();
      }
    }
    if (path !== options.activeSegment && !writerAlive(name)) {
      const drained = await readProgress(progressPath);
      const complete = drained.bytes >= size || (await tailIsPartial(path, drained.bytes, size));
      if (complete) {
        rmSync(path, { force: true });
        rmSync(progressPath, { force: true });
      }
    }
  }
  return total;
}

/** Whether the process that writes a segment still runs (another receiver on a shared warehouse). */
function writerAlive(name: string): boolean {
  const pid = Number(SEGMENT.exec(name)?.[1]);
  if (!Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether what is left after the drained part is a line without its end: a write that was never acknowledged. */
async function tailIsPartial(path: string, from: number, size: number): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(size - from);
    await handle.read(buffer, 0, buffer.length, from);
    return !buffer.includes(10);
  } finally {
    await handle.close();
  }
}
