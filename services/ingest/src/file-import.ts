import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { type Source, sourceOf } from '@commune-pulse/contracts';
import { DEFAULT_MAX_LINE_BYTES, readFileLines } from './file-lines.ts';
import { addOutcome, type BatchOutcome, emptyOutcome, type IngestPipeline, type SourceMessage } from './pipeline.ts';

export interface FileImportOptions {
  pipeline: IngestPipeline;
  batchLines?: number;
  maxLineBytes?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface FileImportResult extends BatchOutcome {
  lines: number;
  source: Source;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Imports an NDJSON file through the same validation and storage as the Kafka consumer. The source is named by
 * the file's content hash, so importing the same bytes again (under any name) finds every line in the ledger and
 * stores nothing; an interrupted import resumes where its ledger ends, whatever the batch size.
 */
export async function importNdjsonFile(path: string, options: FileImportOptions): Promise<FileImportResult> {
  const totalBytes = statSync(path).size;
  const source = sourceOf({ kind: 'file', sha256: await sha256OfFile(path), label: path });
  const batchLines = options.batchLines ?? 25_000;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let total = emptyOutcome();
  let batch: SourceMessage[] = [];
  let bytesRead = 0;
  // Two batches in flight: one is validated on this thread while the engine writes the other.
  const inFlight: Promise<void>[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const readSoFar = bytesRead;
    const stored = options.pipeline.storeChunk({ source, partition: 0, messages: batch }).then((outcome) => {
      total = addOutcome(total, outcome);
      options.onProgress?.(readSoFar, totalBytes);
    });
    // A batch that fails while the other is awaited is reported by that await, not as unhandled.
    stored.catch(() => {});
    inFlight.push(stored);
    batch = [];
    if (inFlight.length >= 2) await inFlight.shift();
  };
  try {
    for await (const line of readFileLines(path, { maxLineBytes, onBytes: (bytes) => (bytesRead = bytes) })) {
      batch.push(
        line.bytes === null
          ? {
              position: line.number,
              value: null,
              reject: {
                reason: 'too_large',
                detail: `the line has ${line.length} bytes; the limit is ${maxLineBytes}`,
              },
            }
          : { position: line.number, value: line.bytes },
      );
      if (batch.length >= batchLines) await flush();
    }
    await flush();
  } finally {
    // Whatever happens, no batch is left running under a warehouse about to close.
    await Promise.allSettled(inFlight);
  }
  await Promise.all(inFlight);
  options.onProgress?.(totalBytes, totalBytes);
  return { ...total, lines: total.deliveries, source };
}
