import { Injectable } from '@nestjs/common';
import type { AliasState } from '../alias/alias';
import { AliasRepository } from '../alias/alias.repository';
import { DEFAULT_TRAFFIC_POLICY } from '../traffic-policy/traffic-policy';
import { TrafficPolicyRepository } from '../traffic-policy/traffic-policy.repository';
import type { RegisteredModel } from './registered-model.repository';
import type { ReleaseVersionStatus } from './release-event';
import { ReleaseEventRepository } from './release-event.repository';
import type { ModelRelease, ReleaseSnapshot } from './release-snapshot';
import { ReleaseTransaction } from './release-transaction';

/**
 * Reads the complete release state at one revision: under the shared release lock no writer
 * is between appending its event and committing, so the state read is exactly the state
 * after every event up to the head revision read in the same transaction.
 */
@Injectable()
export class ReleaseSnapshotReader {
  constructor(
    private readonly transactions: ReleaseTransaction,
    private readonly events: ReleaseEventRepository,
    private readonly aliases: AliasRepository,
    private readonly trafficPolicies: TrafficPolicyRepository,
  ) {}

  /** Every model with at least one alias, or only `model` (even without aliases). */
  read(model?: RegisteredModel): Promise<ReleaseSnapshot> {
    return this.transactions.consistentRead(async (tx) => {
      const revision = await this.events.head(tx);
      const aliases = await this.aliases.list(model === undefined ? {} : { modelId: model.id }, tx);
      const byModel = new Map<string, { name: string; aliases: AliasState[] }>();
      if (model !== undefined) byModel.set(model.id, { name: model.name, aliases: [] });
      for (const alias of aliases) {
        const entry = byModel.get(alias.modelId) ?? { name: alias.modelName, aliases: [] };
        entry.aliases.push(alias);
        byModel.set(alias.modelId, entry);
      }
      const policies = await this.trafficPolicies.findMany([...byModel.keys()], tx);
      const models = [...byModel].map(([modelId, entry]): ModelRelease => ({
        modelName: entry.name,
        aliases: entry.aliases,
        trafficPolicy: policies.get(modelId) ?? DEFAULT_TRAFFIC_POLICY,
        versionStatuses: new Map<number, ReleaseVersionStatus>(entry.aliases.map((alias) => [alias.version, alias.versionStatus])),
      }));
      return { revision, models };
    });
  }
}
