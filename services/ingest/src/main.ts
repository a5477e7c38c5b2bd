import { createLogger, processEnvironment, runServiceProcess } from '@commune-pulse/runtime';
import { openWarehouse } from '@commune-pulse/warehouse';
import { runKafkaIngest } from './kafka-ingest.ts';
import { loadPortalConfig } from './portal/config.ts';
import { runPortalKafkaIngest } from './portal/kafka.ts';

// The ingest service as its own process (docker-compose, systemd): configured by the environment only.
await runServiceProcess('ingest', async () => {
  const config = loadPortalConfig(processEnvironment());
  const logger = createLogger('ingest', config.logLevel);
  // Migrated once before the two consumers open their connections.
  await (await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir })).close();
  const events = runKafkaIngest(config, { logger });
  // The national portal's sync records (portal-dossiers.v1), in their own consumer group; metrics are served once.
  const portal = runPortalKafkaIngest(
    { ...config, metricsPort: undefined },
    {
      logger,
      topic: config.portalTopic,
      officerKey: config.officerKey,
    },
  );
  return {
    finished: Promise.all([events, portal]).then(([eventsTotal, portalTotal]) =>
      logger.info({ events: eventsTotal, portal: portalTotal }, 'ingest stopped'),
    ),
  };
});
