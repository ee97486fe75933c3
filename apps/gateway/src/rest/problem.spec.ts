import { status } from '@grpc/grpc-js';
import { encodeStatusDetails, InvalidArgumentError, NotFoundError, ResourceExhaustedError, UnavailableError, UpstreamError } from '@strata/service-runtime';
import { InferenceDownError, MessageTooLargeError } from '../inference/inference-upstream';
import { jsonPointerToPath, problemJson, problemOf, retrySeconds } from './problem';

describe(problemOf.name, () => {
  it('maps each gRPC status to its HTTP status and stable reason', () => {
    const cases: [unknown, number, string][] = [
      [new InvalidArgumentError('bad', [{ field: 'inputs', description: 'wrong' }]), 400, 'invalid-argument'],
      [new UpstreamError(status.FAILED_PRECONDITION, 'gate'), 400, 'failed-precondition'],
      [new UpstreamError(status.OUT_OF_RANGE, 'far'), 400, 'out-of-range'],
      [new UpstreamError(status.UNAUTHENTICATED, 'who'), 401, 'unauthenticated'],
      [new UpstreamError(status.PERMISSION_DENIED, 'no'), 403, 'permission-denied'],
      [new NotFoundError('nope'), 404, 'not-found'],
      [new UpstreamError(status.ALREADY_EXISTS, 'twice'), 409, 'already-exists'],
      [new UpstreamError(status.ABORTED, 'race'), 409, 'aborted'],
      [new ResourceExhaustedError('slow down', 1_500), 429, 'resource-exhausted'],
      [new UnavailableError('later'), 503, 'unavailable'],
      [new UpstreamError(status.DEADLINE_EXCEEDED, 'Deadline exceeded after 1.002s,LB pick: 0.001s'), 504, 'deadline-exceeded'],
      [new UpstreamError(status.INTERNAL, 'segfault in worker 3'), 500, 'internal'],
      [new TypeError('x is undefined'), 500, 'internal'],
      [Object.assign(new Error('too big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }), 413, 'body-too-large'],
      [Object.assign(new Error('media'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }), 415, 'unsupported-media-type'],
      [Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 }), 400, 'malformed-json'],
      [Object.assign(new Error("'/%' is not a valid url component"), { code: 'FST_ERR_BAD_URL', statusCode: 400 }), 400, 'invalid-url'],
      [Object.assign(new Error('exceeding the max param length'), { code: 'FST_ERR_MAX_PARAM_LENGTH', statusCode: 414 }), 414, 'uri-too-long'],
    ];
    for (const [error, httpStatus, reason] of cases) expect(problemOf(error, 1024)).toMatchObject({ status: httpStatus, reason });
  });

  it('answers a message over the gRPC size limit with 413 (request) or 502 (answer), never 429 or Retry-After', () => {
    const request = problemOf(new MessageTooLargeError('request', 8_192_327, 4_259_840), 1024);
    expect(request).toEqual({ status: 413, reason: 'request-too-large', detail: expect.stringContaining('8192327 bytes as a gRPC message, at most 4259840') });
    expect(problemJson(request, '/v2/models/m/infer', 'req-1', true)).toMatchObject({ type: 'https://strata.dev/problems/request-too-large', title: 'The request is too large for the inference hop', status: 413 });
    const response = problemOf(new MessageTooLargeError('response', 8_192_327, 4_259_840), 1024);
    expect(response).toEqual({ status: 502, reason: 'bad-upstream-response', detail: expect.stringContaining("inference's answer is too large") });
    // The gateway's own rate limit stays 429 with Retry-After.
    expect(problemOf(new ResourceExhaustedError('rate limit', 400), 1024)).toMatchObject({ status: 429, retryAfterSeconds: 1 });
  });

  it('keeps internal text out: deadlines, transport failures and unknown errors get fixed details', () => {
    expect(problemOf(new UpstreamError(status.DEADLINE_EXCEEDED, 'Deadline exceeded after 1.002s,LB pick: 0.001s'), 1024).detail).toBe('the request did not complete within its deadline');
    expect(problemOf(new InferenceDownError('inference-service is unreachable (connect ECONNREFUSED 10.0.0.7:50051)', 250), 1024).detail).not.toContain('10.0.0.7');
    expect(problemOf(new TypeError('x is undefined'), 1024).detail).not.toContain('undefined');
  });

  it('passes field violations and retry delays of inference on, Retry-After in whole seconds >= 1', () => {
    const upstream = new UpstreamError(status.INVALID_ARGUMENT, 'bad', encodeStatusDetails(new InvalidArgumentError('bad', [{ field: 'inputs[features]', description: 'shape' }])));
    expect(problemOf(upstream, 1024).errors).toEqual([{ field: 'inputs[features]', description: 'shape' }]);
    expect(problemOf(new ResourceExhaustedError('slow', 1_500), 1024).retryAfterSeconds).toBe(2);
    expect(problemOf(new UnavailableError('later'), 1024).retryAfterSeconds).toBe(1);
    expect(retrySeconds(1)).toBe(1);
  });

  it('lists schema violations with body paths', () => {
    const error = Object.assign(new Error('invalid'), {
      validationContext: 'body',
      validation: [
        { instancePath: '/rows/0/entity_id', keyword: 'type', message: 'must be string', params: {} },
        { instancePath: '', keyword: 'additionalProperties', message: 'must NOT have additional properties', params: { additionalProperty: 'colour' } },
      ],
    });
    expect(problemOf(error, 1024).errors).toEqual([
      { field: 'rows[0].entity_id', description: 'must be string' },
      { field: 'colour', description: 'must NOT have additional properties' },
    ]);
  });
});

describe(problemJson.name, () => {
  it('writes RFC 9457 members, the request ID, and the protocol error member on OIP routes', () => {
    const body = problemJson({ status: 404, reason: 'not-found', detail: 'no model nope' }, '/v2/models/nope', 'req-1', true);
    expect(body).toEqual({ type: 'https://strata.dev/problems/not-found', title: 'Not found', status: 404, detail: 'no model nope', instance: '/v2/models/nope', request_id: 'req-1', error: 'no model nope' });
  });
});

describe(jsonPointerToPath.name, () => {
  it('writes JSON pointers as dotted paths with indexes', () => {
    expect(jsonPointerToPath('/features/0/2', 'inputs')).toBe('inputs.features[0][2]');
    expect(jsonPointerToPath('/odd name~1x/1')).toBe('$["odd name/x"][1]');
  });
});
