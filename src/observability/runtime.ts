/**
 * Installs the Temporal Runtime of the worker process: its logger (JSON lines, see logger.ts;
 * native SDK logs forwarded to it) and its Prometheus endpoint (see metrics.ts). Must run before
 * the first NativeConnection is opened.
 */
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { LogLevelName } from '../shared/config';
import { TemporalPinoLogger, temporalLogLevel, type Logger } from './logger';
import { METRICS, RUN_DURATION_BUCKETS } from './metrics';

export interface WorkerRuntimeOptions {
  logger: Logger;
  logLevel: LogLevelName;
  /** host:port of the Prometheus endpoint; none when undefined. */
  metricsAddress?: string;
  /**
   * When false, an address that cannot be bound (another local worker has the default port) is
   * a warning and the worker runs without metrics; when true, it stops the worker.
   */
  metricsAddressRequired: boolean;
}

/** Installs the runtime; returns the metrics address actually served (undefined for none). */
export function installWorkerRuntime(options: WorkerRuntimeOptions): string | undefined {
  const base: RuntimeOptions = {
    logger: new TemporalPinoLogger(options.logger),
    telemetryOptions: { logging: { forward: {}, filter: { core: temporalLogLevel(options.logLevel), other: 'WARN' } } },
  };
  if (!options.metricsAddress) {
    Runtime.install(base);
    return undefined;
  }
  try {
    Runtime.install({ ...base, telemetryOptions: { ...base.telemetryOptions, metrics: prometheus(options.metricsAddress) } });
    return options.metricsAddress;
  } catch (error) {
    const message = (error as Error).message;
    if (options.metricsAddressRequired || !/prometheus|address/i.test(message)) throw error;
    options.logger.warn(
      { metricsAddress: options.metricsAddress, error: message },
      'no metrics endpoint: set WORKER_METRICS_ADDRESS to a free host:port',
    );
    Runtime.install(base);
    return undefined;
  }
}

function prometheus(bindAddress: string) {
  return {
    prometheus: {
      bindAddress,
      // Prometheus convention: durations in seconds (the SDK's latencies included).
      useSecondsForDurations: true,
      histogramBucketOverrides: { [METRICS.runDuration.name]: RUN_DURATION_BUCKETS },
    },
  };
}
