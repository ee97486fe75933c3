import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileArtifactStore } from './file-artifact-store';

const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const all: Buffer[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

describe(FileArtifactStore.name, () => {
  let root: string;
  let store: FileArtifactStore;
  const tempFiles = (): string[] => readdirSync(path.join(root, '.tmp'));

  beforeEach(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'artifact-store-'));
    store = new FileArtifactStore(root);
    await store.removeAbandonedUploads();
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('stores an upload under sha256/<2 hex>/<digest> with its digest and size computed while writing', async () => {
    const parts = [Buffer.from('hello '), Buffer.from('world')];
    const upload = await store.beginUpload();
    for (const part of parts) await upload.write(part);

    const digest = await upload.finish();
    expect(digest).toEqual({ sha256: sha256Of(Buffer.concat(parts)), sizeBytes: 11 });
    expect(await store.sizeOf(digest.sha256)).toBeUndefined();
    expect((await upload.readFinished()).toString()).toBe('hello world');

    await upload.commit();
    expect(readFileSync(path.join(root, 'sha256', digest.sha256.slice(0, 2), digest.sha256), 'utf8')).toBe('hello world');
    expect(tempFiles()).toEqual([]);
  });

  it('never shows an aborted upload as a blob and leaves no temporary file', async () => {
    const upload = await store.beginUpload();
    await upload.write(Buffer.from('partial'));
    expect(tempFiles()).toHaveLength(1);

    await upload.abort();
    await upload.abort();

    expect(tempFiles()).toEqual([]);
    expect(readdirSync(path.join(root, 'sha256'))).toEqual([]);
  });

  it('keeps one blob when the same content is stored twice', async () => {
    const first = await store.put(Buffer.from('same'));
    const second = await store.put(Buffer.from('same'));

    expect(second).toEqual(first);
    expect(readdirSync(path.join(root, 'sha256', first.sha256.slice(0, 2)))).toEqual([first.sha256]);
  });

  it('reads a blob from an offset in chunks no larger than asked', async () => {
    const bytes = Buffer.from('0123456789');
    const { sha256 } = await store.put(bytes);

    const chunks = await collect(store.read(sha256, 3, 4));

    expect(chunks.map((chunk) => chunk.toString())).toEqual(['3456', '789']);
  });

  it('removes temporary files a crashed process left behind, and reports how many', async () => {
    writeFileSync(path.join(root, '.tmp', 'abandoned'), 'half an artifact');

    expect(await new FileArtifactStore(root).removeAbandonedUploads()).toBe(1);
    expect(tempFiles()).toEqual([]);
  });

  it('reports no size for a digest it does not hold', async () => {
    expect(await store.sizeOf('ab'.repeat(32))).toBeUndefined();
  });
});
