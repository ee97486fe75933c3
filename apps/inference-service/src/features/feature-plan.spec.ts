import { buildFeaturePlan, FeaturePlanError } from './feature-plan';
import { aRouteStatsContract, aSignature, aVersionMetadata, contractsOf, ROUTE_DIGEST } from './features.fixtures';

const planError = (build: () => unknown): string => {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(FeaturePlanError);
    return (error as Error).message;
  }
  throw new Error('expected a FeaturePlanError');
};

describe(buildFeaturePlan.name, () => {
  it('describes each bound input column as stored (with its numeric default) or request-time (derived when known)', () => {
    const plan = buildFeaturePlan(aVersionMetadata(), aSignature(), contractsOf(aRouteStatsContract()));
    expect(plan.tensorsOnly).toBe(false);
    expect(plan.unboundInputs).toEqual([]);
    expect(plan.inputs).toEqual([
      {
        input: 'features',
        datatype: 'FP32',
        columns: [
          { kind: 'stored', qualifiedName: 'route_stats.flights_7d', featureSet: 'route_stats', feature: 'flights_7d', type: 'INT64', defaultValue: 0 },
          { kind: 'stored', qualifiedName: 'route_stats.avg_delay_7d', featureSet: 'route_stats', feature: 'avg_delay_7d', type: 'DOUBLE', defaultValue: null },
          { kind: 'stored', qualifiedName: 'route_stats.avg_distance', featureSet: 'route_stats', feature: 'avg_distance', type: 'DOUBLE', defaultValue: null },
          { kind: 'request', name: 'distance' },
          { kind: 'request', name: 'hour_of_day', derived: 'hour_of_day' },
        ],
      },
    ]);
    expect(plan.featureSets).toEqual([{ contract: { name: 'route_stats', version: 1, digest: ROUTE_DIGEST }, features: ['flights_7d', 'avg_delay_7d', 'avg_distance'] }]);
    expect(plan.requestFeatures).toEqual(['distance', 'hour_of_day']);
    expect(plan.storedFeatures).toEqual(['route_stats.flights_7d', 'route_stats.avg_delay_7d', 'route_stats.avg_distance']);
  });

  it('lists the used features of a set in the contract order and turns a BOOL default into 1/0', () => {
    const metadata = aVersionMetadata({ inputBindings: [{ input: 'features', features: ['route_stats.is_hub', 'route_stats.avg_distance'] }] });
    const plan = buildFeaturePlan(metadata, aSignature(-1, 'FP64'), contractsOf(aRouteStatsContract()));
    expect(plan.inputs[0]?.datatype).toBe('FP64');
    expect(plan.inputs[0]?.columns[0]).toMatchObject({ kind: 'stored', type: 'BOOL', defaultValue: 0 });
    expect(plan.featureSets[0]?.features).toEqual(['avg_distance', 'is_hub']);
  });

  it('says "tensors only" when the version has no input bindings', () => {
    const plan = buildFeaturePlan(aVersionMetadata({ inputBindings: [], featureContracts: [] }), aSignature(), new Map());
    expect(plan).toMatchObject({ tensorsOnly: true, inputs: [], featureSets: [], unboundInputs: ['features'] });
  });

  it('refuses bindings that do not fit the signature', () => {
    const contracts = contractsOf(aRouteStatsContract());
    expect(planError(() => buildFeaturePlan(aVersionMetadata({ inputBindings: [{ input: 'x', features: ['distance'] }] }), aSignature(), contracts))).toMatch(
      /flight-delay:3 input_bindings\[0\] \(input "x"\): the model has no input "x"; its inputs are "features"/,
    );
    expect(planError(() => buildFeaturePlan(aVersionMetadata(), aSignature(5, 'INT64'), contracts))).toMatch(/must be FP32 or FP64, the model declares INT64/);
    expect(planError(() => buildFeaturePlan(aVersionMetadata(), aSignature(4), contracts))).toMatch(/the model expects 4 columns, the binding lists 5 features/);
    const rank3 = { inputs: [{ name: 'features', datatype: 'FP32' as const, shape: [-1, 5, 1], unknownRank: false }], outputs: [] };
    expect(planError(() => buildFeaturePlan(aVersionMetadata(), rank3, contracts))).toMatch(/rank 2 \[rows, features\], the model declares rank 3/);
    const twice = aVersionMetadata({ inputBindings: [{ input: 'features', features: ['a'] }, { input: 'features', features: ['b'] }] });
    expect(planError(() => buildFeaturePlan(twice, aSignature(-1), contracts))).toMatch(/input "features" is bound twice/);
  });

  it('refuses features outside the lineage contracts or the loaded contract', () => {
    const contracts = contractsOf(aRouteStatsContract());
    const bind = (...features: string[]) => aVersionMetadata({ inputBindings: [{ input: 'features', features }] });
    expect(planError(() => buildFeaturePlan(bind('origin_stats.x'), aSignature(1), contracts))).toMatch(/feature set "origin_stats" is not among the version's lineage feature contracts \("route_stats"\)/);
    expect(planError(() => buildFeaturePlan(bind('route_stats.nope'), aSignature(1), contracts))).toMatch(/route_stats:1 has no feature "nope"; it has "flights_7d", "avg_delay_7d"/);
    expect(planError(() => buildFeaturePlan(bind('route_stats.carrier'), aSignature(1), contracts))).toMatch(/the feature is STRING; a float input takes DOUBLE, INT64 and BOOL features/);
    expect(planError(() => buildFeaturePlan(bind('a.b.c'), aSignature(1), contracts))).toMatch(/expected a plain name or "<feature_set>.<feature>"/);
    expect(planError(() => buildFeaturePlan(bind('route_stats.flights_7d'), aSignature(1), new Map()))).toMatch(/no contract was loaded for feature set "route_stats"/);
    const otherDigest = contractsOf(aRouteStatsContract({ digest: `sha256:${'cd'.repeat(32)}` }));
    expect(planError(() => buildFeaturePlan(bind('route_stats.flights_7d'), aSignature(1), otherDigest))).toMatch(/trained against route_stats:1@sha256:abab.*the feature-service serves digest sha256:cdcd/);
    const otherVersion = contractsOf(aRouteStatsContract({ version: 2 }));
    expect(planError(() => buildFeaturePlan(bind('route_stats.flights_7d'), aSignature(1), otherVersion))).toMatch(/the lineage pins route_stats:1, the loaded contract is route_stats:2/);
  });

  it('accepts a lineage contract with an unknown (empty) digest', () => {
    const metadata = aVersionMetadata({ featureContracts: [{ name: 'route_stats', version: 1, digest: '' }] });
    expect(buildFeaturePlan(metadata, aSignature(), contractsOf(aRouteStatsContract())).featureSets[0]?.contract.digest).toBe(ROUTE_DIGEST);
  });
});
