import { type CallOptions, type Client, credentials, Metadata } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';

/** Where a service is and how to call it. */
export interface ConnectionOptions {
  /** `host:port` of the service's gRPC server. */
  readonly address: string;
  /** Bearer token sent as `authorization` metadata; never logged or printed. */
  readonly token: string | undefined;
  /** Deadline of each call in ms (not applied to long-lived streams). */
  readonly timeoutMs: number;
}

/** A grpc-js client built by proto-loader: its RPCs by name. */
export type GenericClient = Client & Record<string, (...args: unknown[]) => unknown>;

/** A proto-loader service constructor. */
export type GenericClientConstructor = new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options?: object) => GenericClient;

/** An open channel to one service, with what every call sends. */
export interface Channel {
  readonly client: GenericClient;
  /** Fresh metadata for one call: the bearer token (when set) and a new x-request-id. */
  metadata(): Metadata;
  /** Call options with the deadline of one call. */
  deadline(): CallOptions;
}

/** `createModel` -> `CreateModel`, the RPC name in the service definition. */
export const rpcName = (method: string): string => method.charAt(0).toUpperCase() + method.slice(1);

/** Opens a channel for a CLI: fails fast when the service is down, accepts large pages. */
export function openChannel(Service: GenericClientConstructor, options: ConnectionOptions): Channel {
  const client = new Service(options.address, credentials.createInsecure(), {
    // A CLI call should fail fast and clearly when the service is down, not back off for long.
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': 2_000,
    // Pages of versions with evidence can pass grpc-js's default 4 MiB receive limit.
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  });
  return {
    client,
    metadata: () => {
      const md = new Metadata();
      if (options.token !== undefined && options.token !== '') md.set('authorization', `Bearer ${options.token}`);
      md.set('x-request-id', randomUUID());
      return md;
    },
    deadline: () => ({ deadline: Date.now() + options.timeoutMs }),
  };
}
