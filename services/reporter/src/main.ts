import { ConfigError, createLogger } from '@commune-pulse/runtime';
import { loadReporterConfig } from './config.ts';
import { startReporterService } from './service.ts';

// The reporter as its own process (docker-compose, systemd): configured by the environment only.
try {
  const config = loadReporterConfig(process.env);
  const service = await startReporterService(config, createLogger('reporter', config.logLevel));
  await service.finished;
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`error: ${error.message}`);
    process.exitCode = 2;
  } else {
    createLogger('reporter').error({ err: error }, 'reporter failed');
    process.exitCode = 1;
  }
}
