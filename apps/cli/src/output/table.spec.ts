import { formatBytes, formatEnum, formatMap, formatTime, renderFields, renderTable } from './table';

describe('human output', () => {
  it('pads columns to the widest cell and trims trailing space', () => {
    expect(renderTable(['NAME', 'V'], [['flights-delay', '3'], ['churn', '12']])).toBe('NAME           V\nflights-delay  3\nchurn          12\n');
    expect(renderTable(['NAME'], [], '(no models)')).toBe('(no models)\n');
  });

  it('aligns key: value lines and leaves out empty values', () => {
    expect(renderFields([['name', 'm'], ['description', ''], ['latest version', '2']])).toBe('name:           m\nlatest version: 2\n');
  });

  it('formats maps, times, sizes and enum names for people', () => {
    expect(formatMap({ b: 2, a: 'x' })).toBe('a=x, b=2');
    expect(formatTime({ seconds: '1795000000', nanos: 0 })).toBe('2026-11-18 11:06:40Z');
    expect(formatTime(null)).toBe('');
    expect(formatBytes('1048576')).toBe('1.0 MiB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatEnum('VERSION_STATUS_ACTIVE', 'VERSION_STATUS_')).toBe('active');
  });
});
