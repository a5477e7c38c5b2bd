import { ConfigError, createLogger } from '@commune-pulse/runtime';
import { loadEstimatorConfig } from './config.ts';
import { startEstimatorService } from './service.ts';

// The estimator as its own process (docker-compose, systemd): configured by the environment only.
try {
  const config = loadEstimatorConfig(process.env);
  const service = await startEstimatorService(config, createLogger('estimator', config.logLevel));
  await service.finished;
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`error: ${error.message}`);
    process.exitCode = 2;
  } else {
    createLogger('estimator').error({ err: error }, 'estimator failed');
    process.exitCode = 1;
  }
}
