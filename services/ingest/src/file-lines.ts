import { createReadStream } from 'node:fs';

/** A line of an NDJSON file, as bytes: the validation decides what they are (strict UTF-8, JSON). */
export interface FileLine {
  /** 1-based, counting every line */
  number: number;
  /** the line without its end (`\n`, or `\r\n`); null when the line was longer than the cap */
  bytes: Buffer | null;
  /** the line's length in bytes (also when it was too long to keep) */
  length: number;
}

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== CR) return false;
  return true;
}

/**
 * Reads a file line by line as bytes. Lines end at `\n` only: a `\r` before it is dropped (CRLF files), a lone
 * `\r` inside a line stays in the line. A byte-order mark at the start of the file is dropped. A line longer than
 * `maxLineBytes` is not buffered: its bytes are counted and skipped, and it is yielded with `bytes: null`. Blank
 * lines are skipped (their numbers are not reused). `onBytes` reports progress in bytes read.
 */
export async function* readFileLines(
  path: string,
  options: { maxLineBytes?: number; onBytes?: (bytesRead: number) => void } = {},
): AsyncGenerator<FileLine> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let number = 0;
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let tooLong = false;
  let bytesRead = 0;
  let atStart = true;

  const finishLine = (tail: Buffer): FileLine | null => {
    number += 1;
    const length = pendingLength + tail.length;
    let bytes: Buffer | null = null;
    if (!tooLong && length <= maxLineBytes) {
      bytes = pending.length === 0 ? tail : Buffer.concat([...pending, tail], length);
      if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    }
    pending = [];
    pendingLength = 0;
    const wasTooLong = tooLong || length > maxLineBytes;
    tooLong = false;
    if (!wasTooLong && isBlank(bytes as Buffer)) return null;
    return { number, bytes, length };
  };

  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    let buffer = chunk as Buffer;
    bytesRead += buffer.length;
    if (atStart) {
      atStart = false;
      if (buffer.subarray(0, 3).equals(BOM)) buffer = buffer.subarray(3);
    }
    let start = 0;
    for (;;) {
      const end = buffer.indexOf(LF, start);
      if (end === -1) break;
      const line = finishLine(buffer.subarray(start, end));
      if (line) yield line;
      start = end + 1;
    }
    const rest = buffer.subarray(start);
    if (rest.length > 0) {
      if (!tooLong && pendingLength + rest.length <= maxLineBytes) {
        // Copied: the read buffer is reused by the stream.
        pending.push(Buffer.from(rest));
      } else {
        tooLong = true;
        pending = [];
      }
      pendingLength += rest.length;
    }
    options.onBytes?.(bytesRead);
  }
  if (pendingLength > 0 || tooLong) {
    const line = finishLine(Buffer.alloc(0));
    if (line) yield line;
  }
}
