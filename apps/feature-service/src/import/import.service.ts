import { Inject, Injectable } from '@nestjs/common';
import { InvalidArgumentError, NotFoundError, SERVICE_CONFIG, type ServiceConfig } from '@strata/service-runtime';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { FEATURE_CONFIG, type FeatureConfig } from '../config/feature.config';
import type { JobRecord } from '../jobs/job';
import { JobQueue } from '../jobs/job-queue';
import { SourceService } from '../source/source.service';
import type { ImportJobParams, ImportRequest } from './import';
import { resolveImportPath } from './import-path';
import { FILE_FORMATS, readerFor } from './readers/file-readers';

/** ImportFile: checks the request, the source and the file, and enqueues the import job. */
@Injectable()
export class ImportService {
  readonly importRoot: string;

  constructor(
    private readonly sources: SourceService,
    private readonly queue: JobQueue,
    @Inject(FEATURE_CONFIG) config: FeatureConfig,
    @Inject(SERVICE_CONFIG) serviceConfig: ServiceConfig,
  ) {
    this.importRoot = path.resolve(config.importRoot ?? path.join(serviceConfig.dataDir, 'imports'));
  }

  async start(request: ImportRequest): Promise<JobRecord> {
    const format = request.format;
    if (format === undefined) throw new InvalidArgumentError('format is required', [{ field: 'format', description: `must be one of ${FILE_FORMATS.map((f) => `FILE_FORMAT_${f.toUpperCase()}`).join(', ')}` }]);
    const absolutePath = resolveImportPath(this.importRoot, request.path);
    for (const [column, field] of Object.entries(request.fieldMapping)) {
      if (field === '') throw new InvalidArgumentError('field_mapping values must name source fields', [{ field: `field_mapping[${column}]`, description: 'must not be empty' }]);
    }
    const source = await this.sources.get(request.source, 0, 'source');
    const file = await stat(absolutePath).catch(() => undefined);
    if (file === undefined || !file.isFile()) throw new NotFoundError(`file ${request.path} not found in the import root`);
    const params: ImportJobParams = { source: source.spec.name, path: request.path, absolutePath, format, fieldMapping: { ...request.fieldMapping } };
    const rowsTotal = format === 'parquet' ? await readerFor(format).countRecords(absolutePath).catch(() => undefined) : undefined;
    const { job } = await this.queue.enqueue({
      kind: 'import',
      params: { ...params },
      ...(request.idempotencyKey === '' ? {} : { idempotencyKey: request.idempotencyKey }),
      ...(rowsTotal === undefined ? {} : { rowsTotal }),
    });
    return job;
  }
}
