import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TraceSpan } from './trace-span';

function isSpan(value: unknown): value is TraceSpan {
  if (typeof value !== 'object' || value === null) return false;
  const span = value as Partial<TraceSpan>;
  return typeof span.traceId === 'string' && typeof span.spanId === 'string' && typeof span.startTimeUnixNano === 'string' && typeof span.endTimeUnixNano === 'string' && typeof span.attributes === 'object';
}

function linesOf(spans: readonly TraceSpan[]): string {
  return spans.map((span) => `${JSON.stringify(span)}\n`).join('');
}

/**
 * Received spans as JSON lines in a file, so a restarted receiver still knows earlier
 * requests. Lines that do not parse (a write cut short by a crash) are skipped on load.
 * Writes are synchronous: one append per export keeps lines whole and in order, and a
 * development collector's exports are small.
 */
export class SpanSpool {
  private lines = 0;
  private broken = false;

  constructor(
    readonly file: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Span lines in the file now (as far as this spool wrote or read them). */
  get lineCount(): number {
    return this.lines;
  }

  /** The spans in the file, oldest first; none when it does not exist. */
  async load(): Promise<TraceSpan[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const spans: TraceSpan[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const value: unknown = JSON.parse(line);
        if (isSpan(value)) spans.push(value);
      } catch {
        // a partial last line: skip it
      }
    }
    this.lines = spans.length;
    return spans;
  }

  /** Appends spans, one JSON line each. A failing file is reported once and then left alone. */
  append(spans: readonly TraceSpan[]): void {
    if (this.broken || spans.length === 0) return;
    this.write(() => {
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, linesOf(spans));
      this.lines += spans.length;
    });
  }

  /** Replaces the file's content with `spans` (dropping lines of spans no longer kept). */
  rewrite(spans: readonly TraceSpan[]): void {
    if (this.broken) return;
    this.write(() => {
      mkdirSync(dirname(this.file), { recursive: true });
      const temporary = `${this.file}.tmp`;
      writeFileSync(temporary, linesOf(spans));
      renameSync(temporary, this.file);
      this.lines = spans.length;
    });
  }

  private write(action: () => void): void {
    try {
      action();
    } catch (error) {
      // Keep receiving in memory: the spool is a convenience.
      this.broken = true;
      this.log(`trace receiver: spool file ${this.file} failed, spans are kept in memory only from now on: ${(error as Error).message}`);
    }
  }
}
