import { FailedPreconditionError, NotFoundError } from '@strata/service-runtime';

/** NOT_FOUND for a feature set name, or one version of it (version 0 = the latest). */
export function featureSetNotFound(name: string, version: number): NotFoundError {
  return version === 0
    ? new NotFoundError(`feature set "${name}" not found (apply it with ApplyFeatureSet first)`)
    : new NotFoundError(`feature set "${name}" has no version ${version}`);
}

/** FAILED_PRECONDITION: the version exists with other content, and versions are immutable. */
export function immutableVersion(name: string, version: number, existingDigest: string, requestedDigest: string): FailedPreconditionError {
  const description = `feature set ${name} version ${version} is already applied with different content (contract ${existingDigest}, requested ${requestedDigest}); versions are immutable, apply the change as a new version`;
  return new FailedPreconditionError(description, [{ type: 'IMMUTABLE_VERSION', subject: `feature_sets/${name}/versions/${version}`, description }]);
}
