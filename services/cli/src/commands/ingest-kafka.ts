import { createDeadLetterProducer, createKafka } from '@commune-pulse/bus';
import { TOPICS } from '@commune-pulse/contracts';
import { type DeadLetterSink, deadLetterHeaders, runKafkaIngest } from '@commune-pulse/ingest';
import { createLogger, type RuntimeConfig } from '@commune-pulse/runtime';
import { formatTable } from '../output.ts';

export async function runKafkaIngestCommand(
  config: RuntimeConfig,
  options: {
    topic?: string | undefined;
    group?: string | undefined;
    exitWhenIdleSeconds?: number | undefined;
    chunkSize?: number | undefined;
    json: boolean;
  },
): Promise<void> {
  const logger = createLogger('ingest', config.logLevel);
  const total = await runKafkaIngest(config, { ...options, logger });
  const summary = {
    messages: total.deliveries,
    accepted: total.accepted,
    duplicates: total.duplicates,
    rejected: total.rejected,
    rejected_by_reason: total.rejectedByReason,
  };
  if (options.json) console.log(JSON.stringify(summary));
  else
    console.log(
      formatTable([
        {
          messages: total.deliveries,
          accepted: total.accepted,
          duplicates: total.duplicates,
          rejected: total.rejected,
        },
      ]),
    );
}

/** File imports send their rejects to the DLQ topic too when a broker is configured. */
export async function kafkaDeadLetters(config: RuntimeConfig, fileLabel: string): Promise<DeadLetterSink> {
  const logger = createLogger('ingest', config.logLevel);
  const kafka = createKafka({ brokers: config.kafkaBrokers as string[], clientId: 'commune-pulse-import', logger });
  const producer = await createDeadLetterProducer(kafka, TOPICS.dossierEventsDlq);
  return {
    send: (rejected) =>
      producer.send(
        rejected.map((item) => ({ key: null, value: item.message.value, headers: deadLetterHeaders(item, fileLabel) })),
      ),
    close: () => producer.close(),
  };
}
