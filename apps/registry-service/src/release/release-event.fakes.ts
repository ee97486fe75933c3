import type { ReleaseEvent } from './release-event';
import type { ReleaseEventSource } from './release-event.repository';

/** An in-memory release event table for unit tests: `commit` appends events with the next revisions. */
export class FakeReleaseEvents implements ReleaseEventSource {
  readonly rows: ReleaseEvent[] = [];
  reads = 0;
  failNextRead: Error | undefined;

  commit(count: number, modelId = 'model-a'): ReleaseEvent[] {
    const start = this.rows.length;
    const added = Array.from({ length: count }, (_, i): ReleaseEvent => {
      const revision = BigInt(start + i + 1);
      return {
        revision,
        modelId,
        modelName: modelId,
        change: { kind: 'alias_moved', alias: 'production', version: Number(revision), artifactSha256: 'ab'.repeat(32) },
        actor: 'ci-bot',
        reason: `move ${revision}`,
        time: new Date(0),
      };
    });
    this.rows.push(...added);
    return added;
  }

  async head(): Promise<bigint> {
    return this.rows.at(-1)?.revision ?? 0n;
  }

  async listAfter(after: bigint, options: { readonly modelId?: string; readonly upTo?: bigint; readonly limit: number }): Promise<ReleaseEvent[]> {
    this.reads++;
    const failure = this.failNextRead;
    this.failNextRead = undefined;
    if (failure !== undefined) throw failure;
    return this.rows
      .filter((e) => e.revision > after && (options.upTo === undefined || e.revision <= options.upTo) && (options.modelId === undefined || e.modelId === options.modelId))
      .slice(0, options.limit);
  }
}
