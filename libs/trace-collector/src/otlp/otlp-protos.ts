// The subset of the OTLP protos a trace receiver needs, as a protobufjs JSON descriptor (no
// .proto file to copy at build time). Field numbers are those of opentelemetry-proto v1
// (collector/trace/v1/trace_service.proto, trace/v1/trace.proto, common/v1/common.proto,
// resource/v1/resource.proto) plus google.rpc.Status for error bodies. Fields a receiver does
// not read (events, links, flags, dropped counts, entity refs) are left out: protobufjs skips
// unknown fields, so messages that carry them still decode.
import { type INamespace, Root, type Type } from 'protobufjs';

const common: INamespace = {
  nested: {
    AnyValue: {
      oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 },
        kvlistValue: { type: 'KeyValueList', id: 6 },
        bytesValue: { type: 'bytes', id: 7 },
      },
    },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
    InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
  },
};

const resource: INamespace = {
  nested: {
    Resource: { fields: { attributes: { rule: 'repeated', type: 'opentelemetry.proto.common.v1.KeyValue', id: 1 } } },
  },
};

const trace: INamespace = {
  nested: {
    ResourceSpans: {
      fields: {
        resource: { type: 'opentelemetry.proto.resource.v1.Resource', id: 1 },
        scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
        schemaUrl: { type: 'string', id: 3 },
      },
    },
    ScopeSpans: {
      fields: {
        scope: { type: 'opentelemetry.proto.common.v1.InstrumentationScope', id: 1 },
        spans: { rule: 'repeated', type: 'Span', id: 2 },
        schemaUrl: { type: 'string', id: 3 },
      },
    },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        traceState: { type: 'string', id: 3 },
        parentSpanId: { type: 'bytes', id: 4 },
        name: { type: 'string', id: 5 },
        kind: { type: 'int32', id: 6 },
        startTimeUnixNano: { type: 'fixed64', id: 7 },
        endTimeUnixNano: { type: 'fixed64', id: 8 },
        attributes: { rule: 'repeated', type: 'opentelemetry.proto.common.v1.KeyValue', id: 9 },
        status: { type: 'Status', id: 15 },
      },
    },
    // code is the enum StatusCode (UNSET 0, OK 1, ERROR 2); int32 has the same wire form.
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
  },
};

const collector: INamespace = {
  nested: {
    ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'opentelemetry.proto.trace.v1.ResourceSpans', id: 1 } } },
    ExportTraceServiceResponse: { fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } } },
    ExportTracePartialSuccess: { fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } } },
  },
};

const descriptor: INamespace = {
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: { nested: { v1: common } },
            resource: { nested: { v1: resource } },
            trace: { nested: { v1: trace } },
            collector: { nested: { trace: { nested: { v1: collector } } } },
          },
        },
      },
    },
    google: { nested: { rpc: { nested: { Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } } } } } },
  },
};

/** The protobufjs message types of the receiver, resolved once. */
export interface OtlpTypes {
  readonly exportRequest: Type;
  readonly exportResponse: Type;
  readonly rpcStatus: Type;
}

let types: OtlpTypes | undefined;

/** The OTLP message types, built from the descriptor on first use. */
export function otlpTypes(): OtlpTypes {
  if (types === undefined) {
    const root = Root.fromJSON(descriptor).resolveAll();
    types = {
      exportRequest: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
      exportResponse: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
      rpcStatus: root.lookupType('google.rpc.Status'),
    };
  }
  return types;
}
