import { status } from '@grpc/grpc-js';
import { FailedPreconditionError, NotFoundError, ServiceError } from '@strata/service-runtime';

/** NOT_FOUND for a version number of a model. */
export function versionNotFound(modelName: string, version: number): NotFoundError {
  return new NotFoundError(`model "${modelName}" has no version ${version}`);
}

/** NOT_FOUND for an alias of a model. */
export function aliasNotFound(modelName: string, alias: string): NotFoundError {
  return new NotFoundError(`model "${modelName}" has no alias "${alias}"`);
}

/** FAILED_PRECONDITION: the version's status does not allow the call. */
export function versionStatusPrecondition(modelName: string, version: number, description: string): FailedPreconditionError {
  return new FailedPreconditionError(`${modelName} version ${version}: ${description}`, [{ type: 'VERSION_STATUS', subject: `${modelName}:${version}`, description }]);
}

/** The client went away during an upload; nothing is stored and nobody is answered. */
export class UploadCancelledError extends ServiceError {
  override readonly name = 'UploadCancelledError';
  readonly code = status.CANCELLED;
  constructor() {
    super('the client cancelled the upload');
  }
}
