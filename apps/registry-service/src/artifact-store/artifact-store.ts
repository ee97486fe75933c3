/** SHA-256 (bare lowercase hex) and size of a stored blob. */
export interface BlobDigest {
  readonly sha256: string;
  readonly sizeBytes: number;
}

/**
 * A blob being written. Bytes go to a private temporary file while their SHA-256 and size
 * are computed; nothing is visible under a digest until {@link BlobUpload.commit}.
 */
export interface BlobUpload {
  /** Bytes accepted so far. */
  readonly bytesWritten: number;
  /** Appends bytes; resolves once the file has taken them (one write at a time = backpressure). */
  write(bytes: Uint8Array): Promise<void>;
  /** Flushes the temporary file to disk and returns what was written. No more writes. */
  finish(): Promise<BlobDigest>;
  /** The finished content, read back from the temporary file (for validation before commit). */
  readFinished(): Promise<Buffer>;
  /** Moves the finished file into place under its digest, durably; a blob already there is kept. */
  commit(): Promise<BlobDigest>;
  /** Removes the temporary file. Safe at any time, several times, and after commit. */
  abort(): Promise<void>;
}

/**
 * Content-addressed blob storage: artifacts and evidence attachments, addressed by their
 * SHA-256. Writes are atomic (a partial write is never visible as a blob); blobs are immutable.
 */
export abstract class ArtifactStore {
  /** Starts writing a blob of unknown content. */
  abstract beginUpload(): Promise<BlobUpload>;

  /** Stores a small blob held in memory (e.g. an evidence attachment). */
  abstract put(bytes: Uint8Array): Promise<BlobDigest>;

  /** Size of a stored blob, or undefined when there is none with this digest. */
  abstract sizeOf(sha256: string): Promise<number | undefined>;

  /** Reads a stored blob from `offset` on, in chunks of at most `chunkBytes`. */
  abstract read(sha256: string, offset: number, chunkBytes: number): AsyncIterable<Buffer>;
}
