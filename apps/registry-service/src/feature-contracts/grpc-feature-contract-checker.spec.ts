import { status } from '@grpc/grpc-js';
import { freePort } from '@strata/testing';
import { GrpcFeatureContractChecker } from './grpc-feature-contract-checker';

describe(GrpcFeatureContractChecker.name, () => {
  const ref = { featureSet: 'flights_delay', version: 2, digest: '' };

  it('asks nothing (and needs no address) when the version pins no contracts', async () => {
    const checker = new GrpcFeatureContractChecker({ featureServiceAddress: undefined });
    expect(await checker.lookup([])).toEqual(new Map());
  });

  it('is UNAVAILABLE without FEATURE_SERVICE_ADDRESS', async () => {
    const checker = new GrpcFeatureContractChecker({ featureServiceAddress: undefined });
    await expect(checker.lookup([ref])).rejects.toMatchObject({ code: status.UNAVAILABLE, message: expect.stringContaining('FEATURE_SERVICE_ADDRESS is not set') });
  });

  it('is UNAVAILABLE when nothing answers at the address', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const checker = new GrpcFeatureContractChecker({ featureServiceAddress: address });
    try {
      await expect(checker.lookup([ref, ref])).rejects.toMatchObject({ code: status.UNAVAILABLE, message: expect.stringContaining(`feature service at ${address} could not be asked about flights_delay:2`) });
    } finally {
      checker.onModuleDestroy();
    }
  });
});
