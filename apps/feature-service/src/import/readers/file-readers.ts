import { CsvReader } from './csv-reader';
import type { FileReader } from './file-record';
import { JsonReader } from './json-reader';
import { NdjsonReader } from './ndjson-reader';
import { ParquetReader } from './parquet-reader';

/** File formats ImportFile reads (strata.features.v1.FileFormat without the prefix, lower case). */
export type FileFormat = 'csv' | 'json' | 'ndjson' | 'parquet';

/** Every supported format. */
export const FILE_FORMATS: readonly FileFormat[] = ['csv', 'json', 'ndjson', 'parquet'];

/** A fresh reader of `format`. */
export function readerFor(format: FileFormat): FileReader {
  switch (format) {
    case 'csv':
      return new CsvReader();
    case 'json':
      return new JsonReader();
    case 'ndjson':
      return new NdjsonReader();
    case 'parquet':
      return new ParquetReader();
  }
}
