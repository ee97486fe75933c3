/** A registered model: a named sequence of versions, plus the aliases that point into it. */
export interface Model {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly owner: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: Date;
  /** Highest version number registered; 0 = none yet. */
  readonly latestVersion: number;
  /** Current aliases: alias -> version. */
  readonly aliases: Readonly<Record<string, number>>;
}

/** What CreateModel asks for. */
export interface NewModel {
  readonly name: string;
  readonly description: string;
  readonly owner: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The identity of a model other domains work under. */
export type ModelKey = Pick<Model, 'id' | 'name'>;

/** ListModels filters; an absent member does not filter. */
export interface ModelFilter {
  /** Tag present (`value` undefined) or tag equal to `value`. */
  readonly tag?: { readonly key: string; readonly value?: string };
  readonly owner?: string;
}
