import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, type FileHandle, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ArtifactStore, type BlobDigest, type BlobUpload } from './artifact-store';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * {@link ArtifactStore} in a directory this service owns:
 * - `sha256/<first 2 hex>/<digest>`: blobs, read-only once in place;
 * - `.tmp/<random>`: uploads in progress, in the same file system so the final rename is atomic.
 * An upload is written and fsynced under `.tmp`, renamed into place, then the directory is
 * fsynced, so after a crash a blob is either complete or absent. Temporary files left by a
 * crash are removed by {@link FileArtifactStore.removeAbandonedUploads} at start-up, which is
 * why one directory must not be shared by two running services.
 */
export class FileArtifactStore extends ArtifactStore {
  private readonly blobsDir: string;
  private readonly tempDir: string;

  constructor(readonly rootDir: string) {
    super();
    this.blobsDir = path.join(rootDir, 'sha256');
    this.tempDir = path.join(rootDir, '.tmp');
  }

  /** Creates the directories and deletes uploads a previous process left unfinished; returns how many. */
  async removeAbandonedUploads(): Promise<number> {
    await mkdir(this.blobsDir, { recursive: true });
    await mkdir(this.tempDir, { recursive: true });
    const abandoned = await readdir(this.tempDir);
    await Promise.all(abandoned.map((name) => rm(path.join(this.tempDir, name), { force: true, recursive: true })));
    return abandoned.length;
  }

  /** Where the blob with this digest lives (whether or not it exists). */
  blobPath(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256 hex digest: "${sha256}"`);
    return path.join(this.blobsDir, sha256.slice(0, 2), sha256);
  }

  override async beginUpload(): Promise<BlobUpload> {
    const tempPath = path.join(this.tempDir, randomBytes(12).toString('hex'));
    await mkdir(this.tempDir, { recursive: true });
    const file = await open(tempPath, 'wx', 0o600);
    return new FileBlobUpload(file, tempPath, (digest) => this.moveIntoPlace(tempPath, digest));
  }

  override async put(bytes: Uint8Array): Promise<BlobDigest> {
    const upload = await this.beginUpload();
    try {
      await upload.write(bytes);
      await upload.finish();
      return await upload.commit();
    } finally {
      await upload.abort();
    }
  }

  override async sizeOf(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(this.blobPath(sha256))).size;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  override async *read(sha256: string, offset: number, chunkBytes: number): AsyncIterable<Buffer> {
    const stream = createReadStream(this.blobPath(sha256), { start: offset, highWaterMark: chunkBytes });
    for await (const chunk of stream) yield chunk as Buffer;
  }

  // Renaming over an existing blob of the same digest is harmless: same bytes, and readers
  // that opened the old file keep reading it.
  private async moveIntoPlace(tempPath: string, digest: BlobDigest): Promise<void> {
    const finalPath = this.blobPath(digest.sha256);
    const prefixDir = path.dirname(finalPath);
    if ((await mkdir(prefixDir, { recursive: true })) !== undefined) await fsyncDirectory(this.blobsDir);
    await chmod(tempPath, 0o444);
    await rename(tempPath, finalPath);
    await fsyncDirectory(prefixDir);
  }
}

/** One upload into a temporary file, hashing as it goes. */
class FileBlobUpload implements BlobUpload {
  private readonly hash = createHash('sha256');
  private written = 0;
  private digest: BlobDigest | undefined;
  private state: 'writing' | 'finished' | 'committed' | 'aborted' = 'writing';

  constructor(
    private readonly file: FileHandle,
    private readonly tempPath: string,
    private readonly moveIntoPlace: (digest: BlobDigest) => Promise<void>,
  ) {}

  get bytesWritten(): number {
    return this.written;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.state !== 'writing') throw new Error(`cannot write to an upload that is ${this.state}`);
    this.hash.update(bytes);
    this.written += bytes.byteLength;
    let offset = 0;
    while (offset < bytes.byteLength) {
      const { bytesWritten } = await this.file.write(bytes, offset, bytes.byteLength - offset);
      offset += bytesWritten;
    }
  }

  async finish(): Promise<BlobDigest> {
    if (this.state !== 'writing') throw new Error(`cannot finish an upload that is ${this.state}`);
    await this.file.sync();
    await this.file.close();
    this.state = 'finished';
    this.digest = { sha256: this.hash.digest('hex'), sizeBytes: this.written };
    return this.digest;
  }

  async readFinished(): Promise<Buffer> {
    if (this.state !== 'finished') throw new Error(`cannot read an upload that is ${this.state}`);
    return readFile(this.tempPath);
  }

  async commit(): Promise<BlobDigest> {
    if (this.state !== 'finished' || this.digest === undefined) throw new Error(`cannot commit an upload that is ${this.state}`);
    await this.moveIntoPlace(this.digest);
    this.state = 'committed';
    return this.digest;
  }

  async abort(): Promise<void> {
    if (this.state === 'committed' || this.state === 'aborted') return;
    if (this.state === 'writing') await this.file.close().catch(() => undefined);
    this.state = 'aborted';
    await rm(this.tempPath, { force: true });
  }
}

// A rename is durable only once the directory holding the new name is on disk.
async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === 'ENOENT';
}
