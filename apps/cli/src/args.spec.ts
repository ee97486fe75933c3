import { collectList, parseInteger, parseModelRef, parseTags } from './args';
import { parseDurationMs } from './context';
import { UsageError } from './errors';

describe('argument parsing', () => {
  it('reads a version number or an @alias as a ModelRef', () => {
    expect(parseModelRef('m', '3')).toEqual({ name: 'm', version: 3 });
    expect(parseModelRef('m', '@production')).toEqual({ name: 'm', alias: 'production' });
    expect(parseModelRef('m', 'canary')).toEqual({ name: 'm', alias: 'canary' });
    expect(() => parseModelRef('m', '0')).toThrow(UsageError);
    expect(() => parseModelRef('m', '@Prod!')).toThrow(/version number or @alias/);
  });

  it('reads repeated key=value tags, values may contain =', () => {
    expect(parseTags(['team=ml', 'query=a=b'])).toEqual({ team: 'ml', query: 'a=b' });
    expect(parseTags(undefined)).toEqual({});
    expect(() => parseTags(['novalue'])).toThrow(/expected key=value, got "novalue"/);
    expect(() => parseTags(['a=1', 'a=2'])).toThrow(/"a" given twice/);
  });

  it('reads integers within bounds only', () => {
    expect(parseInteger('0', '--expect', 0)).toBe(0);
    expect(() => parseInteger('1.5', '--expect')).toThrow(/whole number/);
    expect(() => parseInteger('-1', '--expect', 0)).toThrow(/between 0 and/);
  });

  it('reads durations with units, bare numbers as seconds', () => {
    expect(parseDurationMs('30s', '--timeout')).toBe(30_000);
    expect(parseDurationMs('500ms', '--timeout')).toBe(500);
    expect(parseDurationMs('2m', '--timeout')).toBe(120_000);
    expect(parseDurationMs('24h', '--timeout')).toBe(86_400_000);
    expect(parseDurationMs('5', '--timeout')).toBe(5_000);
    expect(() => parseDurationMs('soon', '--timeout')).toThrow(/--timeout: expected a duration/);
    expect(() => parseDurationMs('0s', '--timeout')).toThrow(/greater than 0/);
  });

  it('splits comma-separated repeatable options', () => {
    expect(collectList('c', collectList('a, b'))).toEqual(['a', 'b', 'c']);
  });
});
