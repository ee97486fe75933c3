import { join } from 'node:path';
import { describeMigratedSchema } from '@strata/testing';
import { PrismaClient } from '../../src/generated/prisma/client';

// Proves that prisma/schema.prisma and the hand-written SQL migrations agree: the migrations
// are applied to a fresh database, then one row of every model is written and read back
// through the generated client, on both engines the service runs on.

const MIGRATIONS_DIR = join(__dirname, '..', '..', 'prisma', 'migrations');
const AT = new Date('2026-11-28T10:15:30.123Z');

describeMigratedSchema('registry-service', PrismaClient, MIGRATIONS_DIR, (schema) => {
  const aModelWithVersion = async (name: string) => {
    const model = await schema.prisma.model.create({ data: { name, description: 'predicts delays', owner: 'ml-team', tags: { team: 'ops' } } });
    const version = await schema.prisma.modelVersion.create({
      data: {
        modelId: model.id,
        version: 1,
        artifactDigest: 'ab'.repeat(32),
        sizeBytes: 5_000_000_000n,
        format: 'onnx',
        signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }] },
        metrics: { auc: 0.9 },
        params: { depth: 4 },
        lineage: { trainingJob: 'job-1' },
        tags: { stage: 'candidate' },
        createdAt: AT,
      },
    });
    return { model, version };
  };

  it('round-trips a model and a version, and refuses the same artifact twice for a model', async () => {
    const { model, version } = await aModelWithVersion('flight-delay');

    expect(await schema.prisma.model.findUniqueOrThrow({ where: { name: 'flight-delay' } })).toEqual(model);
    expect(await schema.prisma.modelVersion.findUniqueOrThrow({ where: { modelId_version: { modelId: model.id, version: 1 } } })).toEqual(version);
    expect(version.status).toBe('ready');
    await expect(
      schema.prisma.modelVersion.create({ data: { modelId: model.id, version: 2, artifactDigest: 'ab'.repeat(32), sizeBytes: 1n, format: 'onnx', signature: {} } }),
    ).rejects.toMatchObject({ code: 'P2002' });
  });

  it('round-trips an alias, and refuses one that points to a version that does not exist', async () => {
    const { model } = await aModelWithVersion('churn');
    const alias = await schema.prisma.alias.create({ data: { modelId: model.id, name: 'production', version: 1, previousVersion: null, revision: 7n } });

    expect(await schema.prisma.alias.findUniqueOrThrow({ where: { modelId_name: { modelId: model.id, name: 'production' } } })).toEqual(alias);
    await expect(schema.prisma.alias.create({ data: { modelId: model.id, name: 'canary', version: 9, revision: 8n } })).rejects.toMatchObject({ code: 'P2003' });
  });

  it('round-trips a gate policy and a traffic policy', async () => {
    const { model } = await aModelWithVersion('fraud');
    const gate = await schema.prisma.gatePolicy.create({ data: { modelId: model.id, alias: 'production', rules: [{ metric: 'auc', min: 0.85 }], updatedBy: 'admin' } });
    const traffic = await schema.prisma.trafficPolicy.create({ data: { modelId: model.id, split: { production: 90, canary: 10 }, shadowAlias: 'shadow', updatedBy: 'ci' } });

    expect(await schema.prisma.gatePolicy.findUniqueOrThrow({ where: { modelId_alias: { modelId: model.id, alias: 'production' } } })).toEqual(gate);
    expect(await schema.prisma.trafficPolicy.findUniqueOrThrow({ where: { modelId: model.id } })).toEqual(traffic);
  });

  it('round-trips evidence', async () => {
    const { version } = await aModelWithVersion('eta');
    const evidence = await schema.prisma.evidence.create({ data: { modelVersionId: version.id, name: 'offline-eval', kind: 'metrics', payload: { auc: 0.93 }, addedBy: 'ci' } });

    expect(await schema.prisma.evidence.findUniqueOrThrow({ where: { id: evidence.id } })).toEqual(evidence);
  });

  it('round-trips alias history and approvals, one approval per subject and alias', async () => {
    const { model, version } = await aModelWithVersion('theta');
    const move = await schema.prisma.aliasHistory.create({ data: { modelId: model.id, alias: 'production', toVersion: 1, revision: 7n, actor: 'ci-bot', reason: 'first release' } });
    expect(await schema.prisma.aliasHistory.findUniqueOrThrow({ where: { id: move.id } })).toEqual(move);
    const approval = await schema.prisma.approval.create({ data: { modelVersionId: version.id, alias: 'production', approvedBy: 'alice', reason: 'reviewed' } });
    expect(await schema.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } })).toEqual(approval);
    await expect(schema.prisma.approval.create({ data: { modelVersionId: version.id, alias: 'production', approvedBy: 'alice', reason: 'again' } })).rejects.toMatchObject({ code: 'P2002' });
  });

  it('round-trips an audit log entry', async () => {
    const entry = await schema.prisma.auditLogEntry.create({
      data: { modelName: 'flight-delay', actor: 'ci-bot', role: 'ci', action: 'set_alias', details: { alias: 'production', version: 1 }, reason: 'release', requestId: 'req-1' },
    });

    expect(await schema.prisma.auditLogEntry.findUniqueOrThrow({ where: { id: entry.id } })).toEqual(entry);
  });

  it('round-trips release events with increasing revisions', async () => {
    const { model } = await aModelWithVersion('ranker');
    const first = await schema.prisma.releaseEvent.create({ data: { modelId: model.id, kind: 'alias_moved', payload: { alias: 'production', version: 1 } } });
    const second = await schema.prisma.releaseEvent.create({ data: { modelId: model.id, kind: 'traffic_policy_changed', payload: {} } });

    expect(await schema.prisma.releaseEvent.findUniqueOrThrow({ where: { revision: first.revision } })).toEqual(first);
    expect(second.revision).toBeGreaterThan(first.revision);
  });
});
