import { join } from 'node:path';
import { createKafka } from '@commune-pulse/bus';
import { TOPICS } from '@commune-pulse/contracts';
import { defaultCalendar, defaultProcedureCatalog, provinceOfCommune } from '@commune-pulse/reference-data';
import { createLogger, type Logger, type RuntimeConfig } from '@commune-pulse/runtime';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import { type DeadLetterSink, fileDeadLetterSink, kafkaDeadLetterSink } from './dead-letters.ts';
import { type DeriveResult, deriveLifecycle } from './derive.ts';
import { createLedger } from './ledger.ts';
import { createIngestPipeline, type IngestPipeline } from './pipeline.ts';

export interface IngestContext {
  warehouse: Warehouse;
  createPipeline(deadLetters: DeadLetterSink): IngestPipeline;
  /** Dead letters without a broker: an NDJSON file under the data folder, named after the DLQ topic it stands for. */
  localDeadLetters(topic?: string): DeadLetterSink & { path: string };
  /**
   * Dead letters of a file import: the DLQ topic (dossier-events.v1.dlq by default) when a broker is configured,
   * else the local file that stands for it.
   */
  importDeadLetters(topic?: string): DeadLetterSink;
  derive(onProgress?: (done: number, total: number) => void): Promise<DeriveResult>;
  close(): Promise<void>;
}

export async function openIngestContext(config: RuntimeConfig, logger: Logger): Promise<IngestContext> {
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  logger.debug({ mode: warehouse.mode, location: warehouse.location }, 'warehouse open');
  await createLedger(warehouse).applyRetention(config.ledgerRetentionDays);
  const catalog = defaultProcedureCatalog();
  const calendar = defaultCalendar();
  const localDeadLetters = (topic: string = TOPICS.dossierEventsDlq) =>
    fileDeadLetterSink(join(config.dataDir, 'dead-letters', `${topic}.ndjson`), topic);
  // the CLI's import logs at the level of the configuration, as `pnpm cli ingest` always did
  const importLogger = createLogger('ingest', config.logLevel);
  return {
    warehouse,
    createPipeline: (deadLetters) =>
      createIngestPipeline({
        warehouse,
        provinceOfCommune,
        isKnownProcedure: (code) => catalog.lookup(code).known,
        deadLetters,
      }),
    localDeadLetters,
    importDeadLetters: (topic = TOPICS.dossierEventsDlq) =>
      config.kafkaBrokers
        ? kafkaDeadLetterSink(
            createKafka({ brokers: config.kafkaBrokers, clientId: 'commune-pulse-import', logger: importLogger }),
            { topic, transactionalIdPrefix: 'commune-pulse-import', logger: importLogger },
          )
        : localDeadLetters(topic),
    derive: (onProgress) =>
      deriveLifecycle(warehouse, {
        workingMillis: (start, end) => calendar.workingMillisBetween(start, end),
        onProgress,
      }),
    close: () => warehouse.close(),
  };
}
