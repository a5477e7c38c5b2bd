import { createLogger, loadConfig, runServiceProcess } from '@commune-pulse/runtime';
import { runKafkaIngest } from './kafka-ingest.ts';

// The ingest service as its own process (docker-compose, systemd): configured by the environment only.
await runServiceProcess('ingest', async () => {
  const config = loadConfig(process.env);
  const logger = createLogger('ingest', config.logLevel);
  return {
    finished: runKafkaIngest(config, { logger }).then((total) => logger.info({ ...total }, 'ingest stopped')),
  };
});
