/** Injection token: the service's open Database (migrated before Nest starts). */
export const DATABASE = Symbol('strata.database');
/** Injection token: the service's pino logger (JSON lines with trace and request IDs). */
export const LOGGER = Symbol('strata.logger');
/** Injection token: the service's Prometheus metrics. */
export const METRICS = Symbol('strata.metrics');
/** Injection token: the common ServiceConfig. */
export const SERVICE_CONFIG = Symbol('strata.service-config');
