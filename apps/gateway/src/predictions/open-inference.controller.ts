import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { oipV1 } from '@strata/contracts';
import { InvalidArgumentError } from '@strata/service-runtime';
import { GatewayForwarder } from '../gate/gateway-forwarder';
import { announceAnswer, incomingGrpcCall } from './grpc-call';

/**
 * inference.GRPCInferenceService (Open Inference Protocol) at the gateway: ServerLive answers
 * here; ServerReady is forwarded without a key (health stays open); the rest are forwarded after
 * the gate, the model calls checked against the key's allowed models.
 */
@Controller()
export class OpenInferenceController {
  constructor(private readonly forwarder: GatewayForwarder) {}

  @GrpcMethod('GRPCInferenceService', 'ServerLive')
  serverLive(): oipV1.ServerLiveResponse {
    return { live: true };
  }

  @GrpcMethod('GRPCInferenceService', 'ServerReady')
  async serverReady(request: oipV1.ServerReadyRequest, metadata: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<oipV1.ServerReadyResponse> {
    return this.forward<oipV1.ServerReadyResponse>('ServerReady', request, [], metadata, call, { open: true });
  }

  @GrpcMethod('GRPCInferenceService', 'ServerMetadata')
  async serverMetadata(request: oipV1.ServerMetadataRequest, metadata: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<oipV1.ServerMetadataResponse> {
    return this.forward<oipV1.ServerMetadataResponse>('ServerMetadata', request, [], metadata, call);
  }

  @GrpcMethod('GRPCInferenceService', 'ModelReady')
  async modelReady(request: oipV1.ModelReadyRequest, metadata: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<oipV1.ModelReadyResponse> {
    return this.forward<oipV1.ModelReadyResponse>('ModelReady', request, [required(request.name, 'name')], metadata, call);
  }

  @GrpcMethod('GRPCInferenceService', 'ModelMetadata')
  async modelMetadata(request: oipV1.ModelMetadataRequest, metadata: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<oipV1.ModelMetadataResponse> {
    return this.forward<oipV1.ModelMetadataResponse>('ModelMetadata', request, [required(request.name, 'name')], metadata, call);
  }

  @GrpcMethod('GRPCInferenceService', 'ModelInfer')
  async modelInfer(request: oipV1.ModelInferRequest, metadata: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<oipV1.ModelInferResponse> {
    return this.forward<oipV1.ModelInferResponse>('ModelInfer', request, [required(request.modelName, 'model_name')], metadata, call);
  }

  private async forward<T>(method: string, request: object, models: string[], metadata: Metadata, call: ServerUnaryCall<unknown, unknown> | undefined, options: { open?: boolean } = {}): Promise<T> {
    const answer = await this.forwarder.forward<T>(incomingGrpcCall(metadata, call), models, 1, 'oip', method, request, options);
    announceAnswer(call, { requestId: answer.call.requestId, ...(answer.modelVersion === undefined ? {} : { modelVersion: answer.modelVersion }), ...(answer.featureContract === undefined ? {} : { featureContract: answer.featureContract }) });
    return answer.response;
  }
}

function required(value: string, field: string): string {
  if (value === '') throw new InvalidArgumentError(`${field} is required`, [{ field, description: 'required' }]);
  return value;
}
