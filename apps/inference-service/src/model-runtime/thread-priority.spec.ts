import { getPriority } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BACKGROUND_NICE } from './thread-priority';

const TS_REGISTER = path.resolve(__dirname, '../../../../tools/dev/register-ts.js');
const MODULE = path.join(__dirname, 'thread-priority.ts');

describe('lowerThreadPriority', () => {
  const onLinux = process.platform === 'linux' ? it : it.skip;

  onLinux('lowers the calling worker thread only, not the process', async () => {
    const before = getPriority();
    const script = `require(${JSON.stringify(TS_REGISTER)}); require('node:worker_threads').parentPort.postMessage(require(${JSON.stringify(MODULE)}).lowerThreadPriority());`;
    const worker = new Worker(script, { eval: true });
    const nice = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(nice).toBe(BACKGROUND_NICE);
    expect(getPriority()).toBe(before);
  });
});
