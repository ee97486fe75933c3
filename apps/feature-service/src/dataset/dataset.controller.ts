import { sendWithBackpressure, type WritableCall } from '@strata/service-runtime';
import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { featuresV1 } from '@strata/contracts';
import type { Observable } from 'rxjs';
import type { DatasetColumn, DatasetRowBatch } from './dataset';
import { toBatchMessage, toSnapshotMessage } from './dataset.mapper';
import { DatasetService } from './dataset.service';

/** ReadDataset of strata.features.v1.FeatureService. */
@Controller()
export class DatasetController {
  constructor(private readonly datasets: DatasetService) {}

  @GrpcMethod('FeatureService', 'ReadDataset')
  async readDataset(request: featuresV1.ReadDatasetRequest, _metadata: Metadata, call: WritableCall): Promise<Observable<featuresV1.ReadDatasetResponse>> {
    const { snapshot, batches } = await this.datasets.read(request.datasetId, Number(request.startRow), request.batchSize);
    return sendWithBackpressure(call, { snapshot: toSnapshotMessage(snapshot) }, batchMessages(batches, snapshot.columns));
  }
}

async function* batchMessages(batches: AsyncIterable<DatasetRowBatch>, columns: readonly DatasetColumn[]): AsyncIterable<featuresV1.ReadDatasetResponse> {
  for await (const batch of batches) yield { batch: toBatchMessage(batch, columns) };
}
