import { FailedPreconditionError, InvalidArgumentError } from '@strata/service-runtime';
import type { SourceSpec } from './source';
import { incompatibleChanges, sourceDigest, type SourceSpecDraft, validateSourceSpec } from './source-spec';

const aDraft = (overrides: Partial<SourceSpecDraft> = {}): SourceSpecDraft => ({
  name: 'flights',
  entityKeyFields: ['origin'],
  eventTimeField: 'date',
  fields: [
    { name: 'date', type: 'TIMESTAMP', nullable: false, allowedValues: [], description: '' },
    { name: 'origin', type: 'STRING', nullable: false, allowedValues: [], maxLength: 3, description: '' },
    { name: 'delay', type: 'INT64', nullable: true, min: -180, max: 2880, allowedValues: [], description: 'minutes' },
  ],
  description: '',
  owner: '',
  tags: { b: '2', a: '1' },
  ...overrides,
});

function violationsOf(draft: SourceSpecDraft): string[] {
  try {
    validateSourceSpec(draft);
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error.fieldViolations.map((violation) => violation.field);
    throw error;
  }
  return [];
}

describe(validateSourceSpec.name, () => {
  it('returns the canonical spec: fields in declared order, tags sorted', () => {
    const spec = validateSourceSpec(aDraft());

    expect(spec.fields.map((field) => field.name)).toEqual(['date', 'origin', 'delay']);
    expect(Object.keys(spec.tags)).toEqual(['a', 'b']);
    expect(sourceDigest(spec)).toBe(sourceDigest(validateSourceSpec(aDraft({ tags: { a: '1', b: '2' } }))));
    expect(sourceDigest(spec)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(sourceDigest(spec)).not.toBe(sourceDigest(validateSourceSpec(aDraft({ description: 'changed' }))));
  });

  it('reports an untyped field, a nullable key and a nullable event time with their paths', () => {
    const fields = aDraft().fields.map((field) => (field.name === 'date' ? { ...field, nullable: true } : field.name === 'origin' ? { ...field, nullable: true } : { ...field, type: undefined }));

    expect(violationsOf(aDraft({ fields }))).toEqual(['spec.fields[2].type', 'spec.fields[2].min', 'spec.fields[2].max', 'spec.entity_key_fields[0]', 'spec.event_time_field']);
  });

  it('reports a key listed twice and empty tag keys', () => {
    expect(violationsOf(aDraft({ entityKeyFields: ['origin', 'origin'], tags: { ' ': 'x' } }))).toEqual(['spec.entity_key_fields[1]', 'spec.tags']);
  });
});

describe(incompatibleChanges.name, () => {
  const previous: SourceSpec = validateSourceSpec(aDraft());

  it('allows new fields, changed constraints and descriptions, and removed fields', () => {
    const next = validateSourceSpec(
      aDraft({
        fields: [...aDraft().fields.slice(0, 2).map((field) => ({ ...field, description: 'new' })), { name: 'distance', type: 'INT64', nullable: false, min: 1, allowedValues: [], description: '' }],
      }),
    );

    expect(incompatibleChanges(previous, next, 1)).toEqual([]);
  });

  it('names each incompatible change: key fields, event-time field, field type', () => {
    const next = validateSourceSpec(
      aDraft({
        entityKeyFields: ['code'],
        eventTimeField: 'at',
        fields: [
          { name: 'at', type: 'TIMESTAMP', nullable: false, allowedValues: [], description: '' },
          { name: 'code', type: 'STRING', nullable: false, allowedValues: [], description: '' },
          { name: 'delay', type: 'DOUBLE', nullable: true, allowedValues: [], description: '' },
        ],
      }),
    );

    expect(incompatibleChanges(previous, next, 3).map((violation) => violation.description)).toEqual([
      'entity_key_fields change from [origin] (version 3) to [code]; apply the changed schema under a new source name',
      'event_time_field changes from "date" (version 3) to "at"; apply the changed schema under a new source name',
      'field "delay" changes type from INT64 (version 3) to DOUBLE; apply the changed schema under a new source name',
    ]);
    expect(new FailedPreconditionError('x', incompatibleChanges(previous, next, 3)).violations.every((violation) => violation.subject === 'sources/flights')).toBe(true);
  });
});
