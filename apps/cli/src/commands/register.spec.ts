import type { registryV1 } from '@strata/contracts';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { aModelVersion, fakeCli, fakeRegistry } from '../../test/support/fake-cli';
import { CHUNK_BYTES } from '../artifact-io';
import { ExitCode } from '../exit-codes';
import { runCli } from '../program';
import { addEvidenceRequest } from './evidence';
import { trafficPolicy } from './traffic';

describe('strata versions register', () => {
  let dir: string;
  const write = (name: string, content: string | Buffer): string => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'strata-register-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sends the header with the local sha256, size, metrics and lineage, then the file in chunks of at most 1 MiB', async () => {
    const bytes = Buffer.alloc(Math.floor(2.5 * CHUNK_BYTES), 7);
    const onnx = write('model.onnx', bytes);
    const metrics = write('metrics.json', JSON.stringify({ auc: 0.81, logloss: 0.4 }));
    const params = write('params.json', JSON.stringify({ lr: 0.01, solver: 'lbfgs' }));
    let header: registryV1.RegisterVersionHeader | undefined;
    const chunks: Buffer[] = [];
    const registerVersion = jest.fn(async (h: registryV1.RegisterVersionHeader, body: AsyncIterable<Buffer>) => {
      header = h;
      for await (const chunk of body) chunks.push(chunk);
      return { version: { modelName: 'm', version: 4 } as registryV1.ModelVersion, alreadyExisted: false };
    });
    const cli = fakeCli(fakeRegistry({ registerVersion }));
    const args = ['versions', 'register', 'm', onnx, '--metrics', metrics, '--params', params, '--training-job', 'job-7'];
    const code = await runCli([...args, '--feature-set', 'flights@2', '--code-version', 'abc123', '--tag', 'stage=ci', '--json'], cli.deps);
    expect(code).toBe(ExitCode.Ok);
    expect(header).toMatchObject({
      modelName: 'm',
      format: 'ARTIFACT_FORMAT_ONNX',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sizeBytes: String(bytes.length),
      metrics: { auc: 0.81, logloss: 0.4 },
      params: { lr: '0.01', solver: 'lbfgs' },
      tags: { stage: 'ci' },
      lineage: { trainingJobId: 'job-7', featureContracts: [{ featureSet: { name: 'flights', version: 2 }, digest: '' }], codeVersion: 'abc123', datasetSnapshotDigest: '' },
    });
    expect(chunks.map((c) => c.length)).toEqual([CHUNK_BYTES, CHUNK_BYTES, bytes.length - 2 * CHUNK_BYTES]);
    // Buffer.equals, not toEqual: Jest's deep equality walks 2.5 M bytes one by one (~20 s).
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    expect(JSON.parse(cli.stdout.text)).toEqual({ version: { modelName: 'm', version: 4 }, alreadyExisted: false });
  });

  it('reads lineage from a JSON file, refusing it together with lineage flags', async () => {
    const onnx = write('model.onnx', 'x');
    const lineage = write('lineage.json', JSON.stringify({ training_job_id: 'job-1', featureContracts: ['flights@3', { featureSet: { name: 'weather', version: 1 }, digest: '' }] }));
    const registerVersion = jest.fn().mockResolvedValue({ version: aModelVersion(), alreadyExisted: true });
    const cli = fakeCli(fakeRegistry({ registerVersion }));
    expect(await runCli(['versions', 'register', 'm', onnx, '--lineage', lineage], cli.deps)).toBe(0);
    expect(registerVersion.mock.calls[0][0].lineage.featureContracts.map((c: { featureSet: { name: string } }) => c.featureSet.name)).toEqual(['flights', 'weather']);
    expect(cli.stdout.text).toContain('already registered: m version 1 has the same sha256');

    const both = fakeCli(fakeRegistry({ registerVersion }));
    expect(await runCli(['versions', 'register', 'm', onnx, '--lineage', lineage, '--code-version', 'x'], both.deps)).toBe(ExitCode.Usage);
    expect(both.stderr.text).toContain('--lineage cannot be combined');
  });

  it('refuses a metrics file that is not an object of numbers, naming the metric', async () => {
    const onnx = write('model.onnx', 'x');
    const metrics = write('metrics.json', JSON.stringify({ auc: 'high' }));
    const cli = fakeCli(fakeRegistry());
    expect(await runCli(['versions', 'register', 'm', onnx, '--metrics', metrics], cli.deps)).toBe(ExitCode.Usage);
    expect(cli.stderr.text).toBe('strata: --metrics: metric "auc" must be a number, got "high"\n');
  });

  it('downloads only a file whose sha256 matches, leaving nothing behind otherwise', async () => {
    const bytes = Buffer.from('onnx bytes');
    const good = createHash('sha256').update(bytes).digest('hex');
    const stream = (sha256: string) =>
      async function* () {
        yield { header: { modelName: 'm', version: 2, artifact: { format: 'ARTIFACT_FORMAT_ONNX', sha256, sizeBytes: String(bytes.length) }, offset: '0' } };
        yield { chunk: bytes };
      };
    const out = path.join(dir, 'out.onnx');
    const ok = fakeCli(fakeRegistry({ downloadArtifact: stream(good) as never }));
    expect(await runCli(['versions', 'download', 'm', '@production', '-o', out], ok.deps)).toBe(0);
    expect(readFileSync(out)).toEqual(bytes);

    rmSync(out);
    const bad = fakeCli(fakeRegistry({ downloadArtifact: stream('0'.repeat(64)) as never }));
    expect(await runCli(['versions', 'download', 'm', '2', '-o', out], bad.deps)).toBe(ExitCode.Failure);
    expect(bad.stderr.text).toContain("does not match the registry's digest");
    expect(() => readFileSync(out)).toThrow();
    expect(readdirSync(dir).filter((name) => name.includes('partial'))).toEqual([]);
  });
});

describe('request mapping of evidence and traffic', () => {
  it('records --failed as a failing test named like the evidence', () => {
    expect(addEvidenceRequest('m', '3', 'offline-eval', { failed: 'auc dropped', test: ['bias=pass'] })).toEqual({
      modelName: 'm',
      version: 3,
      name: 'offline-eval',
      metrics: {},
      testResults: [
        { name: 'bias', passed: true, message: '' },
        { name: 'offline-eval', passed: false, message: 'auc dropped' },
      ],
      attachments: [],
      sourceUri: '',
    });
    expect(() => addEvidenceRequest('m', '3', 'e', { passed: true, failed: true })).toThrow(/exclude each other/);
  });

  it('maps alias=percent splits and a shadow alias (100% by default)', () => {
    expect(trafficPolicy(['production=90', 'canary=10'], 'shadow')).toEqual({
      splits: [
        { alias: 'production', percent: 90 },
        { alias: 'canary', percent: 10 },
      ],
      shadowAlias: 'shadow',
      shadowPercent: 100,
    });
    expect(trafficPolicy(['production=100'], 'shadow=5').shadowPercent).toBe(5);
    expect(() => trafficPolicy(['production=101'], undefined)).toThrow(/between 0 and 100/);
    expect(() => trafficPolicy(['production'], undefined)).toThrow(/expected key=value/);
  });
});
