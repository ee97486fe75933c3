import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/** A whole HTTP answer written straight to a socket (no request was parsed, so no reply object exists). */
export interface RawHttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * How a service answers the HTTP errors no route of its own answers (the gateway: problem+json).
 * Without them a service keeps Fastify's and Nest's default bodies.
 */
export interface HttpErrorAnswers {
  /** A request no route matches. */
  notFound(request: FastifyRequest, reply: FastifyReply): unknown;
  /**
   * An error outside the error handlers of the app's own route contexts: Fastify's refusals of
   * a URL (FST_ERR_BAD_URL, FST_ERR_MAX_PARAM_LENGTH), body parsing of unmatched requests, a
   * failure of an operational route.
   */
  error(error: unknown, request: FastifyRequest, reply: FastifyReply): unknown;
  /** A request Node's HTTP parser refused (malformed, headers too large, too slow): written raw, then the socket closes. */
  clientError(error: NodeJS.ErrnoException): RawHttpAnswer;
}

/**
 * Fastify under Nest with a service's own error answers. Nest registers its not-found and
 * error handlers on Fastify's root when the app starts (`Cannot POST /x` bodies); this adapter
 * puts the service's in their place. Fastify's answer 503 while it closes is off: the drain
 * ({@link trackHttpConnections}) has closed every connection before Fastify closes.
 */
export class ServiceFastifyAdapter extends FastifyAdapter {
  private constructor(
    options: FastifyServerOptions & { skipMiddie?: boolean },
    private readonly late: { answers?: HttpErrorAnswers },
  ) {
    super(options);
  }

  /** An adapter; with `withAnswers`, Fastify's framework and client errors go to the answers given to {@link useErrorAnswers}. */
  static create(withAnswers: boolean): ServiceFastifyAdapter {
    const late: { answers?: HttpErrorAnswers } = {};
    const answers = (): HttpErrorAnswers => {
      if (late.answers === undefined) throw new Error('ServiceFastifyAdapter: useErrorAnswers() was not called');
      return late.answers;
    };
    return new ServiceFastifyAdapter(
      {
        return503OnClosing: false,
        // No service uses Nest middleware: without @fastify/middie no request runs its hook
        // (a Nest middleware added later fails at start-up, not silently).
        skipMiddie: true,
        ...(withAnswers
          ? {
              frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => answers().error(error, request, reply),
              clientErrorHandler: (error: NodeJS.ErrnoException, socket: Socket) => answerClientError(answers(), error, socket),
            }
          : {}),
      },
      late,
    );
  }

  /** Sets the answers (once the app exists, before it starts: Nest asks for its handlers then). */
  useErrorAnswers(answers: HttpErrorAnswers): void {
    this.late.answers = answers;
  }

  override setNotFoundHandler(handler: Parameters<FastifyAdapter['setNotFoundHandler']>[0]): ReturnType<FastifyAdapter['setNotFoundHandler']> {
    const answers = this.late.answers;
    return super.setNotFoundHandler(answers === undefined ? handler : (request: FastifyRequest, reply: FastifyReply) => answers.notFound(request, reply));
  }

  override setErrorHandler(handler: Parameters<FastifyAdapter['setErrorHandler']>[0]): ReturnType<FastifyAdapter['setErrorHandler']> {
    const answers = this.late.answers;
    return super.setErrorHandler(answers === undefined ? handler : (error: unknown, request: FastifyRequest, reply: FastifyReply) => answers.error(error, request, reply));
  }
}

function answerClientError(answers: HttpErrorAnswers, error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody to answer (as in Fastify's default handler).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const answer = answers.clientError(error);
    const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)), connection: 'close' };
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\n${head}\r\n${answer.body}`);
  }
  socket.destroy(error);
}
