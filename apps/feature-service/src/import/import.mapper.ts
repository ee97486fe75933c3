import type { featuresV1 } from '@strata/contracts';
import { InvalidArgumentError } from '@strata/service-runtime';
import type { ImportRequest } from './import';
import { FILE_FORMATS, type FileFormat } from './readers/file-readers';

/** An ImportFile request as the domain reads it; INVALID_ARGUMENT for an unknown format. */
export function importRequestOf(request: featuresV1.ImportFileRequest): ImportRequest {
  return {
    source: request.source ?? '',
    path: request.path ?? '',
    format: fileFormatOf(request.format),
    fieldMapping: { ...(request.fieldMapping ?? {}) },
    idempotencyKey: request.idempotencyKey ?? '',
  };
}

function fileFormatOf(wire: featuresV1.FileFormat | string | undefined): FileFormat | undefined {
  const name = String(wire ?? '').replace(/^FILE_FORMAT_/, '').toLowerCase();
  if (name === '' || name === 'unspecified') return undefined;
  if (!(FILE_FORMATS as readonly string[]).includes(name)) throw new InvalidArgumentError(`unsupported format ${String(wire)}`, [{ field: 'format', description: `must be one of ${FILE_FORMATS.map((f) => `FILE_FORMAT_${f.toUpperCase()}`).join(', ')}` }]);
  return name as FileFormat;
}
