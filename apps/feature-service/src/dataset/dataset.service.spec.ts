import { InvalidArgumentError, NotFoundError, OutOfRangeError } from '@strata/service-runtime';
import type { DatasetCell, DatasetRowBatch, DatasetSnapshot } from './dataset';
import type { DatasetRepository } from './dataset.repository';
import { DatasetService } from './dataset.service';

const ID = '0190c7d2-0000-7000-8000-000000000001';

/** A fake repository holding one dataset of `rowCount` one-cell rows (the row number), counting reads. */
function aRepository(rowCount: number) {
  const snapshot: DatasetSnapshot = { id: ID, digest: `sha256:${'e'.repeat(64)}`, rowCount, columns: [{ name: 'n', type: 'INT64', role: 'EXTRA' }], featureContracts: [], createdAt: new Date(0) };
  const reads: [number, number][] = [];
  const repository = {
    findById: async (id: string) => (id === ID ? snapshot : undefined),
    readRows: async (_id: string, start: number, end: number): Promise<DatasetCell[][]> => {
      reads.push([start, end]);
      return Array.from({ length: Math.max(0, Math.min(end, rowCount) - start) }, (_, index) => [start + index]);
    },
  };
  return { repository: repository as unknown as DatasetRepository, reads };
}

async function collect(batches: AsyncIterable<DatasetRowBatch>): Promise<DatasetRowBatch[]> {
  const all: DatasetRowBatch[] = [];
  for await (const batch of batches) all.push(batch);
  return all;
}

describe(DatasetService.name, () => {
  it('reads batches of batch_size in row order from start_row', async () => {
    const { repository } = aRepository(25);
    const read = await new DatasetService(repository).read(ID, 3, 10);
    const batches = await collect(read.batches);
    expect(batches.map((batch) => [batch.startRow, batch.rows.length])).toEqual([
      [3, 10],
      [13, 10],
      [23, 2],
    ]);
    expect(batches.flatMap((batch) => batch.rows.map((row) => row[0]))).toEqual(Array.from({ length: 22 }, (_, index) => index + 3));
  });

  it('uses 1000 rows per batch for 0 and clamps to 10000, reading the database in pages', async () => {
    const { repository, reads } = aRepository(25_000);
    expect((await collect((await new DatasetService(repository).read(ID, 0, 0)).batches)).map((batch) => batch.rows.length)).toEqual(Array.from({ length: 25 }, () => 1000));
    expect(reads).toEqual([
      [0, 10_000],
      [10_000, 20_000],
      [20_000, 25_000],
    ]);
    expect((await collect((await new DatasetService(repository).read(ID, 0, 50_000)).batches)).map((batch) => batch.rows.length)).toEqual([10_000, 10_000, 5000]);
  });

  it('sends no batch at start_row = row_count', async () => {
    const { repository } = aRepository(5);
    expect(await collect((await new DatasetService(repository).read(ID, 5, 0)).batches)).toEqual([]);
  });

  it('fails with OUT_OF_RANGE past the end, NOT_FOUND for an unknown ID, INVALID_ARGUMENT for negatives', async () => {
    const service = new DatasetService(aRepository(5).repository);
    await expect(service.read(ID, 6, 0)).rejects.toBeInstanceOf(OutOfRangeError);
    await expect(service.read('0190c7d2-0000-7000-8000-000000000002', 0, 0)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.read('not-a-uuid', 0, 0)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.read(ID, -1, 0)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(service.read(ID, 0, -1)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
