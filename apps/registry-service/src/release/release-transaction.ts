import { Injectable } from '@nestjs/common';
import type { PrismaTx } from '../audit-log/audit-log.repository';
import { PrismaClient } from '../generated/prisma/client';
import { ReleaseEventRepository } from './release-event.repository';
import { ReleaseFeed } from './release-feed';
import { RegisteredModelRepository } from './registered-model.repository';

// PGlite has one connection, so concurrent transactions queue for it: give them time to start.
const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 15_000 } as const;

/**
 * Transactions of the release use cases.
 *
 * Lock order, the same in every registry transaction (SetVersionStatus and RegisterVersion
 * included): first the model's row (`FOR UPDATE`), then — only when a release event is
 * appended — the release lock (ReleaseEventRepository.append), held until commit. The model
 * row serializes everything that changes or decides about one model (alias moves, gate
 * policies, approvals, status changes); the release lock only orders revisions registry-wide.
 */
@Injectable()
export class ReleaseTransaction {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly models: RegisteredModelRepository,
    private readonly events: ReleaseEventRepository,
    private readonly feed: ReleaseFeed,
  ) {}

  /**
   * Runs `work` in one interactive transaction with the model's row locked, and wakes the
   * release feed after the commit so live watchers get an appended event at once (the feed's
   * poll covers writers on other replicas).
   */
  async forModel<T>(modelId: string, work: (tx: PrismaTx) => Promise<T>): Promise<T> {
    const result = await this.prisma.$transaction(async (tx) => {
      await this.models.lockForUpdate(tx, modelId);
      return work(tx);
    }, TRANSACTION_OPTIONS);
    this.feed.wake();
    return result;
  }

  /** A read-only transaction holding the release lock shared: no release writer is between its append and its commit. */
  consistentRead<T>(work: (tx: PrismaTx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      await this.events.lockShared(tx);
      return work(tx);
    }, TRANSACTION_OPTIONS);
  }
}
