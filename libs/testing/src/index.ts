export { freePort, freePortRange } from '@strata/ports';
export { describeServiceBoot, startTestService, type TestEngine, type TestService } from './service-boot';
export { describeMigratedSchema, type MigratedSchema } from './migrated-schema';
export { createTestDatabase, testPostgresAdminUrl, type TestDatabase } from './test-database';
export { type CallFailure, failureOf } from './grpc-failure';
export { seededRandom } from './seeded-random';
export { buildServiceForTest, type ServiceBuild, type ServiceProcess, startServiceProcess, workspaceRoot } from './service-process';
export { bearer, GrpcTestClient } from './grpc-test-client';
export { aLinearModel, TestRegistry } from './test-registry';
