import { decompress as decompressZstd } from 'fzstd';
import { type AsyncBuffer, type Compressors, type FileMetaData, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { open } from 'node:fs/promises';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FileReader, FileRecord } from './file-record';

/**
 * Decompressors beyond hyparquet's built-in Snappy: ZSTD (fzstd, CommonJS — the wasm Snappy
 * of hyparquet-compressors is ESM-only and not needed), GZIP and Brotli from node:zlib.
 */
export const PARQUET_COMPRESSORS: Compressors = {
  ZSTD: (input) => decompressZstd(input),
  GZIP: (input) => new Uint8Array(gunzipSync(input)),
  BROTLI: (input) => new Uint8Array(brotliDecompressSync(input)),
};

/**
 * Apache Parquet, read one row group at a time (ZSTD, GZIP, Brotli and Snappy pages). INT64 columns come as bigints and timestamps as Dates; the
 * validator converts both. The record count is known from the footer.
 */
export class ParquetReader implements FileReader {
  async countRecords(path: string): Promise<number | undefined> {
    return withFile(path, async (file) => Number((await parquetMetadataAsync(file)).num_rows));
  }

  async *records(path: string, startAt: number): AsyncIterable<FileRecord> {
    const handle = await open(path, 'r');
    try {
      const file = asyncBufferOf(handle, (await handle.stat()).size);
      const metadata: FileMetaData = await parquetMetadataAsync(file);
      let groupStart = 0;
      for (const group of metadata.row_groups) {
        const groupEnd = groupStart + Number(group.num_rows);
        if (groupEnd > startAt) {
          const rowStart = Math.max(groupStart, startAt);
          const rows = await parquetReadObjects({ file, metadata, compressors: PARQUET_COMPRESSORS, rowStart, rowEnd: groupEnd, rowFormat: 'object' });
          for (let offset = 0; offset < rows.length; offset += 1) yield { index: rowStart + offset, values: rows[offset] as Record<string, unknown> };
        }
        groupStart = groupEnd;
      }
    } finally {
      await handle.close();
    }
  }
}

type FileHandle = Awaited<ReturnType<typeof open>>;

async function withFile<T>(path: string, use: (file: AsyncBuffer) => Promise<T>): Promise<T> {
  const handle = await open(path, 'r');
  try {
    return await use(asyncBufferOf(handle, (await handle.stat()).size));
  } finally {
    await handle.close();
  }
}

function asyncBufferOf(handle: FileHandle, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = end ?? size;
      const buffer = Buffer.alloc(stop - start);
      await handle.read(buffer, 0, buffer.length, start);
      return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length) as ArrayBuffer;
    },
  };
}
