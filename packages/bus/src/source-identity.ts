import { connect } from 'node:net';

/**
 * The identity of a topic as the broker knows it: the cluster id and the topic's UUID. kafkajs speaks Metadata
 * up to v6, which has no topic ids, so this asks with Metadata v12 (Kafka 2.8 and later) over a plain
 * connection: one request, one response, parsed only as far as the ids.
 */
export interface TopicIdentity {
  clusterId: string;
  topicId: string;
}

const API_METADATA = 3;
const METADATA_VERSION = 12;

class Reader {
  offset = 0;
  readonly buffer: Buffer;
  constructor(buffer: Buffer) {
    this.buffer = buffer;
  }
  int8() {
    const value = this.buffer.readInt8(this.offset);
    this.offset += 1;
    return value;
  }
  int16() {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32() {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  uvarint() {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buffer.readUInt8(this.offset);
      this.offset += 1;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
    }
  }
  bytes(length: number) {
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  /** COMPACT_(NULLABLE_)STRING: length + 1 as an unsigned varint, 0 for null */
  compactString(): string | null {
    const length = this.uvarint() - 1;
    return length < 0 ? null : this.bytes(length).toString('utf8');
  }
  skipTaggedFields() {
    const count = this.uvarint();
    for (let i = 0; i < count; i += 1) {
      this.uvarint();
      this.bytes(this.uvarint());
    }
  }
  /** COMPACT_ARRAY: n + 1 as an unsigned varint */
  compactArray<T>(item: () => T): T[] {
    const count = this.uvarint() - 1;
    const items: T[] = [];
    for (let i = 0; i < count; i += 1) items.push(item());
    return items;
  }
}

function uvarint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

export function metadataRequest(correlationId: number, clientId: string, topic: string): Buffer {
  const client = Buffer.from(clientId);
  const name = Buffer.from(topic);
  const header = Buffer.alloc(10);
  header.writeInt16BE(API_METADATA, 0);
  header.writeInt16BE(METADATA_VERSION, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(client.length, 8);
  const body = Buffer.concat([
    header,
    client,
    uvarint(0), // header tagged fields
    uvarint(2), // one topic
    Buffer.alloc(16), // topic_id: zero, asked by name
    uvarint(name.length + 1),
    name,
    uvarint(0), // topic tagged fields
    Buffer.from([0, 0]), // allow_auto_topic_creation, include_topic_authorized_operations
    uvarint(0), // tagged fields
  ]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

export function parseMetadataResponse(body: Buffer, topic: string): TopicIdentity {
  const reader = new Reader(body);
  reader.int32(); // correlation id
  reader.skipTaggedFields();
  reader.int32(); // throttle time
  reader.compactArray(() => {
    reader.int32();
    reader.compactString();
    reader.int32();
    reader.compactString();
    reader.skipTaggedFields();
  });
  const clusterId = reader.compactString();
  reader.int32(); // controller id
  const topics = reader.compactArray(() => {
    const errorCode = reader.int16();
    const name = reader.compactString();
    const topicId = reader.bytes(16).toString('base64url');
    reader.int8(); // is_internal
    reader.compactArray(() => {
      reader.int16();
      reader.int32();
      reader.int32();
      reader.int32();
      reader.compactArray(() => reader.int32());
      reader.compactArray(() => reader.int32());
      reader.compactArray(() => reader.int32());
      reader.skipTaggedFields();
    });
    reader.int32(); // authorized operations
    reader.skipTaggedFields();
    return { errorCode, name, topicId };
  });
  const found = topics.find((candidate) => candidate.name === topic);
  if (!clusterId) throw new Error('the broker reported no cluster id');
  if (!found) throw new Error(`the broker did not describe the topic ${topic}`);
  if (found.errorCode !== 0)
    throw new Error(`the broker answered error code ${found.errorCode} for the topic ${topic}`);
  if (/^A+$/.test(found.topicId.replace(/=+$/, '')))
    throw new Error(`the broker reported no id for the topic ${topic}`);
  return { clusterId, topicId: found.topicId };
}

/** Asks one broker (`host:port`) for the cluster id and a topic's id. */
export function fetchTopicIdentity(broker: string, topic: string, timeoutMs = 10_000): Promise<TopicIdentity> {
  const separator = broker.lastIndexOf(':');
  const host = broker.slice(0, separator);
  const port = Number(broker.slice(separator + 1));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let received = 0;
    const fail = (error: Error) => {
      socket.destroy();
      reject(
        new Error(
          `cannot read the identity of the topic ${topic} from ${broker} (Metadata v12, Kafka 2.8 or later): ${error.message}`,
        ),
      );
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('error', fail);
    socket.on('connect', () => socket.write(metadataRequest(1, 'commune-pulse-identity', topic)));
    socket.on('data', (data: Buffer) => {
      chunks.push(data);
      received += data.length;
      const all = Buffer.concat(chunks, received);
      if (all.length < 4 || all.length < 4 + all.readInt32BE(0)) return;
      socket.end();
      try {
        resolve(parseMetadataResponse(all.subarray(4, 4 + all.readInt32BE(0)), topic));
      } catch (error) {
        fail(error as Error);
      }
    });
    socket.on('close', () => {
      if (received === 0) fail(new Error('the connection closed without an answer'));
    });
  });
}
