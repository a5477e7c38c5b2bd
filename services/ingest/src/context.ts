import { join } from 'node:path';
import { defaultCalendar, defaultProcedureCatalog, provinceOfCommune } from '@commune-pulse/reference-data';
import type { Logger, RuntimeConfig } from '@commune-pulse/runtime';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import { type DeadLetterSink, fileDeadLetterSink } from './dead-letters.ts';
import { type DeriveResult, deriveLifecycle } from './derive.ts';
import { createLedger } from './ledger.ts';
import { createIngestPipeline, type IngestPipeline } from './pipeline.ts';

export interface IngestContext {
  warehouse: Warehouse;
  createPipeline(deadLetters: DeadLetterSink): IngestPipeline;
  /** Dead letters without a broker: an NDJSON file under the data folder. */
  localDeadLetters(): DeadLetterSink & { path: string };
  derive(onProgress?: (done: number, total: number) => void): Promise<DeriveResult>;
  close(): Promise<void>;
}

export async function openIngestContext(config: RuntimeConfig, logger: Logger): Promise<IngestContext> {
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  logger.debug({ mode: warehouse.mode, location: warehouse.location }, 'warehouse open');
  await createLedger(warehouse).applyRetention(config.ledgerRetentionDays);
  const catalog = defaultProcedureCatalog();
  const calendar = defaultCalendar();
  return {
    warehouse,
    createPipeline: (deadLetters) =>
      createIngestPipeline({
        warehouse,
        provinceOfCommune,
        isKnownProcedure: (code) => catalog.lookup(code).known,
        deadLetters,
      }),
    localDeadLetters: () => fileDeadLetterSink(join(config.dataDir, 'dead-letters', 'dossier-events.v1.dlq.ndjson')),
    derive: (onProgress) =>
      deriveLifecycle(warehouse, {
        workingMillis: (start, end) => calendar.workingMillisBetween(start, end),
        onProgress,
      }),
    close: () => warehouse.close(),
  };
}
