import * as fs from 'node:fs';
import * as path from 'node:path';

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as ts from 'typescript';

// Runtime imports stay out of generated files that import @nestjs/microservices (ESM-only
// since Nest 12); type imports are erased.
import { FeatureStatus, NullReason, type Value } from './gen/strata/common/v1/common';
import type { GetOnlineFeaturesResponse } from './gen/strata/features/v1/features';
import type * as gatewayV1 from './gen/strata/gateway/v1/gateway';
import type * as inferenceV1 from './gen/strata/inference/v1/inference';
import type { GetVersionRequest, SetAliasRequest } from './gen/strata/registry/v1/registry';
import { grpcLoadTarget, PROTO_LOADER_OPTIONS, PROTOS_DIR, STRATA_PROTOS, type StrataProtoKey } from './grpc-loader';

const GEN_DIR = path.join(__dirname, 'gen');

/** The RPCs each service must expose; [name, client streaming, server streaming]. */
const EXPECTED_SERVICES: Record<string, Record<string, ReadonlyArray<readonly [string, boolean, boolean]>>> = {
  commonV1: {},
  featuresV1: {
    FeatureService: [
      ['ApplySource', false, false],
      ['GetSource', false, false],
      ['ListSources', false, false],
      ['ApplyFeatureSet', false, false],
      ['GetFeatureSet', false, false],
      ['ListFeatureSets', false, false],
      ['IngestEvents', true, false],
      ['ImportFile', false, false],
      ['GetJob', false, false],
      ['ListJobs', false, false],
      ['CancelJob', false, false],
      ['Materialize', false, false],
      ['ListQuarantine', false, false],
      ['ReplayQuarantine', false, false],
      ['GetOnlineFeatures', false, false],
      ['GetHistoricalFeatures', false, false],
      ['ReadDataset', false, true],
      ['GetFeatureStats', false, false],
    ],
  },
  trainingV1: {
    TrainingService: [
      ['SubmitJob', false, false],
      ['GetJob', false, false],
      ['ListJobs', false, false],
      ['CancelJob', false, false],
      ['WatchJob', false, true],
    ],
  },
  registryV1: {
    RegistryService: [
      ['CreateModel', false, false],
      ['GetModel', false, false],
      ['ListModels', false, false],
      ['RegisterVersion', true, false],
      ['GetVersion', false, false],
      ['ListVersions', false, false],
      ['DownloadArtifact', false, true],
      ['AddEvidence', false, false],
      ['SetVersionStatus', false, false],
      ['ApproveVersion', false, false],
      ['SetAlias', false, false],
      ['RollbackAlias', false, false],
      ['GetAlias', false, false],
      ['ListAliases', false, false],
      ['SetGatePolicy', false, false],
      ['GetGatePolicy', false, false],
      ['SetTrafficPolicy', false, false],
      ['GetTrafficPolicy', false, false],
      ['GetAuditLog', false, false],
      ['WatchReleases', false, true],
    ],
  },
  inferenceV1: {
    InferenceService: [
      ['Predict', false, false],
      ['PredictBatch', false, false],
      ['GetModelStatus', false, false],
      ['ListModels', false, false],
    ],
  },
  gatewayV1: {
    PredictionService: [
      ['Predict', false, false],
      ['PredictBatch', false, false],
    ],
    ApiKeyAdminService: [
      ['CreateApiKey', false, false],
      ['RevokeApiKey', false, false],
      ['ListApiKeys', false, false],
    ],
  },
  oipV1: {
    GRPCInferenceService: [
      ['ServerLive', false, false],
      ['ServerReady', false, false],
      ['ModelReady', false, false],
      ['ServerMetadata', false, false],
      ['ModelMetadata', false, false],
      ['ModelInfer', false, false],
    ],
  },
};

const KEYS = Object.keys(STRATA_PROTOS) as StrataProtoKey[];

/** The parts of proto-loader's descriptor objects (typed `object` upstream) this spec reads. */
interface MessageDescriptor {
  field: Array<{ name: string; number: number; label: string; type: string; typeName: string }>;
  oneofDecl: Array<{ name: string }>;
}
interface EnumDescriptor {
  value: Array<{ name: string }>;
}

