export { freePort } from './free-port';
export { describeServiceBoot, startTestService, type TestEngine, type TestService } from './service-boot';
export { createTestDatabase, testPostgresAdminUrl, type TestDatabase } from './test-database';
