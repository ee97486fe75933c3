import type { ApiKey, ApiKeyCursor, NewApiKey, StoredApiKey } from './api-key';

/** Why an insert was refused. */
export type InsertOutcome = { readonly inserted: ApiKey } | { readonly conflict: 'name' | 'prefix' };

/** The API keys table as the domain needs it; ApiKeyRepository is the Prisma implementation. */
export interface ApiKeyStore {
  /**
   * Inserts `key` unless a non-revoked key has its name. A key of that name that expired
   * before `now` (but was never revoked) is retired first: its revoked_at becomes its expiry.
   */
  insert(key: NewApiKey, now: Date): Promise<InsertOutcome>;
  /** The key with this public prefix, hash included. */
  findByPrefix(prefix: string): Promise<StoredApiKey | undefined>;
  findById(id: string): Promise<ApiKey | undefined>;
  /** Sets revoked_at = `at` unless already revoked; the key as it is afterwards, undefined when unknown. */
  revoke(id: string, at: Date): Promise<ApiKey | undefined>;
  /** Keys newest first (created_at, then id, descending), after `after`, at most `limit`; inactive ones only when asked. */
  list(query: { readonly includeInactive: boolean; readonly now: Date; readonly after: ApiKeyCursor | undefined; readonly limit: number }): Promise<ApiKey[]>;
  /** Sets last_used_at = `at` unless it is already within `minIntervalMs` before `at` (another replica wrote it). */
  touch(id: string, at: Date, minIntervalMs: number): Promise<void>;
}
