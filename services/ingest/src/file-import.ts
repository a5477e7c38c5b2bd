import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Warehouse } from '@commune-pulse/warehouse';
import { addOutcome, type BatchOutcome, emptyOutcome, type IngestPipeline, type SourceMessage } from './pipeline.ts';

export interface FileImportOptions {
  pipeline: IngestPipeline;
  batchLines?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface FileImportResult extends BatchOutcome {
  lines: number;
  source: string;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Imports an NDJSON file through the same validation and storage as the Kafka consumer. The source is named
 * by the file's content hash, so importing the same bytes again (under any name) is recognised position by
 * position and stores nothing new.
 */
export async function importNdjsonFile(path: string, options: FileImportOptions): Promise<FileImportResult> {
  const startedAtMs = Date.now();
  const totalBytes = statSync(path).size;
  const source = `file:${(await sha256OfFile(path)).slice(0, 32)}`;
  // A file never imported before has no stored positions to look up batch by batch.
  const [known] = await options.pipeline.warehouse.query<{ n: number }>(
    'SELECT count() AS n FROM ingest_deliveries WHERE source = {source:String}',
    { source },
  );
  const firstImport = Number(known?.n ?? 0) === 0;
  const batchLines = options.batchLines ?? 25_000;
  let total = emptyOutcome();
  let bytesRead = 0;
  let lineNumber = 0;
  let batch: SourceMessage[] = [];
  // Two batches in flight: one is validated on this thread while the engine writes the other. A file has no
  // offsets to commit in order: an interrupted import is resumed position by position.
  const inFlight: Promise<void>[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const first = (batch[0] as SourceMessage).position;
    const last = (batch[batch.length - 1] as SourceMessage).position;
    const readSoFar = bytesRead;
    inFlight.push(
      options.pipeline.storeBatch(batch, `${source}:${first}-${last}`, { newSource: firstImport }).then((outcome) => {
        total = addOutcome(total, outcome);
        options.onProgress?.(readSoFar, totalBytes);
      }),
    );
    batch = [];
    if (inFlight.length >= 2) await inFlight.shift();
  };
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    lineNumber += 1;
    bytesRead += Buffer.byteLength(line) + 1;
    if (line.trim() === '') continue;
    batch.push({ source, position: lineNumber, value: line });
    if (batch.length >= batchLines) await flush();
  }
  bytesRead = totalBytes;
  await flush();
  await Promise.all(inFlight);
  // A chunk only knows its own duplicates; an event repeated in another chunk of the file (or stored by an
  // earlier source) is found by its earlier delivery in the ledger.
  const ledger = await deliveriesSince(options.pipeline.warehouse, source, startedAtMs);
  return {
    ...total,
    accepted: ledger.first,
    duplicates: total.redelivered + ledger.repeated,
    lines: total.deliveries,
    source,
  };
}

/**
 * This source's accepted deliveries since an instant: how many carried an event for the first time, and how
 * many repeated an event (delivered earlier in the run, or before it by any source).
 */
async function deliveriesSince(warehouse: Warehouse, source: string, sinceMs: number) {
  const params = { source, since: sinceMs };
  const thisRun =
    "source = {source:String} AND outcome = 'accepted' AND ingested_at >= fromUnixTimestamp64Milli({since:Int64})";
  const [run] = await warehouse.query<{ deliveries: number; events: number }>(
    `SELECT uniqExact(position) AS deliveries, uniqExact(event_id) AS events FROM ingest_deliveries WHERE ${thisRun}`,
    params,
  );
  // Events delivered before the run (by any source) make its first deliveries repeats; on a warehouse that had
  // nothing else, the costly comparison is skipped.
  const [others] = await warehouse.query<{ n: number }>(
    `SELECT count() AS n FROM ingest_deliveries WHERE outcome = 'accepted' AND NOT (${thisRun})`,
    params,
  );
  let knownBefore = 0;
  if (Number(others?.n ?? 0) > 0) {
    const [row] = await warehouse.query<{ n: number }>(
      `SELECT uniqExact(event_id) AS n FROM ingest_deliveries
       WHERE outcome = 'accepted' AND NOT (${thisRun})
         AND event_id IN (SELECT event_id FROM ingest_deliveries WHERE ${thisRun})`,
      params,
    );
    knownBefore = Number(row?.n ?? 0);
  }
  const first = Number(run?.events ?? 0) - knownBefore;
  return { first, repeated: Number(run?.deliveries ?? 0) - first };
}
