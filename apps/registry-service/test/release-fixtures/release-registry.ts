import type { registryV1 } from '@strata/contracts';
import type { TestEngine } from '@strata/testing';
import { aLinearOnnxModel } from '../fixtures/onnx-models';
import { headerFor } from '../fixtures/registry-client';
import { startTestRegistry, type TestRegistry, TOKENS } from '../fixtures/registry-harness';
import { ReleaseTestClient } from './release-client';

/** What a test version is registered with (through the real RegisterVersion). */
export interface VersionSpec {
  readonly metrics?: Record<string, number>;
  readonly featureContracts?: readonly { readonly name: string; readonly version: number; readonly digest?: string }[];
}

/** The test registry (see startTestRegistry) plus clients of the release RPCs for each role. */
export interface ReleaseRegistry extends TestRegistry {
  readonly release: { readonly anonymous: ReleaseTestClient; readonly ci: ReleaseTestClient; readonly admin: ReleaseTestClient };
  /** Creates a model and registers one version per spec (versions 1..n), each with distinct artifact bytes. */
  aModelWithVersions(name: string, versions: readonly VersionSpec[]): Promise<void>;
}

// Distinct artifact bytes for every version registered in this process (deterministic).
let nextArtifactSeed = 1;

/** Starts registry-service on `engine` for a release test file. */
export async function startReleaseRegistry(engine: TestEngine, env: NodeJS.ProcessEnv = {}): Promise<ReleaseRegistry> {
  const registry = await startTestRegistry(engine, env);
  const anonymous = new ReleaseTestClient(registry.service.grpcAddress);
  return {
    ...registry,
    release: { anonymous, ci: anonymous.as(TOKENS.ci), admin: anonymous.as(TOKENS.admin) },
    aModelWithVersions: async (name, versions) => {
      await registry.ci.createModel({ name });
      for (const spec of versions) {
        const bytes = aLinearOnnxModel(nextArtifactSeed++);
        const lineage: Partial<registryV1.Lineage> = {
          featureContracts: (spec.featureContracts ?? []).map((contract) => ({ featureSet: { name: contract.name, version: contract.version }, digest: contract.digest ?? '' })),
        };
        await registry.ci.registerVersion(name, bytes, { header: headerFor(name, bytes, { metrics: spec.metrics ?? {}, lineage: lineage as registryV1.Lineage }) });
      }
    },
    stop: async () => {
      anonymous.close();
      await registry.stop();
    },
  };
}

/** An ABORTED/FAILED_PRECONDITION-free move for arranging state: SetAlias by an admin with no compare-and-set. */
export async function moveAlias(registry: ReleaseRegistry, modelName: string, alias: string, version: number): Promise<registryV1.AliasInfo> {
  const { alias: info } = await registry.release.admin.setAlias({ modelName, alias, version, reason: 'arrange', overrideGate: true });
  return info!;
}
