import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { gatewayV1 } from '@strata/contracts';
import { InvalidArgumentError } from '@strata/service-runtime';
import { GatewayForwarder } from '../gate/gateway-forwarder';
import { announceAnswer, incomingGrpcCall } from './grpc-call';

/** Most requests in one PredictBatch (as inference accepts). */
const MAX_BATCH = 1000;

/** strata.gateway.v1.PredictionService: Predict and PredictBatch, forwarded to inference after the gate. */
@Controller()
export class PredictionController {
  constructor(private readonly forwarder: GatewayForwarder) {}

  @GrpcMethod('PredictionService', 'Predict')
  async predict(request: gatewayV1.PredictRequest, metadata: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<gatewayV1.PredictResponse> {
    const model = request.model?.name ?? '';
    if (model === '') throw new InvalidArgumentError('model.name is required', [{ field: 'model.name', description: 'required' }]);
    const answer = await this.forwarder.forward<gatewayV1.PredictResponse>(incomingGrpcCall(metadata, call), [model], 1, 'strata', 'Predict', request);
    announceAnswer(call, { requestId: answer.call.requestId, ...(answer.modelVersion === undefined ? {} : { modelVersion: answer.modelVersion }), ...(answer.featureContract === undefined ? {} : { featureContract: answer.featureContract }) });
    return withGatewayTotal(answer.response, answer.totalUs);
  }

  @GrpcMethod('PredictionService', 'PredictBatch')
  async predictBatch(request: gatewayV1.PredictBatchRequest, metadata: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<gatewayV1.PredictBatchResponse> {
    if (request.requests.length === 0 || request.requests.length > MAX_BATCH) {
      throw new InvalidArgumentError(`requests has ${request.requests.length} entries; send 1 to ${MAX_BATCH}`, [{ field: 'requests', description: `1 to ${MAX_BATCH} requests` }]);
    }
    const models = [...new Set(request.requests.map((item) => item.model?.name ?? ''))];
    const missing = request.requests.findIndex((item) => (item.model?.name ?? '') === '');
    if (missing >= 0) throw new InvalidArgumentError(`requests[${missing}].model.name is required`, [{ field: `requests[${missing}].model.name`, description: 'required' }]);
    const answer = await this.forwarder.forward<gatewayV1.PredictBatchResponse>(incomingGrpcCall(metadata, call), models, request.requests.length, 'strata', 'PredictBatch', request);
    announceAnswer(call, { requestId: answer.call.requestId });
    return { results: answer.response.results.map((result) => (result.response == null ? result : { ...result, response: withGatewayTotal(result.response, answer.totalUs) })) };
  }
}

/** timings.total_us measured at the gateway (the contract: it includes the gateway hop). */
export function withGatewayTotal(response: gatewayV1.PredictResponse, totalUs: number): gatewayV1.PredictResponse {
  const timings = response.timings ?? { featureFetchUs: 0, queueUs: 0, inferenceUs: 0, totalUs: 0 };
  return { ...response, timings: { ...timings, totalUs: Math.min(4_294_967_295, totalUs) } };
}
