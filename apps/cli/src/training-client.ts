// The training runner (`strata.training.v1`) as promises and an async iterable: what the
// `strata train` commands call. Also reads a JobSpec file, checked against the contract.
import { type ClientReadableStream, loadPackageDefinition, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS, PROTOS_DIR, STRATA_PROTOS, type trainingV1 } from '@strata/contracts';
import path from 'node:path';
import { Enum, type Field, Root, Type } from 'protobufjs';
import { parseInstant } from './commands/feature-args';
import { CliFailure, isServiceError, UsageError } from './errors';
import { ExitCode } from './exit-codes';
import { type ConnectionOptions, type GenericClientConstructor, openChannel, rpcName } from './grpc-channel';
import { readJsonObject } from './input-files';

type Unary<Req, Res> = (request: Req) => Promise<Res>;

/** The training runner's RPCs used by the CLI. */
export interface TrainingApi {
  submitJob: Unary<trainingV1.SubmitJobRequest, trainingV1.SubmitJobResponse>;
  getJob: Unary<trainingV1.GetJobRequest, trainingV1.GetJobResponse>;
  listJobs: Unary<trainingV1.ListJobsRequest, trainingV1.ListJobsResponse>;
  cancelJob: Unary<trainingV1.CancelJobRequest, trainingV1.CancelJobResponse>;
  /** Server stream without a deadline (a job can train for hours); aborting `signal` cancels it. */
  watchJob(request: trainingV1.WatchJobRequest, signal?: AbortSignal): AsyncIterable<trainingV1.WatchJobResponse>;
  /** Closes the channel. */
  close(): void;
}

const UNARY_METHODS = ['submitJob', 'getJob', 'listJobs', 'cancelJob'] as const satisfies readonly Exclude<keyof TrainingApi, 'watchJob' | 'close'>[];

type Callback = (error: ServiceError | null, response?: unknown) => void;

let serviceConstructor: GenericClientConstructor | undefined;

function trainingServiceConstructor(): GenericClientConstructor {
  if (serviceConstructor === undefined) {
    const definition = loadSync(STRATA_PROTOS.trainingV1.protoPath, PROTO_LOADER_OPTIONS);
    const loaded = loadPackageDefinition(definition) as unknown as { strata: { training: { v1: { TrainingService: GenericClientConstructor } } } };
    serviceConstructor = loaded.strata.training.v1.TrainingService;
  }
  return serviceConstructor;
}

/** Names the service in a connection failure, so the message says which of the CLI's services was unreachable. */
function named(error: unknown, address: string): unknown {
  if (isServiceError(error) && error.code === status.UNAVAILABLE && !error.details.startsWith('training-runner')) error.details = `training-runner at ${address}: ${error.details}`;
  return error;
}

/** Opens a channel to training-runner at `options.address` and returns its API. */
export function connectTraining(options: ConnectionOptions): TrainingApi {
  const { client, metadata, deadline } = openChannel(trainingServiceConstructor(), options);
  const unary = (method: string) => (request: unknown) =>
    new Promise((resolve, reject) => {
      const callback: Callback = (error, response) => (error === null ? resolve(response) : reject(named(error, options.address)));
      const call = client[rpcName(method)];
      if (typeof call !== 'function') reject(new Error(`TrainingService has no RPC ${rpcName(method)}`));
      else call.call(client, request, metadata(), deadline(), callback);
    });
  const api: Partial<Record<keyof TrainingApi, unknown>> = {};
  for (const method of UNARY_METHODS) api[method] = unary(method);

  async function* watchJob(request: trainingV1.WatchJobRequest, signal?: AbortSignal): AsyncGenerator<trainingV1.WatchJobResponse> {
    const call = (client['WatchJob'] as (...args: unknown[]) => unknown).call(client, request, metadata()) as ClientReadableStream<trainingV1.WatchJobResponse>;
    const cancel = (): void => call.cancel();
    if (signal?.aborted === true) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const message of call) yield message as trainingV1.WatchJobResponse;
    } catch (error) {
      throw named(error, options.address);
    } finally {
      signal?.removeEventListener('abort', cancel);
      call.cancel();
    }
  }

  return { ...(api as Pick<TrainingApi, (typeof UNARY_METHODS)[number]>), watchJob, close: () => client.close() };
}

