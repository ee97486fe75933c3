const LEVEL_NUMBERS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** What the console shows of one line a service wrote (JSON from pino, or plain text). */
export interface ConsoleLine {
  readonly level: number;
  readonly text: string;
}

/**
 * Turns a service's log line into a compact console line: level and message, plus the
 * request ID when there is one. Non-JSON lines (a crash's stack trace) pass through as errors.
 */
export function summarizeLogLine(raw: string): ConsoleLine | undefined {
  const line = raw.trim();
  if (line === '') return undefined;
  if (!line.startsWith('{')) return { level: 50, text: line };
  try {
    const entry = JSON.parse(line) as { level?: number | string; msg?: string; request_id?: string; component?: string; err?: { message?: string } };
    const name = typeof entry.level === 'string' ? entry.level : (Object.keys(LEVEL_NUMBERS).find((k) => LEVEL_NUMBERS[k] === entry.level) ?? 'info');
    const level = LEVEL_NUMBERS[name] ?? 30;
    // Nest's own start-up chatter stays in the log file; its warnings and errors still show.
    if (entry.component === 'nest' && level < 40) return undefined;
    const parts = [name.toUpperCase().padEnd(5), entry.msg ?? ''];
    if (entry.err?.message !== undefined) parts.push(`— ${entry.err.message}`);
    if (entry.request_id !== undefined) parts.push(`(request ${entry.request_id})`);
    return { level, text: parts.join(' ') };
  } catch {
    return { level: 30, text: line };
  }
}
