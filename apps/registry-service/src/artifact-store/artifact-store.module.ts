import { Module } from '@nestjs/common';
import { LOGGER, SERVICE_CONFIG, type ServiceConfig } from '@strata/service-runtime';
import path from 'node:path';
import type { Logger } from 'pino';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/registry.config';
import { ArtifactStore } from './artifact-store';
import { FileArtifactStore } from './file-artifact-store';

/** The content-addressed blob store in ARTIFACT_DIR (default `<DATA_DIR>/artifacts`), cleaned of abandoned uploads before the service serves. */
@Module({
  providers: [
    {
      provide: ArtifactStore,
      inject: [REGISTRY_CONFIG, SERVICE_CONFIG, LOGGER],
      useFactory: async (registryConfig: RegistryConfig, serviceConfig: ServiceConfig, logger: Logger): Promise<ArtifactStore> => {
        const rootDir = path.resolve(registryConfig.artifactDir ?? path.join(serviceConfig.dataDir, 'artifacts'));
        const store = new FileArtifactStore(rootDir);
        const removed = await store.removeAbandonedUploads();
        if (removed > 0) logger.warn(`removed ${removed} unfinished upload(s) left in ${rootDir} by a previous run`);
        return store;
      },
    },
  ],
  exports: [ArtifactStore],
})
export class ArtifactStoreModule {}
