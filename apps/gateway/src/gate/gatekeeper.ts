import { type ServiceError } from '@grpc/grpc-js';
import { InvalidArgumentError, PermissionDeniedError, ResourceExhaustedError, UnauthenticatedError, UnavailableError, UpstreamError } from '@strata/service-runtime';
import type { VerifiedKey } from '../api-keys/api-key';
import { type DeadlinePolicy, effectiveDeadline } from '../traffic/deadline';
import { type InFlightLimiter } from '../traffic/in-flight-limiter';
import { breakerOutcomeOf, type InferenceBreaker } from '../traffic/inference-breaker';
import { acceptRequestId } from '../traffic/request-id';
import { type TokenBucketLimiter } from '../traffic/token-bucket';

/** What the gateway reads from an incoming call, whichever protocol it came by. */
export interface IncomingCall {
  /** `x-api-key`. */
  readonly apiKey?: string | readonly string[];
  /** `authorization` (`Bearer <key>`). */
  readonly authorization?: string | readonly string[];
  /** `x-request-id` as sent (validated here). */
  readonly requestId?: string | readonly string[];
  /** The caller's own timeout (gRPC deadline, or the REST timeout header), ms from now. */
  readonly callerTimeoutMs?: number;
  /**
   * The key of this very call, already verified on its way in (REST routes check the caller
   * before validating the body): admitted without verifying it twice. Set by the gateway only,
   * never from anything the caller sends.
   */
  readonly verifiedKey?: VerifiedKey;
}

/** A call that may go to inference: who made it, its ID and deadline; finish it exactly once. */
export interface AdmittedCall {
  readonly requestId: string;
  /** Absolute deadline, ms since the epoch. */
  readonly deadline: number;
  /** Undefined when auth is switched off. */
  readonly key?: VerifiedKey;
  /** Frees the in-flight slot and tells the breaker how inference answered (`error` undefined = OK). */
  finish(error?: unknown): void;
}

/** Anything that verifies a presented API key. */
export interface KeyVerifier {
  verify(presentedKey: string): Promise<VerifiedKey>;
}

/** The gate's collaborators and settings. */
export interface GatekeeperOptions {
  readonly verifier: KeyVerifier;
  readonly limiter: TokenBucketLimiter;
  readonly inFlight: InFlightLimiter;
  readonly breaker: InferenceBreaker;
  readonly deadlines: DeadlinePolicy;
  readonly authDisabled: boolean;
}

/** How long a shed request is told to wait before retrying. */
const SHED_RETRY_MS = 100;

/**
 * Every request's way in, the same for REST and gRPC: a valid request ID (or a new one), an API
 * key (unless auth is off) allowed to call the models, a token from the key's bucket, a free
 * in-flight slot and a closed (or probing) inference breaker — each refused at once with its
 * own status, so nothing queues behind an overloaded or absent inference.
 */
export class Gatekeeper {
  constructor(private readonly options: GatekeeperOptions) {}

  /**
   * The 503 a new call gets now because every in-flight slot is taken, or undefined when one is
   * free. The REST API asks before it reads a request's body, so above capacity a call is refused
   * for the cost of its headers; {@link admit} still takes the slot (or sheds) itself.
   */
  shedding(): UnavailableError | undefined {
    return this.options.inFlight.inFlight >= this.options.inFlight.limit ? this.shedError() : undefined;
  }

  private shedError(): UnavailableError {
    const { limit, max } = this.options.inFlight;
    return new UnavailableError(`the gateway is at its limit of ${limit} requests in flight${limit < max ? ` (lowered from ${max}: requests are completing slowly)` : ''}; retry shortly`, SHED_RETRY_MS);
  }

  /**
   * @param models the model names the call is about (allow-list); empty for calls about none.
   * @param cost rate-limit tokens (a batch costs one per item).
   * @param options `open`: no API key needed (health and readiness stay open).
   * @throws InvalidArgumentError (request ID), UnauthenticatedError, PermissionDeniedError,
   *   ResourceExhaustedError (rate limit, with retry delay), UnavailableError (shed, breaker open).
   */
  async admit(call: IncomingCall, models: readonly string[], cost = 1, options: { open?: boolean } = {}): Promise<AdmittedCall> {
    const requestId = acceptRequestId(call.requestId);
    if ('invalid' in requestId) throw new InvalidArgumentError(requestId.invalid, [{ field: 'x-request-id', description: requestId.invalid }]);
    const key = options.open === true ? undefined : (call.verifiedKey ?? (await this.authenticate(call)));
    if (key !== undefined) {
      const denied = models.filter((model) => key.allowedModels.length > 0 && !key.allowedModels.includes(model));
      if (denied.length > 0) throw new PermissionDeniedError(`API key ${key.name} may not call model ${denied.join(', ')}`);
      const taken = this.options.limiter.take(key.id, key.rateLimit, cost);
      if (!taken.allowed) throw new ResourceExhaustedError(`rate limit of API key ${key.name} exceeded (${key.rateLimit.perSecond}/s, burst ${key.rateLimit.burst}); retry in ${Math.ceil(taken.retryAfterMs)} ms`, taken.retryAfterMs);
    }
    const release = this.options.inFlight.tryAcquire();
    if (release === undefined) throw this.shedError();
    const pass = this.options.breaker.tryPass();
    if (pass === undefined) {
      release();
      throw new UnavailableError('inference-service is unavailable (recent calls failed); retry shortly', this.options.breaker.retryAfterMs());
    }
    const deadline = effectiveDeadline(call.callerTimeoutMs, Date.now(), this.options.deadlines);
    let finished = false;
    return {
      requestId: requestId.id,
      deadline,
      ...(key === undefined ? {} : { key }),
      finish: (error?: unknown) => {
        if (finished) return;
        finished = true;
        release();
        const code = error === undefined ? 0 : (error as Partial<ServiceError>).code;
        const callerLimited = call.callerTimeoutMs !== undefined && call.callerTimeoutMs < this.options.deadlines.defaultMs;
        // Status details come only from the upstream's own answer, never from a failed connection.
        const answered = error instanceof UpstreamError && error.statusDetails !== undefined;
        pass.report(breakerOutcomeOf(typeof code === 'number' ? code : undefined, { callerLimited, answered }));
      },
    };
  }

  private async authenticate(call: IncomingCall): Promise<VerifiedKey | undefined> {
    if (this.options.authDisabled) return undefined;
    const apiKey = single(call.apiKey);
    const authorization = single(call.authorization);
    const bearer = authorization !== undefined && /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : undefined;
    const presented = apiKey ?? bearer;
    if (presented === undefined || presented === '') throw new UnauthenticatedError('missing API key: send "x-api-key: <key>" or "authorization: Bearer <key>"');
    return this.options.verifier.verify(presented);
  }
}

function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}
