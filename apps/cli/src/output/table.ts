// Human-readable output: aligned tables and `key: value` blocks, plain text (no colour), so
// they read the same in a terminal and in a CI log.

/** A table with a header row; columns are padded to their widest cell. Empty tables say so. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], empty = '(none)'): string {
  if (rows.length === 0) return `${empty}\n`;
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** `key: value` lines with aligned values; entries with an empty value are left out. */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const shown = fields.filter(([, value]) => value !== '');
  const width = Math.max(0, ...shown.map(([key]) => key.length));
  return shown.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${value}`).join('\n') + (shown.length > 0 ? '\n' : '');
}

/** `a=1, b=2` for a map, sorted by key; empty string for an empty map. */
export function formatMap(map: Readonly<Record<string, string | number>> | undefined): string {
  return Object.entries(map ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(', ');
}

/** `2026-11-28 18:05:49Z` for a google.protobuf.Timestamp; empty when unset. */
export function formatTime(value: { seconds: string | number; nanos: number } | null | undefined): string {
  if (value === null || value === undefined) return '';
  return new Date(Number(value.seconds) * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** `1.5 MiB` for a byte count (int64 as a decimal string or a number). */
export function formatBytes(bytes: string | number): string {
  const value = Number(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${scaled.toFixed(1)} ${units[unit]}`;
}

/** An enum name without its type prefix, lower-case: `VERSION_STATUS_ACTIVE` -> `active`. */
export function formatEnum(value: string, prefix: string): string {
  return (value.startsWith(prefix) ? value.slice(prefix.length) : value).toLowerCase();
}

/** The first 12 hex digits of a sha256, enough to recognize it in a table. */
export function shortDigest(sha256: string | undefined): string {
  return sha256 === undefined || sha256 === '' ? '' : sha256.slice(0, 12);
}
