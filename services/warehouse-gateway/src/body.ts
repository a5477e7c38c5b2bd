import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createZstdDecompress } from 'node:zlib';
import { GatewayError } from './protocol.ts';

function decompressorFor(encoding: string): Transform | undefined {
  switch (encoding) {
    case '':
    case 'identity':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    case 'zstd':
      return createZstdDecompress();
    default:
      throw new GatewayError(
        415,
        89,
        'UNKNOWN_COMPRESSION_METHOD',
        `Unsupported Content-Encoding '${encoding}': the warehouse gateway accepts gzip, deflate, br and zstd`,
      );
  }
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError(
    413,
    396,
    'TOO_MANY_ROWS_OR_BYTES',
    `Request body exceeds the warehouse gateway's limit of ${limit} bytes; send smaller batches`,
  );
}

/**
 * The whole request body, decompressed per `Content-Encoding`. Both the bytes on the wire and the decompressed
 * bytes are held to `limit`, so a small gzip bomb is refused as surely as a large plain body.
 *
 * Buffered rather than streamed into the engine: one request is one INSERT, which is what makes an
 * `insert_deduplication_token` cover the whole batch; cutting a body into several inserts would not.
 *
 * On failure the request is paused, not destroyed, so that the caller can still answer on its socket.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  const encoding = String(request.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  let decompressor: Transform | undefined;
  try {
    decompressor = decompressorFor(encoding);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let size = 0;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      request.off('data', onWire);
      if (decompressor !== undefined) {
        request.unpipe(decompressor);
        decompressor.off('data', onData);
        decompressor.destroy();
      } else {
        request.off('data', onData);
      }
      request.pause();
      reject(error);
    };
    const onWire = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) fail(tooLarge(limit));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) fail(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    request.on('error', fail);
    request.on('close', () => {
      if (!request.complete) fail(new Error('the client closed the connection before sending the whole body'));
    });
    if (decompressor === undefined) {
      request.on('data', onData);
      request.on('end', onEnd);
      return;
    }
    decompressor.on('error', (error) =>
      fail(
        new GatewayError(
          400,
          271,
          'CANNOT_DECOMPRESS',
          `Cannot decompress the request body (Content-Encoding: ${encoding}): ${error.message}`,
        ),
      ),
    );
    decompressor.on('data', onData);
    decompressor.on('end', onEnd);
    request.on('data', onWire);
    request.pipe(decompressor);
  });
}
