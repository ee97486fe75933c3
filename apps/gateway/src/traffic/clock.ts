/** Milliseconds since an arbitrary origin; injected so tests control time. */
export type Clock = () => number;

/** The process's monotonic clock in milliseconds (immune to wall-clock steps). */
export const monotonicClock: Clock = () => performance.now();
