import type { MigrationFile } from './migration-files';
import type { HistoryEntry } from './migration-history';
import { compareWithHistory } from './migration-status';

const aFile = (name: string, checksum = `sum-of-${name}`): MigrationFile => ({ name, checksum, file: `migrations/${name}/migration.sql`, script: '' });
const anEntry = (name: string, overrides: Partial<HistoryEntry> = {}): HistoryEntry => ({ name, checksum: `sum-of-${name}`, finished: true, ...overrides });

describe(compareWithHistory.name, () => {
  const files = [aFile('20260101000000_a'), aFile('20260102000000_b'), aFile('20260103000000_c')];

  it('lists everything as pending on an empty database', () => {
    expect(compareWithHistory(files, [])).toEqual({
      applied: [],
      pending: ['20260101000000_a', '20260102000000_b', '20260103000000_c'],
      changed: [],
      missing: [],
      unfinished: [],
      isCurrent: false,
      servesThisBuild: false,
    });
  });

  it('is current when every file is applied with the same checksum', () => {
    const status = compareWithHistory(files, files.map((file) => anEntry(file.name)));

    expect(status.isCurrent).toBe(true);
    expect(status.applied).toHaveLength(3);
  });

  it('reports a file whose checksum differs from the recorded one as changed', () => {
    const status = compareWithHistory(files, [anEntry('20260101000000_a', { checksum: 'before-edit' })]);

    expect(status.changed).toEqual(['20260101000000_a']);
    expect(status.isCurrent).toBe(false);
  });

  it('reports a recorded migration absent from the folder as missing', () => {
    const status = compareWithHistory(files.slice(0, 1), [anEntry('20260101000000_a'), anEntry('20260102000000_b')]);

    expect(status.missing).toEqual(['20260102000000_b']);
  });

  it('reports a migration started but never finished as unfinished, not as changed or missing', () => {
    const status = compareWithHistory(files, [anEntry('20260101000000_a'), anEntry('20260102000000_b', { finished: false, checksum: 'x' })]);

    expect(status.unfinished).toEqual(['20260102000000_b']);
    expect(status.changed).toEqual([]);
    expect(status.missing).toEqual([]);
    expect(status.pending).toEqual(['20260103000000_c']);
  });

  it('lists a pending migration older than an applied one (merged from a branch) as pending', () => {
    const status = compareWithHistory(files, [anEntry('20260101000000_a'), anEntry('20260103000000_c')]);

    expect(status.pending).toEqual(['20260102000000_b']);
  });

  describe('servesThisBuild', () => {
    const allApplied = files.map((file) => anEntry(file.name));

    it('serves this build when every file is applied unchanged', () => {
      expect(compareWithHistory(files, allApplied)).toMatchObject({ isCurrent: true, servesThisBuild: true });
    });

    it('serves this build when the database is ahead (a newer release applied migrations this build lacks), but is not current', () => {
      const status = compareWithHistory(files, [...allApplied, anEntry('20260104000000_d')]);

      expect(status).toMatchObject({ missing: ['20260104000000_d'], isCurrent: false, servesThisBuild: true });
    });

    it('does not serve this build while a migration is pending', () => {
      expect(compareWithHistory(files, allApplied.slice(0, 2)).servesThisBuild).toBe(false);
    });

    it('does not serve this build when an applied migration changed, even if the database is also ahead', () => {
      const status = compareWithHistory(files, [...allApplied.slice(0, 2), anEntry('20260103000000_c', { checksum: 'before-edit' }), anEntry('20260104000000_d')]);

      expect(status.servesThisBuild).toBe(false);
    });

    it('does not serve this build while a migration is unfinished', () => {
      const status = compareWithHistory(files, [...allApplied, anEntry('20260104000000_d', { finished: false })]);

      expect(status).toMatchObject({ unfinished: ['20260104000000_d'], missing: [], servesThisBuild: false });
    });
  });
});
