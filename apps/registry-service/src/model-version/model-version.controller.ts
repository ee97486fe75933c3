import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod, GrpcStreamMethod } from '@nestjs/microservices';
import type { registryV1 } from '@strata/contracts';
import { from, map, type Observable } from 'rxjs';
import { type ReadableCall, receiveWithBackpressure, sendWithBackpressure, type WritableCall } from '@strata/service-runtime';
import { callerOf, RequireRoles } from '../auth/auth.guard';
import { pageRequestOf } from '../model/model.mapper';
import { selectorOf, statusOf, toArtifactMessage, toVersionMessage, uploadPartOf } from './model-version.mapper';
import { UploadCancelledError } from './model-version.errors';
import { ModelVersionService } from './model-version.service';
import { RegisterVersionUseCase } from './register-version.use-case';

/** RegisterVersion, GetVersion, ListVersions, DownloadArtifact and SetVersionStatus of strata.registry.v1.RegistryService. */
@Controller()
export class ModelVersionController {
  constructor(
    private readonly versions: ModelVersionService,
    private readonly registerVersionUseCase: RegisterVersionUseCase,
  ) {}

  // Not async: Nest hands over the messages that arrived before this handler ran only after it
  // returns, so the upload must be subscribed to and started here, synchronously.
  @GrpcStreamMethod('RegistryService', 'RegisterVersion')
  @RequireRoles('ci', 'admin')
  registerVersion(requests: Observable<registryV1.RegisterVersionRequest>, metadata: Metadata, call: ReadableCall): Observable<registryV1.RegisterVersionResponse> {
    const parts = receiveWithBackpressure(requests.pipe(map(uploadPartOf)), call, () => new UploadCancelledError());
    const registration = this.registerVersionUseCase.execute(parts, callerOf(metadata));
    registration.catch(() => undefined); // the failure reaches the caller through the Observable below
    return from(registration).pipe(map(({ version, alreadyExisted }) => ({ version: toVersionMessage(version), alreadyExisted })));
  }

  @GrpcMethod('RegistryService', 'GetVersion')
  async getVersion(request: registryV1.GetVersionRequest): Promise<registryV1.GetVersionResponse> {
    return { version: toVersionMessage(await this.versions.get(selectorOf(request.model))) };
  }

  @GrpcMethod('RegistryService', 'ListVersions')
  async listVersions(request: registryV1.ListVersionsRequest): Promise<registryV1.ListVersionsResponse> {
    const page = await this.versions.list(request.modelName, statusOf(request.status), pageRequestOf(request.page));
    return { versions: page.items.map(toVersionMessage), page: { nextPageToken: page.nextPageToken } };
  }

  @GrpcMethod('RegistryService', 'DownloadArtifact')
  async downloadArtifact(request: registryV1.DownloadArtifactRequest, _metadata: Metadata, call: WritableCall): Promise<Observable<registryV1.DownloadArtifactResponse>> {
    const download = await this.versions.download(selectorOf(request.model), Number(request.offset));
    const header: registryV1.DownloadArtifactResponse = {
      header: { modelName: download.version.modelName, version: download.version.version, artifact: toArtifactMessage(download.version), offset: String(download.offset) },
    };
    return sendWithBackpressure(call, header, chunkMessages(download.chunks));
  }

  @GrpcMethod('RegistryService', 'SetVersionStatus')
  @RequireRoles('admin')
  async setVersionStatus(request: registryV1.SetVersionStatusRequest, metadata: Metadata): Promise<registryV1.SetVersionStatusResponse> {
    const status = statusOf(request.status);
    const { version, revision } = await this.versions.setStatus(request.modelName, request.version, status, request.reason, callerOf(metadata));
    return { version: toVersionMessage(version), revision: revision.toString() };
  }
}

async function* chunkMessages(chunks: AsyncIterable<Buffer>): AsyncIterable<registryV1.DownloadArtifactResponse> {
  for await (const chunk of chunks) yield { chunk };
}
