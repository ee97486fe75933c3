import { describeViolations, InvalidArgumentError } from './service-errors';

const aViolation = (index: number) => ({ field: `rows[${index}].entity_id`, description: `bad ${index}` });

describe(InvalidArgumentError.name, () => {
  it('names every bad field and its rule in the message when listing violations', () => {
    const error = InvalidArgumentError.listing('invalid CreateModel request', [
      { field: 'name', description: 'must match ^[a-z]$, got "Bad Name"' },
      { field: 'tags', description: 'tag keys must not be empty' },
    ]);

    expect(error.message).toBe('invalid CreateModel request: name: must match ^[a-z]$, got "Bad Name"; tags: tag keys must not be empty');
    expect(error.fieldViolations).toHaveLength(2);
  });

  it('spells out five violations in the message and counts the rest, keeping all of them in the details', () => {
    const violations = Array.from({ length: 8 }, (_, index) => aViolation(index));

    const error = InvalidArgumentError.listing('invalid request', violations);

    expect(error.message).toBe(`invalid request: ${describeViolations(violations.slice(0, 5))}; (and 3 more)`);
    expect(error.fieldViolations).toEqual(violations);
  });

  it('keeps the bare message when there is no violation to list', () => {
    expect(InvalidArgumentError.listing('invalid request', []).message).toBe('invalid request');
  });
});
