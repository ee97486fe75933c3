import { Inject, Injectable } from '@nestjs/common';
import { FailedPreconditionError, InvalidArgumentError, LOGGER, OutOfRangeError, type Page, pageOf, type PageRequest, pageSizeOf, PageTokens } from '@strata/service-runtime';
import type { Logger } from 'pino';
import { ArtifactStore } from '../artifact-store/artifact-store';
import type { Caller } from '../auth/caller';
import { ModelService } from '../model/model.service';
import { LATEST_ALIAS, type ModelVersion, type VersionSelector, type VersionStatus } from './model-version';
import { aliasNotFound, versionNotFound, versionStatusPrecondition } from './model-version.errors';
import { ModelVersionRepository } from './model-version.repository';

/** Largest chunk DownloadArtifact sends (the contract's limit). */
export const DOWNLOAD_CHUNK_BYTES = 1024 * 1024;

const byVersion = new PageTokens<number>((value): value is number => Number.isSafeInteger(value) && (value as number) > 0);

/** An artifact download: the resolved version, where the bytes start and the bytes themselves. */
export interface ArtifactDownload {
  readonly version: ModelVersion;
  readonly offset: number;
  readonly chunks: AsyncIterable<Buffer>;
}

/** Reads versions, serves their artifacts and changes their status. */
@Injectable()
export class ModelVersionService {
  constructor(
    private readonly models: ModelService,
    private readonly versions: ModelVersionRepository,
    private readonly artifacts: ArtifactStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The version a number or an alias (`latest`: the newest version) selects; NOT_FOUND for an unknown model, version or alias. */
  async get(selector: VersionSelector): Promise<ModelVersion> {
    if ('version' in selector && (!Number.isSafeInteger(selector.version) || selector.version < 1)) {
      throw new InvalidArgumentError('invalid version', [{ field: 'model.version', description: 'must be >= 1' }]);
    }
    if (!('version' in selector) && !('alias' in selector)) {
      throw new InvalidArgumentError('a version or an alias is required', [{ field: 'model.selector', description: 'set model.version or model.alias' }]);
    }
    const model = await this.models.require(selector.modelName, 'model.name');
    if ('version' in selector) {
      const found = await this.versions.findByNumber(model, selector.version);
      if (found === undefined) throw versionNotFound(model.name, selector.version);
      return found;
    }
    const found = selector.alias === LATEST_ALIAS ? await this.versions.findLatest(model) : await this.versions.findByAlias(model, selector.alias);
    if (found === undefined) throw aliasNotFound(model.name, selector.alias);
    return found;
  }

  /** A model's versions, newest first, optionally only those in `status`. */
  async list(modelName: string, status: VersionStatus | undefined, page: PageRequest): Promise<Page<ModelVersion>> {
    const pageSize = pageSizeOf(page);
    const query = { status: status ?? 'any' };
    const before = byVersion.decode(page.pageToken, query);
    const model = await this.models.require(modelName);
    const rows = await this.versions.list(model, status, before, pageSize + 1);
    return pageOf(rows, pageSize, (version) => version.version, byVersion, query);
  }

  /** The artifact of a version from `offset` on; FAILED_PRECONDITION when archived, OUT_OF_RANGE past its end. */
  async download(selector: VersionSelector, offset: number): Promise<ArtifactDownload> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidArgumentError('invalid offset', [{ field: 'offset', description: 'must be >= 0' }]);
    const version = await this.get(selector);
    if (version.status === 'archived') throw versionStatusPrecondition(version.modelName, version.version, 'the version is ARCHIVED; its artifact is not served');
    const { sha256, sizeBytes } = version.artifact;
    if (offset > sizeBytes) throw new OutOfRangeError(`offset ${offset} is past the end of the ${sizeBytes}-byte artifact`);
    const stored = await this.artifacts.sizeOf(sha256);
    if (stored !== sizeBytes) {
      // A registered version always has its blob; this means the artifact directory was damaged or replaced.
      this.logger.error({ model: version.modelName, version: version.version, sha256 }, `artifact blob of model=${version.modelName} version=${version.version} is missing or damaged`);
      throw new Error(`artifact blob ${sha256} is missing or damaged`);
    }
    return { version, offset, chunks: this.artifacts.read(sha256, offset, DOWNLOAD_CHUNK_BYTES) };
  }

  /**
   * Changes a version's status: ACTIVE <-> DEPRECATED, either -> ARCHIVED, ARCHIVED is final;
   * archiving a version an alias points at is refused. Setting the current status is a no-op
   * (revision 0).
   */
  async setStatus(modelName: string, version: number, status: VersionStatus | undefined, reason: string, caller: Caller): Promise<{ version: ModelVersion; revision: bigint }> {
    if (status === undefined) throw new InvalidArgumentError('a status is required', [{ field: 'status', description: 'required: ACTIVE, DEPRECATED or ARCHIVED' }]);
    if (reason.trim() === '') throw new InvalidArgumentError('a reason is required', [{ field: 'reason', description: 'required (recorded in the audit log)' }]);
    if (!Number.isSafeInteger(version) || version < 1) throw new InvalidArgumentError('invalid version', [{ field: 'version', description: 'must be >= 1' }]);
    const model = await this.models.require(modelName);
    const result = await this.versions.changeStatus(model, version, {
      caller,
      reason,
      decide: (current) => nextStatus(current, status),
      auditOf: (before, after, revision) => ({
        caller,
        action: 'version_status_changed',
        modelName: model.name,
        version,
        reason,
        before: { status: before.status },
        after: { status: after.status },
        revision,
      }),
    });
    if (result.revision !== 0n) {
      this.logger.info({ model: model.name, version, status, actor: caller.subject }, `version status changed model=${model.name} version=${version} status=${status} revision=${result.revision}`);
    }
    return result;
  }
}

/** The status rules; undefined = already in the requested status. */
export function nextStatus(current: ModelVersion, requested: VersionStatus): VersionStatus | undefined {
  if (current.status === requested) return undefined;
  if (current.status === 'archived') throw versionStatusPrecondition(current.modelName, current.version, 'ARCHIVED is final');
  if (requested === 'archived' && current.aliases.length > 0) {
    throw new FailedPreconditionError(
      `${current.modelName} version ${current.version} cannot be archived while aliases point at it: ${current.aliases.join(', ')}`,
      current.aliases.map((alias) => ({ type: 'ALIAS_TARGET', subject: alias, description: `alias "${alias}" points at version ${current.version}; move it first` })),
    );
  }
  return requested;
}
