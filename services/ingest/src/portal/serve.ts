import { TOPICS } from '@commune-pulse/contracts';
import { createUnitDirectory, type UnitDirectory } from '@commune-pulse/portal';
import { ConfigError, type Logger, onShutdownSignal } from '@commune-pulse/runtime';
import { loadUnitMapping } from '@commune-pulse/warehouse';
import { openIngestContext } from '../context.ts';
import type { DeadLetterSink } from '../dead-letters.ts';
import { addPortalOutcome, createPortalAdapter, emptyPortalOutcome, type PortalOutcome } from './adapter.ts';
import { loadProvinceAccess, type PortalConfig } from './config.ts';
import { drainJournal, journalDir, openJournalWriter, type PortalCallSink } from './journal.ts';
import { kafkaCallSink } from './kafka.ts';
import { startPortalReceiver } from './receiver.ts';
import { unitMappingOf } from './units.ts';

export interface PortalServeOptions {
  logger: Logger;
  env: Record<string, string | undefined>;
  /** the unit mapping from a units.csv instead of the warehouse (a receiver beside Kafka that owns no warehouse) */
  units?: UnitDirectory;
  /** once listening */
  onListening?: (port: number) => void;
  /** how often the lifecycle tables catch up with drained records */
  deriveIntervalMs?: number;
}

/**
 * The portal receiver as a process. With KAFKA_BROKERS each accepted call is produced to portal-dossiers.v1
 * (the ingest service consumes it); without, it is journaled under the data folder and this process drains the
 * journal into the warehouse it owns, keeping the lifecycle tables current. Stops on SIGTERM/SIGINT after the
 * calls in hand are durable and, in journal mode, drained.
 */
export async function runPortalReceiver(config: PortalConfig, options: PortalServeOptions): Promise<PortalOutcome> {
  const { logger } = options;
  if (config.provincesFile === undefined) {
    throw new ConfigError(
      'portal serve needs PORTAL_PROVINCES_FILE: a provinces.json naming each province and the environment variable of its token',
    );
  }
  const provinces = loadProvinceAccess(config.provincesFile, options.env);
  const journalMode = config.kafkaBrokers === undefined;
  // The journal's drain needs the warehouse; beside Kafka only the unit mapping is read from it, and an embedded
  // warehouse is let go at once (the ingest service owns it).
  const keepWarehouse = journalMode || (options.units === undefined && config.clickhouseUrl !== undefined);
  const context = keepWarehouse || options.units === undefined ? await openIngestContext(config, logger) : null;
  let units: () => UnitDirectory | Promise<UnitDirectory>;
  if (options.units !== undefined) {
    const given = options.units;
    units = () => given;
  } else if (keepWarehouse) {
    units = await unitMappingOf((context as NonNullable<typeof context>).warehouse);
  } else {
    const snapshot = createUnitDirectory(await loadUnitMapping((context as NonNullable<typeof context>).warehouse));
    units = () => snapshot;
  }
  if (!keepWarehouse) await context?.close();

  let sink: PortalCallSink;
  let total = emptyPortalOutcome();
  let wake: () => void = () => {};
  let drainLoop: Promise<void> = Promise.resolve();
  let deadLetters: DeadLetterSink | null = null;
  let running = true;
  if (journalMode && context !== null) {
    const dir = journalDir(config.dataDir);
    const writer = await openJournalWriter(dir);
    sink = writer;
    deadLetters = context.localDeadLetters(TOPICS.portalDossiersDlq);
    const adapter = createPortalAdapter({
      pipeline: context.createPipeline(deadLetters),
      warehouse: context.warehouse,
      units,
    });
    const deriveEveryMs = options.deriveIntervalMs ?? 10_000;
    drainLoop = (async () => {
      let dirty = false;
      let derivedAt = Date.now();
      for (;;) {
        const stopping = !running;
        try {
          const outcome = await drainJournal(dir, adapter, { activeSegment: writer.segment() });
          total = addPortalOutcome(total, outcome);
          dirty = dirty || outcome.accepted > 0;
          if (dirty && (stopping || Date.now() - derivedAt >= deriveEveryMs)) {
            await context.derive();
            dirty = false;
            derivedAt = Date.now();
          }
        } catch (error) {
          logger.warn({ err: error }, 'draining the portal journal failed; will retry');
        }
        if (stopping) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1_000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    })();
  } else {
    sink = await kafkaCallSink(config, logger, config.portalTopic);
  }

  const receiver = await startPortalReceiver({
    host: config.receiverHost,
    port: config.receiverPort,
    provinces,
    maxBodyBytes: config.maxBodyBytes,
    units,
    sink,
    logger,
    onAccepted: () => wake(),
  });
  logger.info(
    {
      port: receiver.port,
      host: config.receiverHost,
      provinces: provinces.map((p) => p.provinceCode),
      durability: journalMode ? 'journal' : config.portalTopic,
    },
    'portal receiver listening',
  );
  options.onListening?.(receiver.port);

  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const removeSignalHandlers = onShutdownSignal(
    async () => {
      await receiver.close();
      await sink.close();
      running = false;
      wake();
      await drainLoop;
      await deadLetters?.close();
      if (keepWarehouse) await context?.close();
      finish();
    },
    { deadlineMs: 25_000, logger },
  );
  await finished;
  removeSignalHandlers();
  return total;
}
