import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { FailedPreconditionError } from '@strata/service-runtime';
import type { FeaturePlan } from '../features';
import { type LoadedModel, ServedModel } from '../model-runtime';
import { DEFAULT_TRAFFIC_POLICY, type TrafficPolicy } from '../releases/release-state';

/** What the request path needs to know about a loaded version besides its session. */
export interface VersionDetails {
  /** Estimated resident bytes (memory budget). */
  readonly bytes: number;
  /** How its inputs are assembled from prediction rows and online features. */
  readonly plan: FeaturePlan;
  /** Tag `strata.requires_fresh_features=true`: a feature that is not PRESENT fails the request. */
  readonly requiresFreshFeatures: boolean;
}

/** Every model this replica serves: its aliases' loaded versions and its traffic policy. */
@Injectable()
export class ModelCatalog implements OnModuleDestroy {
  private readonly models = new Map<string, ServedModel>();
  private readonly policies = new Map<string, TrafficPolicy>();
  private readonly details = new WeakMap<LoadedModel, VersionDetails>();
  private readonly bytesByVersion = new Map<string, number>();
  /** `<model>@<version>` of every version the release stream reported ARCHIVED (final: never removed). */
  private readonly archived = new Set<string>();

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

  /** Records what a loaded version's requests need (set once, when it is loaded). */
  describe(model: LoadedModel, details: VersionDetails): void {
    this.details.set(model, details);
    this.bytesByVersion.set(`${model.modelName}@${model.version}`, details.bytes);
  }

  detailsOf(model: LoadedModel): VersionDetails | undefined {
    return this.details.get(model);
  }

  /** Bytes held by the versions aliases serve, across every model. */
  aliasBytes(): number {
    let total = 0;
    for (const served of this.models.values()) {
      const versions = new Set(served.status().flatMap((status) => (status.version === undefined ? [] : [status.version])));
      for (const version of versions) total += this.bytesByVersion.get(`${served.modelName}@${version}`) ?? 0;
    }
    return total;
  }

  /** Records that a version was archived in the registry: it must not be served any more. */
  markArchived(modelName: string, version: number): void {
    this.archived.add(`${modelName}@${version}`);
  }

  isArchived(modelName: string, version: number): boolean {
    return this.archived.has(`${modelName}@${version}`);
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

/** FAILED_PRECONDITION for a request of a version the registry archived (ARCHIVED is final; the version is never served again). */
export function archivedVersionError(modelName: string, version: number): FailedPreconditionError {
  const description = `${modelName} version ${version} is ARCHIVED in the registry; archived versions are not served`;
  return new FailedPreconditionError(description, [{ type: 'VERSION_STATUS', subject: `${modelName}:${version}`, description }]);
}
