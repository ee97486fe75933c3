import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip, createInflate } from 'node:zlib';
import { decodeExportRequest, encodeExportResponse, encodeRpcStatus, type OtlpEncoding, OtlpDecodeError } from './otlp/otlp-codec';
import { DEFAULT_MAX_SPANS, SpanStore } from './span-store';
import { SpanSpool } from './span-spool';
import type { TraceSpan } from './trace-span';

/** The largest export body (after decompression) a receiver accepts unless told otherwise: 16 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** The OTLP/HTTP port. */
export const DEFAULT_OTLP_HTTP_PORT = 4318;
const MAX_RECENT_LIMIT = 1_000;
const TRACE_ID = /^[0-9a-f]{32}$/i;

/** google.rpc.Code values used in error bodies. */
const RPC_INVALID_ARGUMENT = 3;
const RPC_RESOURCE_EXHAUSTED = 8;

/** Options of {@link OtlpTraceReceiver}. */
export interface OtlpTraceReceiverOptions {
  /** Spans kept in memory, oldest dropped first (default 50,000). */
  readonly maxSpans?: number;
  /** Largest accepted export body after decompression, in bytes (default 16 MiB); larger gets 413. */
  readonly maxBodyBytes?: number;
  /**
   * A JSON-lines file every received span is appended to, and loaded from on `start()`, so
   * traces outlive a restart. Rewritten with the kept spans when it holds more than they are
   * (on start, and when it reaches twice `maxSpans` lines). Default: none (memory only).
   */
  readonly spoolFile?: string;
  /** Receives one line per notable event (spool problems, rejected exports). Default: silent. */
  readonly log?: (line: string) => void;
}

/** Where a started receiver listens. */
export interface ReceiverAddress {
  readonly host: string;
  readonly port: number;
  /** `http://<host>:<port>`: the OTLP endpoint (exporters append `/v1/traces`) and the query API. */
  readonly url: string;
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An OTLP/HTTP trace receiver with a query API, on one node:http server:
 *
 * - `POST /v1/traces`: ExportTraceServiceRequest as `application/x-protobuf` or
 *   `application/json`, optionally `Content-Encoding: gzip` or `deflate`. Answers 200 with an
 *   ExportTraceServiceResponse in the same encoding (with `partial_success` when malformed
 *   spans were left out), 400 when the body does not decode, 413 above `maxBodyBytes`, 415 for
 *   another Content-Type or Content-Encoding.
 * - `GET /api/traces?request_id=<id>`: every span of the traces carrying that
 *   `strata.request_id` ({@link TraceQueryResult}; empty `spans` when none).
 * - `GET /api/traces/<traceId>`: the spans of one trace (404 when unknown).
 * - `GET /api/requests?limit=20`: `{ requests: RequestSummary[] }`, newest first.
 * - `GET /healthz`: `{ status: 'ok', spans: <count> }`.
 */
export class OtlpTraceReceiver {
  /** The spans received so far. */
  readonly store: SpanStore;
  private readonly maxBodyBytes: number;
  private readonly log: (line: string) => void;
  private readonly spool: SpanSpool | undefined;
  private server: Server | undefined;
  private bound: ReceiverAddress | undefined;
  private readonly listeners = new Set<(spans: readonly TraceSpan[]) => void>();

  constructor(options: OtlpTraceReceiverOptions = {}) {
    this.store = new SpanStore(options.maxSpans ?? DEFAULT_MAX_SPANS);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.log = options.log ?? (() => undefined);
    this.spool = options.spoolFile === undefined ? undefined : new SpanSpool(options.spoolFile, this.log);
  }

  /** Where the receiver listens; throws before `start()`. */
  get address(): ReceiverAddress {
    if (this.bound === undefined) throw new Error('the trace receiver is not started');
    return this.bound;
  }

  /** `http://<host>:<port>` of the started receiver. */
  get url(): string {
    return this.address.url;
  }

  /**
   * Loads the spool file (if any), then listens on `host:port` (`port` 0: any free port).
   * Resolves with the bound address; rejects when the port is taken.
   */
  async start(port = 0, host = '127.0.0.1'): Promise<ReceiverAddress> {
    if (this.server !== undefined) throw new Error(`the trace receiver is already started at ${this.bound?.url ?? '?'}`);
    if (this.spool !== undefined) {
      this.store.add(await this.spool.load());
      if (this.spool.lineCount > this.store.size) this.spool.rewrite(this.store.all());
    }
    const server = createServer((request, response) => void this.handle(request, response));
    this.server = server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      this.server = undefined;
      throw error;
    }
    const address = server.address() as AddressInfo;
    const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.bound = { host: address.address, port: address.port, url: `http://${urlHost}:${address.port}` };
    return this.bound;
  }

