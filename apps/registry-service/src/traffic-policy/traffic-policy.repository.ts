import { Injectable } from '@nestjs/common';
import type { PrismaTx } from '../audit-log/audit-log.repository';
import { type Prisma, PrismaClient } from '../generated/prisma/client';
import type { TrafficPolicy, TrafficSplit } from './traffic-policy';

/**
 * traffic_policies.split (jsonb): the splits in the caller's order (jsonb objects do not keep
 * key order) and the shadow percentage, which has no column of its own yet.
 */
interface StoredSplit {
  readonly splits: TrafficSplit[];
  readonly shadowPercent: number;
}

/** Traffic policies, one per model. */
@Injectable()
export class TrafficPolicyRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The model's explicit policy; undefined when none was set. */
  async find(modelId: string, tx: PrismaTx = this.prisma): Promise<TrafficPolicy | undefined> {
    return (await this.findMany([modelId], tx)).get(modelId);
  }

  /** The explicit policies of the given models, by model id. */
  async findMany(modelIds: readonly string[], tx: PrismaTx = this.prisma): Promise<Map<string, TrafficPolicy>> {
    if (modelIds.length === 0) return new Map();
    const rows = await tx.trafficPolicy.findMany({ where: { modelId: { in: [...modelIds] } }, select: { modelId: true, split: true, shadowAlias: true } });
    return new Map(rows.map((row) => [row.modelId, fromRow(row.split as unknown as StoredSplit, row.shadowAlias)]));
  }

  async replace(tx: PrismaTx, modelId: string, policy: TrafficPolicy, updatedBy: string): Promise<void> {
    const stored: StoredSplit = { splits: policy.splits.map((split) => ({ alias: split.alias, percent: split.percent })), shadowPercent: policy.shadowPercent };
    const data = { split: stored as unknown as Prisma.InputJsonValue, shadowAlias: policy.shadowAlias ?? null, updatedBy };
    await tx.trafficPolicy.upsert({ where: { modelId }, create: { modelId, ...data }, update: data });
  }
}

function fromRow(split: StoredSplit, shadowAlias: string | null): TrafficPolicy {
  return {
    splits: split.splits,
    ...(shadowAlias === null ? {} : { shadowAlias }),
    shadowPercent: shadowAlias === null ? 0 : split.shadowPercent,
  };
}
