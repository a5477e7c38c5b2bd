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
  const batchLines = options.batchLines ?? 10_000;
  let total = emptyOutcome();
  let bytesRead = 0;
  let lineNumber = 0;
  let batch: SourceMessage[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const first = (batch[0] as SourceMessage).position;
    const last = (batch[batch.length - 1] as SourceMessage).position;
    total = addOutcome(total, await options.pipeline.storeBatch(batch, `${source}:${first}-${last}`));
    batch = [];
    options.onProgress?.(bytesRead, totalBytes);
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

/** This source's accepted deliveries since an instant: first deliveries of their event, and repeats. */
async function deliveriesSince(warehouse: Warehouse, source: string, sinceMs: number) {
  const [row] = await warehouse.query<{ first: number; repeated: number }>(
    `SELECT countIf(rank = 1) AS first, countIf(rank > 1) AS repeated FROM (
       SELECT source, ingested_at,
              row_number() OVER (PARTITION BY event_id ORDER BY ingested_at, source, position) AS rank
       FROM ingest_deliveries FINAL
       WHERE outcome = 'accepted' AND event_id IN (
         SELECT event_id FROM ingest_deliveries
         WHERE source = {source:String} AND outcome = 'accepted' AND ingested_at >= fromUnixTimestamp64Milli({since:Int64})))
     WHERE source = {source:String} AND ingested_at >= fromUnixTimestamp64Milli({since:Int64})`,
    { source, since: sinceMs },
  );
  return { first: Number(row?.first ?? 0), repeated: Number(row?.repeated ?? 0) };
}
