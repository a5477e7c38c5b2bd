import { ConfigError, createLogger, loadConfig } from '@commune-pulse/runtime';
import { runKafkaIngest } from './kafka-ingest.ts';

// The ingest service as its own process (docker-compose, systemd): configured by the environment only.
const logger = createLogger('ingest');
try {
  const config = loadConfig(process.env);
  const total = await runKafkaIngest(config, { logger: createLogger('ingest', config.logLevel) });
  logger.info({ ...total }, 'ingest stopped');
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`error: ${error.message}`);
    process.exitCode = 2;
  } else {
    logger.error({ err: error }, 'ingest failed');
    process.exitCode = 1;
  }
}
