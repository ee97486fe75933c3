import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateRenderedFiles } from '../src/schema-validation';

// The validator itself: it reports schema violations and refuses what it has no schema for.
describe(validateRenderedFiles.name, () => {
  let directory: string;

  beforeAll(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'strata-helm-validate-'));
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reports every violation of an object and an object with no known schema', async () => {
    const file = path.join(directory, 'objects.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\ndata: {A: "1"}',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: broken}\nspec: {replicas: two}',
        'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: scrape}\nspec: {selector: {}, endpoints: [{port: 8080}]}',
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: unknown}',
        '',
      ].join('\n---\n'),
    );
    const report = await validateRenderedFiles([file]);
    expect(report[file]!.map((r) => [`${r.kind}/${r.name}`, r.errors])).toEqual([
      ['ConfigMap/fine', []],
      ['Deployment/broken', ['data/spec must have required property selector', 'data/spec must have required property template', 'data/spec/replicas must be integer']],
      ['ServiceMonitor/scrape', ['data/spec/endpoints/0/port must be string']],
      ['Widget/unknown', [expect.stringMatching(/^no schema known for apiVersion "example.com\/v1" kind "Widget"/)]],
    ]);
  });
});
