import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { registryV1 } from '@strata/contracts';
import type { Observable } from 'rxjs';
import { streamFrom, type WritableCall } from './grpc-stream';
import { toWatchResponse, watchInputOf } from './release.mapper';
import { WatchReleases } from './watch-releases';

/** WatchReleases of strata.registry.v1.RegistryService. */
@Controller()
export class ReleaseController {
  constructor(private readonly watchReleases: WatchReleases) {}

  @GrpcMethod('RegistryService', 'WatchReleases')
  watch(request: registryV1.WatchReleasesRequest, _metadata: Metadata, call?: WritableCall): Observable<registryV1.WatchReleasesResponse> {
    const input = watchInputOf(request);
    return streamFrom((signal) => this.watchReleases.execute(input, signal), toWatchResponse, call);
  }
}
