/** Injection token: the service's open Database (migrated before Nest starts). */
export const DATABASE = Symbol('strata.database');
/** Injection token: the service's pino logger (JSON lines with trace and request IDs). */
export const LOGGER = Symbol('strata.logger');
/** Injection token: the service's Prometheus metrics. */
export const METRICS = Symbol('strata.metrics');
/** Injection token: the common ServiceConfig. */
export const SERVICE_CONFIG = Symbol('strata.service-config');
/** Injection token: the environment the service was started with (apps read their own config from it). */
export const ENVIRONMENT = Symbol('strata.environment');
/**
 * Injection token: an AbortSignal aborted when the service starts draining (SIGTERM), before
 * in-flight calls get their grace period. Long-lived streams (watches) end on it at once
 * instead of holding the shutdown for the whole grace period.
 */
export const SHUTDOWN_SIGNAL = Symbol('strata.shutdown-signal');