/** `value`, or a failure saying training-runner's answer lacked `what` (a contract violation). */
export function trained<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new CliFailure(`training-runner's answer has no ${what}`, ExitCode.Failure);
  return value;
}

// ---------------------------------------------------------------------------------------
// JobSpec files
// ---------------------------------------------------------------------------------------

let jobSpecType: Type | undefined;

function contractType(): Type {
  if (jobSpecType === undefined) {
    const root = new Root();
    root.resolvePath = (_origin, target) => path.join(PROTOS_DIR, target);
    root.loadSync(STRATA_PROTOS.trainingV1.protoPath, { keepCase: false });
    root.resolveAll();
    jobSpecType = root.lookupType('strata.training.v1.JobSpec');
  }
  return jobSpecType;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const camelCase = (key: string): string => key.replace(/_([a-z0-9])/g, (_match, char: string) => char.toUpperCase());
const INT32 = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32 = new Set(['uint32', 'fixed32']);
const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/**
 * Converts proto3-JSON-like data into the request shape proto-loader sends, collecting every
 * problem with its JSON path. protobufjs would silently drop an unknown key or a misspelt enum
 * and turn `"abc"` into 0; a training job run with defaults nobody asked for wastes hours.
 */
class SpecChecker {
  readonly problems: string[] = [];

  message(type: Type, value: unknown, at: string): unknown {
    if (type.fullName === '.google.protobuf.Timestamp') return this.timestamp(value, at);
    if (type.fullName === '.google.protobuf.Duration') return this.duration(value, at);
    if (!isObject(value)) return this.bad(at, 'must be an object');
    const out: Record<string, unknown> = {};
    const oneofs = new Map<string, string>();
    for (const [key, member] of Object.entries(value)) {
      const where = at === '' ? key : `${at}.${key}`;
      const field = type.fields[camelCase(key)];
      if (field === undefined) {
        this.bad(where, `unknown field of ${type.name} (fields: ${Object.keys(type.fields).join(', ')})`);
        continue;
      }
      if (member === null) continue;
      if (field.name in out) this.bad(where, `given twice (camelCase and snake_case)`);
      const oneof = field.partOf;
      if (oneof !== null && oneof.oneof.length > 1) {
        const other = oneofs.get(oneof.name);
        if (other !== undefined) this.bad(where, `only one of ${oneof.oneof.join(', ')} may be set (${other} is set too)`);
        oneofs.set(oneof.name, key);
      }
      out[field.name] = this.field(field, member, where);
    }
    return out;
  }

  private field(field: Field, value: unknown, at: string): unknown {
    if (field.map) {
      if (!isObject(value)) return this.bad(at, 'must be an object (a map)');
      return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, this.single(field, member, `${at}.${key}`)]));
    }
    if (field.repeated) {
      if (!Array.isArray(value)) return this.bad(at, 'must be an array');
      return value.map((item, index) => this.single(field, item, `${at}[${index}]`));
    }
    return this.single(field, value, at);
  }

  private single(field: Field, value: unknown, at: string): unknown {
    const resolved = field.resolvedType;
    if (resolved instanceof Type) return this.message(resolved, value, at);
    if (resolved instanceof Enum) return this.enumValue(resolved, value, at);
    const type = field.type;
    if (type === 'string') return typeof value === 'string' ? value : this.bad(at, 'must be a string');
    if (type === 'bool') return typeof value === 'boolean' ? value : this.bad(at, 'must be true or false');
    if (type === 'double' || type === 'float') return typeof value === 'number' && Number.isFinite(value) ? value : this.bad(at, 'must be a number');
    const whole = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isInteger(whole)) return this.bad(at, 'must be a whole number');
    if (INT64.has(type)) return String(value).trim();
    if (INT32.has(type) && Math.abs(whole) <= 2 ** 31 - 1) return whole;
    if (UINT32.has(type) && whole >= 0 && whole <= 2 ** 32 - 1) return whole;
    return this.bad(at, `is out of range for ${type}`);
  }

  /** An enum value: its full name (`TRAINER_GBDT`), the name without the type prefix (`gbdt`), or its number. */
  private enumValue(type: Enum, value: unknown, at: string): unknown {
    const names = Object.keys(type.values);
    if (typeof value === 'number' && names.some((name) => type.values[name] === value)) return value;
    if (typeof value === 'string') {
      const prefix = (names.find((name) => name.endsWith('_UNSPECIFIED')) ?? '').replace(/UNSPECIFIED$/, '');
      const spelled = value.trim().toUpperCase().replace(/[-\s]/g, '_');
      for (const candidate of [value, spelled, `${prefix}${spelled}`]) if (names.includes(candidate)) return candidate;
    }
    return this.bad(at, `must be one of ${names.filter((name) => !name.endsWith('_UNSPECIFIED')).join(', ')}; got ${JSON.stringify(value)}`);
  }

  /** RFC 3339 text (`2001-03-15T00:00:00Z`, a date, or a date-time read as UTC) or `{seconds, nanos}`. */
  private timestamp(value: unknown, at: string): unknown {
    if (typeof value === 'string') {
      try {
        return parseInstant(value, at);
      } catch (error) {
        return this.bad(at, (error as Error).message.replace(`${at}: `, ''));
      }
    }
    return this.secondsNanos(value, at, 'an RFC 3339 time such as "2001-03-15T00:00:00Z" or {"seconds": "..."}');
  }

  /** proto3 JSON `"3600s"` / `"1.5s"` or `{seconds, nanos}`. */
  private duration(value: unknown, at: string): unknown {
    if (typeof value === 'string') {
      const match = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(value.trim());
      if (match === null) return this.bad(at, `must be a duration in seconds such as "3600s", got ${JSON.stringify(value)}`);
      return { seconds: match[1], nanos: Number((match[2] ?? '').padEnd(9, '0')) };
    }
    return this.secondsNanos(value, at, 'a duration such as "3600s" or {"seconds": "3600"}');
  }

  private secondsNanos(value: unknown, at: string, expected: string): unknown {
    const unknownKey = isObject(value) ? Object.keys(value).find((key) => key !== 'seconds' && key !== 'nanos') : undefined;
    const seconds = isObject(value) ? value['seconds'] : undefined;
    const nanos = isObject(value) ? (value['nanos'] ?? 0) : undefined;
    const validSeconds = (typeof seconds === 'number' && Number.isInteger(seconds)) || (typeof seconds === 'string' && /^-?\d+$/.test(seconds));
    if (unknownKey !== undefined || !validSeconds || typeof nanos !== 'number' || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) return this.bad(at, `must be ${expected}`);
    return { seconds: String(seconds), nanos };
  }

  private bad(at: string, problem: string): undefined {
    this.problems.push(`${at === '' ? '(the spec)' : at}: ${problem}`);
    return undefined;
  }
}

