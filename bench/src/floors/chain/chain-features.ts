// D_chain, process 1 of 3: a grpc-js server whose one method answers an entity's stored features
// with a primary-key SELECT (one prepared statement) through a `pg` Pool. argv: the database URL.
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { Pool } from 'pg';
import { FEATURES_SERVICE, type FeaturesRequest, type FeaturesResponse, runMain, serveUntilDisconnect } from './protocol';

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.argv[2] });
  const getFeatures = (call: ServerUnaryCall<FeaturesRequest, FeaturesResponse>, callback: sendUnaryData<FeaturesResponse>): void => {
    pool.query<{ values: number[] }>({ name: 'features', text: 'SELECT values FROM chain_features WHERE entity_id = $1', values: [call.request.entityId] }).then(
      ({ rows }) => (rows[0] === undefined ? callback({ code: status.NOT_FOUND, details: call.request.entityId }) : callback(null, { values: rows[0].values })),
      (error: Error) => callback({ code: status.INTERNAL, details: error.message }),
    );
  };
  const server = new Server();
  server.addService(FEATURES_SERVICE, { getFeatures });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  serveUntilDisconnect(`127.0.0.1:${port}`, async () => {
    server.forceShutdown();
    await pool.end();
  });
}

runMain(main);
