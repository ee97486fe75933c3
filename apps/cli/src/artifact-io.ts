// Artifact files on disk: hashing before upload, chunked reading for RegisterVersion, and a
// verified write of a DownloadArtifact stream (temp file, sha256 and size check, rename).
import type { registryV1 } from '@strata/contracts';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { CliFailure, UsageError } from './errors';
import { ExitCode } from './exit-codes';
import type { Progress } from './progress';

/** Upload chunk size: the contract recommends <= 1 MiB per message. */
export const CHUNK_BYTES = 1024 * 1024;

/** Size of a file the user named; a UsageError when it is missing or not a file. */
export function fileSize(file: string): number {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!stats.isFile()) throw new UsageError(`${file} is not a file`);
  return stats.size;
}

/** The file's chunks, at most CHUNK_BYTES each, reporting each to `progress`. */
export async function* fileChunks(file: string, progress?: Progress): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) {
    const buffer = chunk as Buffer;
    progress?.advance(buffer.length);
    yield buffer;
  }
}

/** SHA-256 (bare lowercase hex) and size of a file, read once. */
export async function digestFile(file: string, progress?: Progress): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of fileChunks(file, progress)) {
    hash.update(chunk);
    sizeBytes += chunk.length;
  }
  progress?.done();
  return { sha256: hash.digest('hex'), sizeBytes };
}

/**
 * Writes a DownloadArtifact stream to `out`: into a temp file next to it, then renamed once
 * size and SHA-256 match the header. On a mismatch nothing is left at `out` (exit code 1).
 * `progressFor` is called with the header's size once the header arrived.
 */
export async function saveVerifiedDownload(
  messages: AsyncIterable<registryV1.DownloadArtifactResponse>,
  out: string,
  progressFor: (totalBytes: number) => Progress,
): Promise<registryV1.DownloadArtifactHeader> {
  const temp = path.join(path.dirname(path.resolve(out)), `.${path.basename(out)}.${process.pid}.partial`);
  const hash = createHash('sha256');
  let header: registryV1.DownloadArtifactHeader | undefined;
  let received = 0;
  let progress: Progress | undefined;
  const file = createWriteStream(temp, { flush: true });
  try {
    for await (const message of messages) {
      if (message.header !== null && message.header !== undefined) {
        header = message.header;
        progress = progressFor(Number(header.artifact?.sizeBytes ?? 0));
      } else if (message.chunk !== null && message.chunk !== undefined) {
        if (header === undefined) throw new CliFailure('the registry sent artifact bytes before the header', ExitCode.Failure);
        hash.update(message.chunk);
        received += message.chunk.length;
        progress?.advance(message.chunk.length);
        if (!file.write(message.chunk)) await once(file, 'drain');
      }
    }
    file.end();
    await once(file, 'close');
    progress?.done();
    progress = undefined;
    if (header === undefined) throw new CliFailure('the registry ended the download without a header', ExitCode.Failure);
    const expected = header.artifact;
    const sha256 = hash.digest('hex');
    if (expected === null || expected === undefined || Number(expected.sizeBytes) !== received || expected.sha256 !== sha256) {
      throw new CliFailure(
        `downloaded artifact does not match the registry's digest: got ${received} bytes sha256 ${sha256}, expected ${expected?.sizeBytes ?? '?'} bytes sha256 ${expected?.sha256 ?? '?'}; nothing written to ${out}`,
        ExitCode.Failure,
      );
    }
    await rename(temp, out);
    return header;
  } catch (error) {
    progress?.done();
    file.destroy();
    rmSync(temp, { force: true });
    throw error;
  }
}