function descriptorOf<T>(definition: protoLoader.AnyDefinition | undefined): T {
  return (definition as { type: T }).type;
}

function load(key: StrataProtoKey): protoLoader.PackageDefinition {
  return protoLoader.loadSync(STRATA_PROTOS[key].protoPath, PROTO_LOADER_OPTIONS);
}

function lookup(root: grpc.GrpcObject, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], root);
}

/** Fully-qualified proto message/enum name -> property names (with optionality) or enum members. */
interface GeneratedShape {
  readonly properties?: ReadonlyMap<string, { optional: boolean }>;
  readonly enumMembers?: readonly string[];
}

function readGeneratedShapes(): Map<string, GeneratedShape> {
  const shapes = new Map<string, GeneratedShape>();
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) files.push(full);
    }
  };
  walk(GEN_DIR);
  for (const file of files) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const pkg = /export const protobufPackage = "([^"]+)"/.exec(source.text)?.[1];
    if (!pkg) throw new Error(`${file} has no protobufPackage`);
    for (const statement of source.statements) {
      if (ts.isInterfaceDeclaration(statement)) {
        const properties = new Map<string, { optional: boolean }>();
        for (const member of statement.members) {
          if (ts.isPropertySignature(member) && ts.isIdentifier(member.name)) {
            properties.set(member.name.text, { optional: member.questionToken !== undefined });
          }
        }
        shapes.set(`${pkg}.${statement.name.text.replace(/_/g, '.')}`, { properties });
      } else if (ts.isEnumDeclaration(statement)) {
        const enumMembers = statement.members.map((member) => (member.name as ts.Identifier).text);
        shapes.set(`${pkg}.${statement.name.text.replace(/_/g, '.')}`, { enumMembers });
      }
    }
  }
  return shapes;
}

