import { Controller } from '@nestjs/common';
import { GrpcStreamMethod } from '@nestjs/microservices';
import type { featuresV1 } from '@strata/contracts';
import { type ReadableCall, receiveWithBackpressure } from '@strata/service-runtime';
import { from, map, type Observable } from 'rxjs';
import { IngestEventsUseCase } from './ingest-events.use-case';
import { incomingBatchOf, toIngestResponse } from './ingestion.mapper';

/** IngestEvents of strata.features.v1.FeatureService. */
@Controller()
export class IngestionController {
  constructor(private readonly ingestEvents: IngestEventsUseCase) {}

  // Not async: Nest hands over the messages that arrived before this handler ran only after it
  // returns, so the stream must be subscribed to here, synchronously.
  @GrpcStreamMethod('FeatureService', 'IngestEvents')
  ingest(requests: Observable<featuresV1.IngestEventsRequest>, _metadata: unknown, call: ReadableCall): Observable<featuresV1.IngestEventsResponse> {
    const batches = receiveWithBackpressure(requests.pipe(map(incomingBatchOf)), call, () => new Error('the client cancelled the stream'), 2);
    const summary = this.ingestEvents.execute(batches).finally(() => void batches.return?.());
    summary.catch(() => undefined); // the failure reaches the caller through the Observable below
    return from(summary).pipe(map(toIngestResponse));
  }
}
