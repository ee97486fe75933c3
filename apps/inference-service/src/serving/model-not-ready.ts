/**
 * The retry delay (google.rpc.RetryInfo) of an UNAVAILABLE about one model — no version loaded
 * yet, unloaded meanwhile, could not be loaded, over the memory budget. Carrying status details
 * also tells the gateway it is inference's own answer about that model, not a failed connection,
 * so its breaker does not open for every model.
 */
export const MODEL_NOT_READY_RETRY_MS = 1_000;
