import type { Terminal } from './context';
import { formatBytes } from './output/table';

/** Files at least this large get a progress line; smaller ones finish before it would help. */
export const PROGRESS_THRESHOLD_BYTES = 8 * 1024 * 1024;

/** Reports bytes done of a known total. */
export interface Progress {
  advance(bytes: number): void;
  done(): void;
}

const silent: Progress = { advance: () => undefined, done: () => undefined };

/**
 * A progress line on stderr for a transfer of `total` bytes: redrawn in place (at most every
 * 100 ms) on a terminal, one line per quarter in a CI log. Silent below the threshold or when
 * `enabled` is false.
 */
export function createProgress(stderr: Terminal, label: string, total: number, enabled: boolean, now: () => number = Date.now): Progress {
  if (!enabled || total < PROGRESS_THRESHOLD_BYTES) return silent;
  const started = now();
  let sent = 0;
  let lastDraw = 0;
  let lastQuarter = 0;
  const line = (): string => {
    const seconds = Math.max((now() - started) / 1000, 0.001);
    const percent = Math.floor((sent / total) * 100);
    return `${label} ${formatBytes(sent)} / ${formatBytes(total)} (${percent}%) ${formatBytes(sent / seconds)}/s`;
  };
  if (stderr.isTTY === true) {
    return {
      advance(bytes) {
        sent += bytes;
        if (now() - lastDraw >= 100 || sent >= total) {
          lastDraw = now();
          stderr.write(`\r${line()}\u001b[K`);
        }
      },
      done() {
        stderr.write(`\r${line()}\u001b[K\n`);
      },
    };
  }
  return {
    advance(bytes) {
      sent += bytes;
      const quarter = Math.floor((sent / total) * 4);
      if (quarter > lastQuarter && quarter < 4) {
        lastQuarter = quarter;
        stderr.write(`${line()}\n`);
      }
    },
    done() {
      stderr.write(`${line()}\n`);
    },
  };
}
