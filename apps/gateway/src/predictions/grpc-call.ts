import { Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import { METADATA_KEYS } from '@strata/contracts';
import { getRequestContext, setFeatureContractVersion, setModelVersion } from '@strata/observability';
import type { IncomingCall } from '../gate/gatekeeper';
import { grpcCallerTimeoutMs } from '../traffic/deadline';

/** The gateway-relevant parts of an incoming gRPC call's metadata and deadline. */
export function incomingGrpcCall(metadata: Metadata | undefined, call: ServerUnaryCall<unknown, unknown> | undefined): IncomingCall {
  const text = (key: string): string | undefined => {
    const value = metadata?.get(key)[0];
    return typeof value === 'string' ? value : undefined;
  };
  const values = (key: string): string[] | undefined => {
    const all = metadata?.get(key).filter((value): value is string => typeof value === 'string') ?? [];
    return all.length === 0 ? undefined : all;
  };
  const deadline = call?.getDeadline();
  const callerTimeoutMs = deadline === undefined ? undefined : grpcCallerTimeoutMs(deadline);
  const apiKey = text(METADATA_KEYS.apiKey);
  const authorization = text(METADATA_KEYS.authorization);
  // The observability interceptor has accepted the caller's ID or made one: answer with the same.
  const requestId = values(METADATA_KEYS.requestId) ?? getRequestContext().requestId;
  return {
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(authorization === undefined ? {} : { authorization }),
    ...(requestId === undefined ? {} : { requestId }),
    ...(callerTimeoutMs === undefined ? {} : { callerTimeoutMs }),
  };
}

/**
 * Response metadata of a gateway answer: `x-request-id`, `strata-model-version` and
 * `strata-feature-contract`. Through the request context when observability has a scope (the
 * interceptor sends them, and they go on the trace); sent here otherwise.
 */
export function announceAnswer(call: ServerUnaryCall<unknown, unknown> | undefined, answer: { requestId: string; modelVersion?: string; featureContract?: string }): void {
  let scoped = getRequestContext().requestId === answer.requestId;
  if (answer.modelVersion !== undefined) scoped = setModelVersion(answer.modelVersion) && scoped;
  if (answer.featureContract !== undefined) scoped = setFeatureContractVersion(answer.featureContract) && scoped;
  if (scoped || call === undefined) return;
  const headers = new Metadata();
  headers.set(METADATA_KEYS.requestId, answer.requestId);
  if (answer.modelVersion !== undefined) headers.set(METADATA_KEYS.modelVersion, answer.modelVersion);
  if (answer.featureContract !== undefined) headers.set(METADATA_KEYS.featureContract, answer.featureContract);
  call.sendMetadata(headers);
}
