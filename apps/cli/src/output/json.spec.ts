import { durationToJson, renderJson, toJson } from './json';

describe(toJson.name, () => {
  it('writes Timestamps as RFC 3339 and Durations as seconds', () => {
    expect(toJson({ createdAt: { seconds: '1795000000', nanos: 250_000_000 } })).toEqual({ createdAt: '2026-11-18T11:06:40.250Z' });
    expect(toJson({ minTimeInPriorAlias: { seconds: '3600', nanos: 0 } })).toEqual({ minTimeInPriorAlias: '3600s' });
    expect(durationToJson({ seconds: '1', nanos: 500_000_000 })).toBe('1.5s');
  });

  it("drops proto-loader's virtual oneof properties but keeps real fields", () => {
    const message = { event: { kind: 'RELEASE_EVENT_KIND_ALIAS_MOVED', revision: '7' }, payload: 'event' };
    expect(toJson(message)).toEqual({ event: { kind: 'RELEASE_EVENT_KIND_ALIAS_MOVED', revision: '7' } });
    expect(toJson({ name: 'm', version: 3, selector: 'version' })).toEqual({ name: 'm', version: 3 });
    expect(toJson({ metric: 'auc', min: 0.7, _min: 'min', _max: 'max' })).toEqual({ metric: 'auc', min: 0.7 });
  });

  it('keeps map keys as data, even when they look like field names', () => {
    expect(toJson({ tags: { _private: 'x', seconds: '1', nanos: '2' }, metrics: { payload: 1 } })).toEqual({
      tags: { _private: 'x', seconds: '1', nanos: '2' },
      metrics: { payload: 1 },
    });
  });

  it('writes unset messages as null and one document per line', () => {
    expect(renderJson({ model: null, created: true })).toBe('{"model":null,"created":true}\n');
  });
});
