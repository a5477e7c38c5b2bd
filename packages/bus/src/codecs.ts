import { decompress as zstdDecompress } from 'fzstd';
import kafkajs from 'kafkajs';
import { compressFrame as lz4Compress, decompressFrame as lz4Decompress } from 'lz4-napi';
import { compress as snappyCompress, uncompress as snappyUncompress } from 'snappy';

// Java producers frame snappy batches the xerial way: a magic header, then length-prefixed raw blocks.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

export async function snappyDecode(buffer: Buffer): Promise<Buffer> {
  if (buffer.length < XERIAL_HEADER_BYTES || !buffer.subarray(0, 8).equals(XERIAL_MAGIC)) {
    return (await snappyUncompress(buffer)) as Buffer;
  }
  const blocks: Buffer[] = [];
  let offset = XERIAL_HEADER_BYTES;
  while (offset + 4 <= buffer.length) {
    const size = buffer.readUInt32BE(offset);
    offset += 4;
    blocks.push((await snappyUncompress(buffer.subarray(offset, offset + size))) as Buffer);
    offset += size;
  }
  return Buffer.concat(blocks);
}

interface Encoder {
  buffer: Buffer;
}

// kafkajs is CommonJS: Node sees only its default export from an ES module.
const { CompressionCodecs, CompressionTypes } = kafkajs;
let registered = false;

/**
 * kafkajs only decompresses gzip; a batch compressed with snappy, lz4 or zstd (by a producer, or by a
 * topic-level compression.type) would stop the consumer. Register the others once, before consuming.
 */
export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  CompressionCodecs[CompressionTypes.Snappy] = () => ({
    compress: async (encoder: Encoder) => snappyCompress(encoder.buffer),
    decompress: snappyDecode,
  });
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: async (encoder: Encoder) => lz4Compress(encoder.buffer),
    decompress: async (buffer: Buffer) => lz4Decompress(buffer),
  });
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: async () => {
      throw new Error('producing zstd batches is not supported; consuming them is');
    },
    decompress: async (buffer: Buffer) => Buffer.from(zstdDecompress(buffer)),
  });
}