  /** Stops listening and closes open connections (exporters keep theirs alive). Idempotent. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.bound = undefined;
    if (server !== undefined) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
  }

  /** Calls `listener` with the new spans of every accepted export, until the returned function is called. */
  onSpans(listener: (spans: readonly TraceSpan[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://receiver');
    try {
      if (url.pathname === '/v1/traces') {
        if (request.method !== 'POST') throw new HttpError(405, 'use POST to export spans');
        await this.receive(request, response);
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, `${request.method ?? '?'} is not allowed on ${url.pathname}`);
      sendJson(response, 200, this.query(url));
    } catch (error) {
      const status = error instanceof HttpError ? error.statusCode : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (status === 500) this.log(`trace receiver: internal error on ${request.method ?? '?'} ${url.pathname}: ${message}`);
      if (!response.headersSent) sendJson(response, status, { error: message });
      else response.destroy();
    }
  }

  private query(url: URL): unknown {
    if (url.pathname === '/healthz') return { status: 'ok', spans: this.store.size };
    if (url.pathname === '/api/traces') {
      const requestId = url.searchParams.get('request_id');
      if (requestId === null || requestId === '') throw new HttpError(400, 'request_id is required: GET /api/traces?request_id=<id>');
      const spans = this.store.spansForRequest(requestId);
      return { ...(spans.length > 0 ? { requestId } : {}), traceIds: this.store.traceIdsForRequest(requestId), spans };
    }
    const traceMatch = /^\/api\/traces\/([^/]+)$/.exec(url.pathname);
    if (traceMatch !== null) {
      const traceId = traceMatch[1] ?? '';
      if (!TRACE_ID.test(traceId)) throw new HttpError(400, `trace ID must be 32 hex digits, got "${traceId}"`);
      const spans = this.store.trace(traceId);
      if (spans.length === 0) throw new HttpError(404, `no spans of trace ${traceId.toLowerCase()}`);
      return { traceIds: [traceId.toLowerCase()], spans };
    }
    if (url.pathname === '/api/requests') {
      const text = url.searchParams.get('limit') ?? '20';
      const limit = Number(text);
      if (!/^\d+$/.test(text) || limit < 1 || limit > MAX_RECENT_LIMIT) throw new HttpError(400, `limit must be a whole number from 1 to ${MAX_RECENT_LIMIT}, got "${text}"`);
      return { requests: this.store.recentRequests(limit) };
    }
    throw new HttpError(404, `no such endpoint: ${url.pathname} (POST /v1/traces, GET /api/traces?request_id=, /api/traces/<traceId>, /api/requests, /healthz)`);
  }

  private async receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const mediaType = ((request.headers['content-type'] ?? '').split(';')[0] ?? '').trim().toLowerCase();
    const encoding: OtlpEncoding | undefined = mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf' ? 'protobuf' : mediaType === 'application/json' ? 'json' : undefined;
    if (encoding === undefined) {
      request.resume();
      throw new HttpError(415, `Content-Type must be application/x-protobuf or application/json, got "${mediaType}"`);
    }
    const fail = (status: number, code: number, message: string): void => {
      const { contentType, body } = encodeRpcStatus(encoding, code, message);
      response.writeHead(status, { 'content-type': contentType, 'content-length': body.length, ...(status === 413 ? { connection: 'close' } : {}) });
      response.end(body);
    };
    let body: Buffer;
    try {
      body = await this.readBody(request);
    } catch (error) {
      if (error instanceof HttpError && error.statusCode === 413) {
        fail(413, RPC_RESOURCE_EXHAUSTED, error.message);
        return;
      }
      if (error instanceof HttpError && error.statusCode === 415) throw error;
      fail(400, RPC_INVALID_ARGUMENT, `cannot read the body: ${(error as Error).message}`);
      return;
    }
    let decoded;
    try {
      decoded = decodeExportRequest(body, encoding);
    } catch (error) {
      if (!(error instanceof OtlpDecodeError)) throw error;
      this.log(`trace receiver: refused an export: ${error.message}`);
      fail(400, RPC_INVALID_ARGUMENT, error.message);
      return;
    }
    const added = this.store.add(decoded.spans);
    if (added.length > 0) {
      this.spool?.append(added);
      // Lines of dropped spans pile up in the spool: rewrite it once they outnumber the kept ones.
      if (this.spool !== undefined && this.spool.lineCount > 2 * this.store.maxSpans) this.spool.rewrite(this.store.all());
      for (const listener of this.listeners) {
        try {
          listener(added);
        } catch (error) {
          this.log(`trace receiver: a span listener failed: ${(error as Error).message}`);
        }
      }
    }
    const { contentType, body: answer } = encodeExportResponse(encoding, decoded.rejectedSpans, decoded.rejectReason);
    response.writeHead(200, { 'content-type': contentType, 'content-length': answer.length });
    response.end(answer);
  }

  /** The request body, decompressed, or an HttpError 413 (too large) / 415 (unknown Content-Encoding). */
  private async readBody(request: IncomingMessage): Promise<Buffer> {
    const declared = Number(request.headers['content-length'] ?? '0');
    const contentEncoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (contentEncoding !== 'identity' && contentEncoding !== 'gzip' && contentEncoding !== 'deflate') {
      request.resume();
      throw new HttpError(415, `Content-Encoding must be gzip, deflate or identity, got "${contentEncoding}"`);
    }
    const tooLarge = (): HttpError => new HttpError(413, `the export body is larger than ${this.maxBodyBytes} bytes`);
    if (declared > this.maxBodyBytes && contentEncoding === 'identity') {
      request.resume();
      throw tooLarge();
    }
    const source = contentEncoding === 'identity' ? request : request.pipe(contentEncoding === 'gzip' ? createGunzip() : createInflate());
    // Events rather than `for await`: leaving an async iterator destroys the request, and with
    // it the socket the 413 must still go out on. What arrives after a failure is discarded.
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        if (error === undefined) resolve(Buffer.concat(chunks));
        else reject(error);
      };
      source.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > this.maxBodyBytes) settle(tooLarge());
        else chunks.push(chunk);
      });
      source.once('end', () => settle());
      source.once('error', (error: Error) => settle(error));
      if (source !== request) request.once('error', (error: Error) => settle(error));
      request.once('close', () => {
        if (!request.complete) settle(new Error('the client closed the connection before the body ended'));
      });
    });
  }
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store' });
  response.end(body);
}
