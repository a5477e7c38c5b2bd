import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DLQ_HEADERS, TOPICS } from '@commune-pulse/contracts';
import type { DeadLetterSink, RejectedMessage } from './pipeline.ts';

/** The dlq_* headers of a reject: the reason and where the message came from. */
export function deadLetterHeaders(rejected: RejectedMessage, sourceLabel?: string): Record<string, string> {
  const { message, reject } = rejected;
  const headers: Record<string, string> = {
    [DLQ_HEADERS.reason]: reject.reason,
    [DLQ_HEADERS.detail]: reject.detail,
  };
  const kafka = /^kafka:(.+):(\d+)$/.exec(message.source);
  if (kafka) {
    headers[DLQ_HEADERS.sourceTopic] = kafka[1] as string;
    headers[DLQ_HEADERS.sourcePartition] = kafka[2] as string;
    headers[DLQ_HEADERS.sourceOffset] = String(message.position);
  } else {
    headers[DLQ_HEADERS.sourceFile] = sourceLabel ?? message.source;
    headers[DLQ_HEADERS.sourceLine] = String(message.position);
  }
  return headers;
}

/**
 * Without a broker, dead letters go to an NDJSON file beside the warehouse: the original bytes (as text) with
 * the same dlq_* headers the topic would carry, so nothing rejected is lost.
 */
export function fileDeadLetterSink(
  path: string,
  sourceLabel?: string,
  topic: string = TOPICS.dossierEventsDlq,
): DeadLetterSink & { path: string } {
  return {
    path,
    async send(rejected) {
      await mkdir(dirname(path), { recursive: true });
      const lines = rejected.map((item) =>
        JSON.stringify({
          topic,
          headers: deadLetterHeaders(item, sourceLabel),
          value: item.message.value === null ? null : item.message.value.toString(),
        }),
      );
      await appendFile(path, `${lines.join('\n')}\n`);
    },
  };
}
