import { Inject, Injectable } from '@nestjs/common';
import type { UnavailableError } from '@strata/service-runtime';
import { ApiKeyVerifier } from '../api-keys/api-key.verifier';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { type Forwarded, InferenceUpstream, type UpstreamService } from '../inference/inference-upstream';
import { MAX_DEADLINE_MS } from '../traffic/deadline';
import { InFlightLimiter } from '../traffic/in-flight-limiter';
import { InferenceBreaker } from '../traffic/inference-breaker';
import { TokenBucketLimiter } from '../traffic/token-bucket';
import { type AdmittedCall, Gatekeeper, type IncomingCall } from './gatekeeper';

/**
 * The adaptive in-flight limit halves when an admitted request takes longer than this share of
 * the default deadline (500 ms of 1 s): admitted requests finish within their deadline, the rest
 * are shed at once. Half, not less: a stall of a few hundred ms (GC, a model load on a busy core)
 * is lag to wait through, not overload to shed.
 */
const IN_FLIGHT_TARGET_SHARE_OF_DEADLINE = 0.5;
/** The adaptive in-flight limit never goes below this (or MAX_IN_FLIGHT when smaller). */
const MIN_IN_FLIGHT_LIMIT = 16;

/** A forwarded answer with the admitted call it belongs to (request ID, timing). */
export interface GatewayAnswer<T> extends Forwarded<T> {
  readonly call: AdmittedCall;
  /** Gateway receipt to answer, µs. */
  readonly totalUs: number;
}

/**
 * The gateway's request path for both protocols: admit (request ID, key, allow-list, rate
 * limit, in-flight cap, breaker, deadline), forward to inference with that deadline, and
 * report the outcome to the breaker. Nothing else is called on the way.
 */
@Injectable()
export class GatewayForwarder {
  readonly gate: Gatekeeper;

  constructor(
    private readonly upstream: InferenceUpstream,
    verifier: ApiKeyVerifier,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.gate = new Gatekeeper({
      verifier,
      limiter: new TokenBucketLimiter(),
      inFlight: new InFlightLimiter(config.maxInFlight, { latencyTargetMs: config.defaultDeadline * IN_FLIGHT_TARGET_SHARE_OF_DEADLINE, minLimit: MIN_IN_FLIGHT_LIMIT }),
      breaker: new InferenceBreaker(),
      deadlines: { defaultMs: config.defaultDeadline, maxMs: Math.max(MAX_DEADLINE_MS, config.defaultDeadline) },
      authDisabled: config.authDisabled,
    });
  }

  /** The 503 a new call would get now (every in-flight slot taken), or undefined: see {@link Gatekeeper.shedding}. */
  shedding(): UnavailableError | undefined {
    return this.gate.shedding();
  }

  /**
   * Admits the call for `models` (costing `cost` tokens) and forwards `request` to inference's
   * `method`; `open` calls (health, readiness) need no API key.
   */
  async forward<T>(incoming: IncomingCall, models: readonly string[], cost: number, service: UpstreamService, method: string, request: object, options: { open?: boolean } = {}): Promise<GatewayAnswer<T>> {
    const started = performance.now();
    const call = await this.gate.admit(incoming, models, cost, options);
    try {
      const forwarded = await this.upstream.call<T>(service, method, request, { deadline: call.deadline, requestId: call.requestId });
      call.finish();
      return { ...forwarded, call, totalUs: Math.round((performance.now() - started) * 1000) };
    } catch (error) {
      call.finish(error);
      throw error;
    }
  }
}
