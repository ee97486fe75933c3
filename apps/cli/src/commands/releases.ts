import { status } from '@grpc/grpc-js';
import type { registryV1 } from '@strata/contracts';
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseInteger } from '../args';
import { type CliDeps, type CommandContext, withContext } from '../context';
import { isServiceError } from '../errors';
import { renderJson } from '../output/json';
import { renderReleaseMessage } from '../output/release-views';

/** Reconnect and liveness timing of `releases watch`. */
export interface WatchTiming {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** No message (the server sends a heartbeat every 15 s) for this long = a dead connection. */
  readonly idleTimeoutMs: number;
}

export const DEFAULT_WATCH_TIMING: WatchTiming = { initialBackoffMs: 500, maxBackoffMs: 30_000, idleTimeoutMs: 45_000 };

/** The revision a client has processed after `message`: snapshots and events advance it, heartbeats do not. */
export function revisionAfter(message: registryV1.WatchReleasesResponse, current: string): string {
  return message.snapshot?.revision ?? message.event?.revision ?? current;
}

/**
 * Follows WatchReleases until interrupted: prints each message (JSON lines with --json),
 * and on UNAVAILABLE, a server-side end or cancel, or an idle connection reconnects with
 * exponential backoff, resuming after the last revision it printed. Resolves on SIGINT.
 */
export async function watchReleases(ctx: CommandContext, request: registryV1.WatchReleasesRequest, timing: WatchTiming = DEFAULT_WATCH_TIMING): Promise<void> {
  const interrupted = new AbortController();
  const stopListening = ctx.io.onInterrupt(() => interrupted.abort());
  let fromRevision = request.fromRevision;
  let backoffMs = timing.initialBackoffMs;
  try {
    while (!interrupted.signal.aborted) {
      const attempt = new AbortController();
      const cancelAttempt = (): void => attempt.abort();
      interrupted.signal.addEventListener('abort', cancelAttempt, { once: true });
      let idle = false;
      let idleTimer: NodeJS.Timeout | undefined;
      const armIdleTimer = (): void => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => {
          idle = true;
          attempt.abort();
        }, timing.idleTimeoutMs);
      };
      let reason = 'the stream ended';
      try {
        armIdleTimer();
        for await (const message of ctx.registry.watchReleases({ ...request, fromRevision }, attempt.signal)) {
          armIdleTimer();
          backoffMs = timing.initialBackoffMs;
          fromRevision = revisionAfter(message, fromRevision);
          const text = ctx.options.json ? renderJson(message) : renderReleaseMessage(message);
          if (text !== '') ctx.io.stdout.write(text);
        }
      } catch (error) {
        if (interrupted.signal.aborted) return;
        const retryable = idle || (isServiceError(error) && (error.code === status.UNAVAILABLE || error.code === status.CANCELLED));
        if (!retryable) throw error;
        reason = idle ? `no message for ${Math.round(timing.idleTimeoutMs / 1000)}s` : `${status[(error as { code: status }).code]}: ${(error as Error).message}`;
      } finally {
        clearTimeout(idleTimer);
        interrupted.signal.removeEventListener('abort', cancelAttempt);
      }
      ctx.io.stderr.write(`strata: ${reason}; reconnecting in ${(backoffMs / 1000).toFixed(1)}s from revision ${fromRevision}\n`);
      await sleep(backoffMs, undefined, { signal: interrupted.signal }).catch(() => undefined);
      backoffMs = Math.min(backoffMs * 2, timing.maxBackoffMs);
    }
  } finally {
    stopListening();
  }
}

export function registerReleaseCommands(program: Command, deps: CliDeps): void {
  const releases = program.command('releases').description('the release stream inference-service follows');

  releases
    .command('watch')
    .description('print release events as they happen (a snapshot first), one line each; Ctrl-C exits 0')
    .option('--model <name>', "only this model's releases")
    .option('--from-revision <n>', 'resume after this revision (0 = start with a snapshot)', '0')
    .addHelpText(
      'after',
      '\nWith --json every stream message is one JSON line: {"snapshot": ...}, {"event": ...} or {"heartbeat": ...}.\n' +
        'On UNAVAILABLE it reconnects with backoff, resuming after the last revision printed (no gap, no duplicate).\n' +
        'No deadline applies (--timeout is ignored).',
    )
    .action((options: { model?: string; fromRevision: string }, command: Command) =>
      withContext(deps, command, (ctx) =>
        watchReleases(ctx, { modelName: options.model ?? '', fromRevision: String(parseInteger(options.fromRevision, '--from-revision', 0, Number.MAX_SAFE_INTEGER)) }),
      ),
    );
}