describe('grpc-loader', () => {
  it('points PROTOS_DIR at the buf module', () => {
    expect(PROTOS_DIR).toBe(path.resolve(__dirname, '../../../protos'));
    expect(fs.existsSync(path.join(PROTOS_DIR, 'buf.yaml'))).toBe(true);
  });

  it.each(KEYS)('lists %s with the package and file of its generated code', (key) => {
    const { package: pkg, protoPath } = STRATA_PROTOS[key];
    const generated = fs.readFileSync(path.join(GEN_DIR, protoPath.replace(/\.proto$/, '.ts')), 'utf8');
    expect(generated).toContain(`export const protobufPackage = "${pkg}";`);
    expect(generated).toContain(`export const protobufFileName = "${protoPath}";`);
    expect(STRATA_PROTOS[key].services).toEqual(Object.keys(EXPECTED_SERVICES[key]));
  });

  it.each(KEYS)('loads %s with PROTO_LOADER_OPTIONS and exposes every expected RPC', (key) => {
    const root = grpc.loadPackageDefinition(load(key));
    for (const [serviceName, methods] of Object.entries(EXPECTED_SERVICES[key])) {
      const service = lookup(root, `${STRATA_PROTOS[key].package}.${serviceName}`) as grpc.ServiceClientConstructor;
      expect(typeof service).toBe('function');
      const definition = service.service;
      expect(Object.keys(definition)).toEqual(methods.map(([name]) => name));
      for (const [name, clientStreaming, serverStreaming] of methods) {
        expect([name, definition[name].requestStream, definition[name].responseStream]).toEqual([
          name,
          clientStreaming,
          serverStreaming,
        ]);
      }
    }
  });

  it('loads several packages at once through grpcLoadTarget', () => {
    const target = grpcLoadTarget('gatewayV1', 'oipV1');
    const root = grpc.loadPackageDefinition(protoLoader.loadSync(target.protoPath, target.loader));
    expect(target.package).toEqual(['strata.gateway.v1', 'inference']);
    expect(typeof lookup(root, 'strata.gateway.v1.PredictionService')).toBe('function');
    expect(typeof lookup(root, 'inference.GRPCInferenceService')).toBe('function');
  });

  it('keeps the Open Inference Protocol wire names and numbers', () => {
    const definition = load('oipV1');
    const fields = (type: string): Array<[string, number]> =>
      descriptorOf<MessageDescriptor>(definition[`inference.${type}`]).field.map((field) => [
        field.name,
        field.number,
      ]);
    expect(fields('ModelInferRequest')).toEqual([
      ['modelName', 1],
      ['modelVersion', 2],
      ['id', 3],
      ['parameters', 4],
      ['inputs', 5],
      ['outputs', 6],
      ['rawInputContents', 7],
    ]);
    expect(fields('ModelInferResponse')).toContainEqual(['rawOutputContents', 6]);
    expect(fields('InferParameter')).toEqual([
      ['boolParam', 1],
      ['int64Param', 2],
      ['stringParam', 3],
      ['doubleParam', 4],
      ['uint64Param', 5],
    ]);
    expect(fields('InferTensorContents').map(([name]) => name)).toEqual([
      'boolContents',
      'intContents',
      'int64Contents',
      'uintContents',
      'uint64Contents',
      'fp32Contents',
      'fp64Contents',
      'bytesContents',
    ]);
  });

  it('keeps gateway Predict messages identical to inference ones (the gateway forwards them unchanged)', () => {
    type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
    const sameTypes: [
      Same<gatewayV1.PredictRequest, inferenceV1.PredictRequest>,
      Same<gatewayV1.PredictResponse, inferenceV1.PredictResponse>,
      Same<gatewayV1.PredictBatchRequest, inferenceV1.PredictBatchRequest>,
      Same<gatewayV1.PredictBatchResponse, inferenceV1.PredictBatchResponse>,
    ] = [true, true, true, true];
    expect(sameTypes).toEqual([true, true, true, true]);

    const gateway = load('gatewayV1');
    const inference = load('inferenceV1');
    const wire = (definition: protoLoader.AnyDefinition | undefined): string[] =>
      descriptorOf<MessageDescriptor>(definition).field.map(
        (f) => `${f.number}:${f.name}:${f.label}:${f.type}:${f.typeName.replace(/^.*\./, '')}`,
      );
    for (const message of ['PredictRequest', 'PredictResponse', 'PredictBatchRequest', 'PredictBatchResult', 'PredictBatchResponse']) {
      expect(wire(gateway[`strata.gateway.v1.${message}`])).toEqual(wire(inference[`strata.inference.v1.${message}`]));
    }
  });

  it('generates TypeScript shapes that match what proto-loader produces for every message and enum', () => {
    const shapes = readGeneratedShapes();
    const problems: string[] = [];
    for (const key of KEYS) {
      for (const [name, definition] of Object.entries(load(key))) {
        const format = (definition as { format?: string }).format ?? '';
        const shape = shapes.get(name);
        if (format.includes('EnumDescriptorProto')) {
          const values = descriptorOf<EnumDescriptor>(definition).value.map((value) => value.name);
          if (JSON.stringify(shape?.enumMembers) !== JSON.stringify(values)) problems.push(`enum ${name}`);
        } else if (format.includes('DescriptorProto')) {
          const type = descriptorOf<MessageDescriptor>(definition);
          const properties = shape?.properties;
          if (!properties) {
            problems.push(`message ${name}: no generated interface`);
            continue;
          }
          const fieldNames = type.field.map((field) => field.name);
          if (JSON.stringify([...properties.keys()]) !== JSON.stringify(fieldNames)) {
            problems.push(`message ${name}: fields ${fieldNames.join(',')} vs ${[...properties.keys()].join(',')}`);
          }
          for (const field of type.field) {
            const optional = properties.get(field.name)?.optional;
            const repeated = field.label === 'LABEL_REPEATED';
            // proto-loader (defaults: true) always fills scalars, repeated fields and maps; it
            // gives null for unset message fields and omits unset oneof/optional members.
            if (repeated && optional) problems.push(`${name}.${field.name}: repeated but optional`);
            if (!repeated && field.type === 'TYPE_MESSAGE' && !optional) {
              problems.push(`${name}.${field.name}: message field not optional`);
            }
            if (!repeated && field.type !== 'TYPE_MESSAGE' && optional && type.oneofDecl.length === 0) {
              problems.push(`${name}.${field.name}: optional scalar outside any oneof`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps google.protobuf.Any as `type_url`, as the hand-written googleProtobuf.Any says', () => {
    // protobufjs always uses its bundled Any, so keepCase: false does not rename the field;
    // the generated any.ts (typeUrl) is therefore not exported. No Strata message uses Any.
    const definition = protoLoader.loadSync('google/rpc/status.proto', PROTO_LOADER_OPTIONS);
    expect(descriptorOf<MessageDescriptor>(definition['google.protobuf.Any']).field.map((f) => f.name)).toEqual([
      'type_url',
      'value',
    ]);
    for (const key of KEYS) expect(load(key)['google.protobuf.Any']).toBeUndefined();
  });

  it('round-trips oneofs, int64, enums, timestamps and null message fields as the generated types say', () => {
    const root = grpc.loadPackageDefinition(load('registryV1'));
    const registry = lookup(root, 'strata.registry.v1.RegistryService') as grpc.ServiceClientConstructor;
    const getVersion = registry.service.GetVersion;
    const request: GetVersionRequest = { model: { name: 'flights-delay', alias: 'production' } };
    const decoded = getVersion.requestDeserialize(getVersion.requestSerialize(request)) as GetVersionRequest;
    expect(decoded).toEqual({ model: { name: 'flights-delay', alias: 'production', selector: 'alias' } });

    // proto3 `optional`: 0 is sent and received as present; unset stays absent.
    const setAlias = registry.service.SetAlias;
    const cas: SetAliasRequest = {
      modelName: 'flights-delay',
      alias: 'production',
      version: 4,
      expectedCurrentVersion: 0,
      reason: 'first release',
      overrideGate: false,
      validateOnly: false,
    };
    const roundTrip = (request: SetAliasRequest): SetAliasRequest =>
      setAlias.requestDeserialize(setAlias.requestSerialize(request)) as SetAliasRequest;
    expect(roundTrip(cas).expectedCurrentVersion).toBe(0);
    expect(roundTrip({ ...cas, expectedCurrentVersion: undefined })).not.toHaveProperty('expectedCurrentVersion');

    const features = grpc.loadPackageDefinition(load('featuresV1'));
    const featureService = lookup(features, 'strata.features.v1.FeatureService') as grpc.ServiceClientConstructor;
    const online = featureService.service.GetOnlineFeatures;
    const missing: Value = { nullReason: NullReason.NULL_REASON_MISSING };
    const response: GetOnlineFeaturesResponse = {
      contract: { featureSet: { name: 'flights_delay', version: 2 }, digest: `sha256:${'a'.repeat(64)}` },
      entities: [
        {
          entityId: 'AA100',
          features: [
            {
              name: 'departures_7d',
              value: { int64Value: '9007199254740993' },
              status: FeatureStatus.FEATURE_STATUS_PRESENT,
              eventTime: { seconds: '1767225600', nanos: 0 },
            },
            { name: 'avg_delay_7d', value: missing, status: FeatureStatus.FEATURE_STATUS_MISSING },
          ],
        },
      ],
      asOf: { seconds: '1767225600', nanos: 500 },
      valuesAsOf: { seconds: '1767222000', nanos: 0 },
    };
    const roundTripped = online.responseDeserialize(online.responseSerialize(response));
    expect(roundTripped).toEqual({
      ...response,
      entities: [
        {
          entityId: 'AA100',
          features: [
            { ...response.entities[0].features[0], value: { int64Value: '9007199254740993', kind: 'int64Value' } },
            {
              name: 'avg_delay_7d',
              value: { nullReason: 'NULL_REASON_MISSING', kind: 'nullReason' },
              status: 'FEATURE_STATUS_MISSING',
              eventTime: null,
            },
          ],
        },
      ],
    });
  });
});