/** A JobSpec file, ready to submit. */
export interface JobSpecFile {
  readonly spec: trainingV1.JobSpec;
  /** The `idempotencyKey` of a file holding a whole SubmitJobRequest. */
  readonly idempotencyKey?: string;
}

/**
 * Reads a JobSpec file: the JobSpec in proto3 JSON (camelCase or snake_case keys, enum names
 * with or without their prefix, Timestamps as RFC 3339 text or `{seconds}`, Durations as
 * `"3600s"`), or a whole SubmitJobRequest `{"spec": {...}, "idempotencyKey": "..."}`. Every
 * structural problem is listed in one UsageError; the service checks the meaning.
 */
export function readJobSpecFile(file: string, what: string): JobSpecFile {
  const object = readJsonObject(file, what);
  const wrapped = isObject(object['spec']) && object['modelName'] === undefined && object['model_name'] === undefined;
  const key = wrapped ? (object['idempotencyKey'] ?? object['idempotency_key']) : undefined;
  const extra = wrapped ? Object.keys(object).filter((name) => !['spec', 'idempotencyKey', 'idempotency_key'].includes(name)) : [];
  const checker = new SpecChecker();
  const spec = checker.message(contractType(), wrapped ? object['spec'] : object, wrapped ? 'spec' : '');
  for (const name of extra) checker.problems.push(`${name}: unknown field of SubmitJobRequest (fields: spec, idempotencyKey)`);
  if (key !== undefined && typeof key !== 'string') checker.problems.push('idempotencyKey: must be a string');
  if (checker.problems.length > 0) throw new UsageError(`${what}: ${file} is not a valid JobSpec:\n  ${checker.problems.join('\n  ')}`);
  return { spec: spec as trainingV1.JobSpec, ...(typeof key === 'string' && key !== '' ? { idempotencyKey: key } : {}) };
}
