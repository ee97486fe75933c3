import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ServedModel } from '../model-runtime';
import { DEFAULT_TRAFFIC_POLICY, type TrafficPolicy } from '../releases/release-state';

/** Every model this replica serves: its aliases' loaded versions and its traffic policy. */
@Injectable()
export class ModelCatalog implements OnModuleDestroy {
  private readonly models = new Map<string, ServedModel>();
  private readonly policies = new Map<string, TrafficPolicy>();

  /** The served model called `name`, created empty on first use. */
  served(name: string): ServedModel {
    let model = this.models.get(name);
    if (model === undefined) {
      model = new ServedModel(name);
      this.models.set(name, model);
    }
    return model;
  }

  find(name: string): ServedModel | undefined {
    return this.models.get(name);
  }

  names(): string[] {
    return [...this.models.keys()].sort();
  }

  setPolicy(name: string, policy: TrafficPolicy): void {
    this.policies.set(name, policy);
  }

  policyOf(name: string): TrafficPolicy {
    return this.policies.get(name) ?? DEFAULT_TRAFFIC_POLICY;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.models.values()].map((model) => model.close()));
    this.models.clear();
  }
}
