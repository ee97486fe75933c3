import type { PrismaAdapter } from './database';
import { createPrismaClient } from './prisma-client';

class FakePrismaClient {
  constructor(readonly options: { adapter: PrismaAdapter; log?: string[] }) {}
}

describe(createPrismaClient.name, () => {
  const adapter = { provider: 'postgres' } as unknown as PrismaAdapter;

  it('builds the app client on the database adapter', () => {
    const client = createPrismaClient(FakePrismaClient, { adapter });

    expect(client).toBeInstanceOf(FakePrismaClient);
    expect(client.options).toEqual({ adapter });
  });

  it('passes the other client options through', () => {
    expect(createPrismaClient(FakePrismaClient, { adapter }, { log: ['warn'] }).options).toEqual({ adapter, log: ['warn'] });
  });
});
