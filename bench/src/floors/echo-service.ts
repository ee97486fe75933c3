import type { ServiceDefinition } from '@grpc/grpc-js';

/**
 * The gRPC echo of the D_grpc floor: one unary method whose messages are raw bytes (no
 * protobuf), so the floor is grpc-js and HTTP/2 over loopback and nothing else.
 */
export const ECHO_SERVICE = {
  echo: {
    path: '/strata.bench.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer): Buffer => value,
    requestDeserialize: (bytes: Buffer): Buffer => bytes,
    responseSerialize: (value: Buffer): Buffer => value,
    responseDeserialize: (bytes: Buffer): Buffer => bytes,
    originalName: 'Echo',
  },
} satisfies ServiceDefinition;
