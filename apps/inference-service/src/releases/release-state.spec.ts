import { DEFAULT_TRAFFIC_POLICY, type ModelReleaseState, ReleaseState } from './release-state';

const model = (aliases: Record<string, [number, string]>, policy = DEFAULT_TRAFFIC_POLICY): ModelReleaseState => ({
  aliases: new Map(Object.entries(aliases).map(([alias, [version, sha256]]) => [alias, { version, sha256 }])),
  trafficPolicy: policy,
});

describe(ReleaseState.name, () => {
  it('reports every alias and policy of a first snapshot, then only what a later snapshot changed', () => {
    const state = new ReleaseState();
    const first = state.apply({ kind: 'snapshot', revision: 5, reset: false, models: new Map([['flights', model({ production: [1, 'a'], canary: [2, 'b'] })]]) });
    expect(first.map((change) => `${change.kind}:${'alias' in change ? change.alias : ''}`)).toEqual(['alias-target:production', 'alias-target:canary', 'traffic-policy:']);
    const again = state.apply({ kind: 'snapshot', revision: 9, reset: true, models: new Map([['flights', model({ production: [3, 'c'] })]]) });
    expect(again).toEqual([
      { kind: 'alias-target', modelName: 'flights', alias: 'production', target: { version: 3, sha256: 'c' } },
      { kind: 'alias-removed', modelName: 'flights', alias: 'canary' },
    ]);
    expect(state.revision).toBe(9);
  });

  it('applies events in revision order and ignores ones already applied', () => {
    const state = new ReleaseState();
    state.apply({ kind: 'snapshot', revision: 1, reset: false, models: new Map() });
    expect(state.apply({ kind: 'alias-moved', revision: 2, modelName: 'm', alias: 'production', target: { version: 1, sha256: 'x' } })).toHaveLength(1);
    expect(state.apply({ kind: 'alias-moved', revision: 2, modelName: 'm', alias: 'production', target: { version: 1, sha256: 'x' } })).toEqual([]);
    const policy = { splits: [{ alias: 'production', percent: 90 }, { alias: 'canary', percent: 10 }] };
    expect(state.apply({ kind: 'traffic-policy', revision: 3, modelName: 'm', policy })).toEqual([{ kind: 'traffic-policy', modelName: 'm', policy }]);
    expect(state.model('m')?.trafficPolicy).toEqual(policy);
    expect(state.apply({ kind: 'heartbeat', revision: 7 })).toEqual([]);
    expect(state.revision).toBe(7);
  });

  it('reports a version\'s new status once, in revision order', () => {
    const state = new ReleaseState();
    state.apply({ kind: 'snapshot', revision: 1, reset: false, models: new Map() });
    const archived = { kind: 'version-status', revision: 2, modelName: 'm', version: 3, status: 'archived' } as const;
    expect(state.apply(archived)).toEqual([{ kind: 'version-status', modelName: 'm', version: 3, status: 'archived' }]);
    expect(state.apply(archived)).toEqual([]);
    expect(state.revision).toBe(2);
  });

  it('removes every alias of a model that left the snapshot', () => {
    const state = new ReleaseState();
    state.apply({ kind: 'snapshot', revision: 1, reset: false, models: new Map([['m', model({ production: [1, 'a'] })]]) });
    expect(state.apply({ kind: 'snapshot', revision: 2, reset: true, models: new Map() })).toEqual([{ kind: 'alias-removed', modelName: 'm', alias: 'production' }]);
    expect(state.modelNames()).toEqual([]);
  });
});
