import type { featuresV1 } from '@strata/contracts';
import { type PageRequest, toTimestamp } from '@strata/service-runtime';
import { SCALAR_TYPES, type ScalarType, toWireValueType } from '../shared/scalar';
import type { Source } from './source';
import type { SourceSpecDraft } from './source-spec';

/** A wire ValueType as a ScalarType; undefined for UNSPECIFIED or an unknown name (the validator reports it). */
export function optionalScalarTypeOf(wire: string | null | undefined): ScalarType | undefined {
  const name = String(wire ?? '').replace(/^VALUE_TYPE_/, '');
  return SCALAR_TYPES.find((type) => type === name);
}

/** Paging of a request; an unset PageRequest is the first page at the default size. */
export function pageRequestOf(page: { pageSize: number; pageToken: string } | null | undefined): PageRequest {
  return { pageSize: page?.pageSize ?? 0, pageToken: page?.pageToken ?? '' };
}

/** ApplySourceRequest.spec as a draft for validation (an unset spec is an empty one). */
export function sourceSpecDraftOf(spec: featuresV1.SourceSpec | null | undefined): SourceSpecDraft {
  const type = (wire: featuresV1.FieldSchema['type']) => optionalScalarTypeOf(wire);
  return {
    name: spec?.name ?? '',
    entityKeyFields: [...(spec?.entityKeyFields ?? [])],
    eventTimeField: spec?.eventTimeField ?? '',
    fields: (spec?.fields ?? []).map((field) => ({
      name: field.name,
      ...(type(field.type) === undefined ? {} : { type: type(field.type) }),
      nullable: field.nullable,
      ...(field.min == null ? {} : { min: field.min }),
      ...(field.max == null ? {} : { max: field.max }),
      allowedValues: [...(field.allowedValues ?? [])],
      ...(field.maxLength == null ? {} : { maxLength: field.maxLength }),
      description: field.description ?? '',
    })),
    description: spec?.description ?? '',
    owner: spec?.owner ?? '',
    tags: { ...(spec?.tags ?? {}) },
  };
}

/** A source version as strata.features.v1.Source. */
export function toSourceMessage(source: Source): featuresV1.Source {
  const { spec } = source;
  return {
    spec: {
      name: spec.name,
      entityKeyFields: [...spec.entityKeyFields],
      eventTimeField: spec.eventTimeField,
      fields: spec.fields.map((field) => ({
        name: field.name,
        type: toWireValueType(field.type),
        nullable: field.nullable,
        ...(field.min === undefined ? {} : { min: field.min }),
        ...(field.max === undefined ? {} : { max: field.max }),
        allowedValues: [...field.allowedValues],
        ...(field.maxLength === undefined ? {} : { maxLength: field.maxLength }),
        description: field.description,
      })),
      description: spec.description,
      owner: spec.owner,
      tags: { ...spec.tags },
    },
    version: source.version,
    digest: source.digest,
    createdAt: toTimestamp(source.createdAt),
    ...(source.latestEventTime === undefined ? {} : { latestEventTime: toTimestamp(source.latestEventTime) }),
  };
}
