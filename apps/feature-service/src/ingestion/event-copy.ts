import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Database } from '@strata/persistence';
import { DATABASE, SERVICE_CONFIG, type ServiceConfig } from '@strata/service-runtime';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool, type PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { BatchOrigin, BatchWriteResult, EventToWrite } from './event-writer';

/** Connections of the COPY pool: the batches an import writes at once (WRITES_IN_FLIGHT of the import job). */
const COPY_CONNECTIONS = 4;

const COPY_EVENTS = 'COPY events (source, source_version, entity_key, event_time, event_id, payload) FROM STDIN';

/** The work of a batch's quarantine insert, run inside the COPY transaction. */
export type QuarantineInsert = (client: PoolClient) => Promise<number>;

/**
 * The fast path of {@link EventWriter} on PostgreSQL: a batch of new events streamed with
 * `COPY events FROM STDIN` (text format) and its rejected rows inserted, in one transaction.
 * COPY has no ON CONFLICT: a batch holding an event ID that is already stored fails with a
 * unique violation, is rolled back whole, and {@link tryWrite} answers undefined so the
 * caller redoes it with the conflict-skipping INSERT (idempotency is kept by the same unique
 * index). About half of PostgreSQL's work per event compared to parsing one JSON document
 * per batch with ON CONFLICT. Not available on PGlite (no COPY FROM STDIN through the driver).
 *
 * It uses a small `pg` pool of its own on the service's DATABASE_URL (Prisma has no COPY),
 * with the session time zone pinned to UTC like the Prisma pool.
 */
@Injectable()
export class EventCopier implements OnModuleDestroy {
  private readonly connectionString: string | undefined;
  private pool: Pool | undefined;

  constructor(@Inject(DATABASE) database: Database, @Inject(SERVICE_CONFIG) config: ServiceConfig) {
    const url = config.databaseUrl;
    this.connectionString = database.kind === 'postgres' && typeof url === 'string' && url !== '' ? utcSessionUrl(url) : undefined;
  }

  /** Whether COPY can be used (PostgreSQL). */
  get available(): boolean {
    return this.connectionString !== undefined;
  }

  /**
   * Stores the batch with COPY in one transaction with `quarantine`; undefined when the batch
   * could not be copied as a whole (an event ID already stored, or any other refusal of the
   * server): nothing of it was stored, and the caller writes it the conflict-skipping way
   * (which reports a real error the same way it always did).
   */
  async tryWrite(origin: BatchOrigin, accepted: readonly EventToWrite[], quarantine: QuarantineInsert | undefined): Promise<BatchWriteResult | undefined> {
    if (this.connectionString === undefined || accepted.length === 0) return undefined;
    this.pool ??= new Pool({ connectionString: this.connectionString, max: COPY_CONNECTIONS, application_name: 'feature-service:copy' });
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch {
      return undefined;
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await pipeline(Readable.from([copyTextOf(origin, accepted)]), client.query(copyFrom(COPY_EVENTS)));
      const quarantined = quarantine === undefined ? 0 : await quarantine(client);
      await client.query('COMMIT');
      return { inserted: accepted.length, duplicates: 0, quarantined };
    } catch {
      // A unique violation (an event ID already stored) or any other refusal: nothing of the
      // batch is stored; the caller's conflict-skipping INSERT redoes it and reports a real
      // error as it always did.
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      return undefined;
    } finally {
      client.release(broken);
    }
  }

  async onModuleDestroy(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }
}

/**
 * The batch as COPY text rows: source, source_version, entity_key, event_time, event_id,
 * payload (JSON). Built by concatenation (one string per batch); consecutive events at the
 * same instant (files sorted by time) format it once. JSON text holds no raw tab, newline or
 * carriage return, so only its backslashes need escaping.
 */
export function copyTextOf(origin: BatchOrigin, accepted: readonly EventToWrite[]): string {
  const prefix = `${copyField(origin.source)}\t${origin.sourceVersion}\t`;
  let text = '';
  let lastTime = Number.NaN;
  let lastTimeText = '';
  for (let index = 0; index < accepted.length; index += 1) {
    const row = accepted[index] as EventToWrite;
    const { event } = row;
    const time = event.eventTime.getTime();
    if (time !== lastTime) {
      lastTime = time;
      lastTimeText = event.eventTime.toISOString();
    }
    const json = JSON.stringify(event.payload);
    text += `${prefix}${copyField(event.entityKey)}\t${lastTimeText}\t${copyField(row.eventId)}\t${json.includes('\\') ? json.replace(BACKSLASHES, '\\\\') : json}\n`;
  }
  return text;
}

const BACKSLASHES = /\\/g;
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped (so no line is ever `\.`). */
export function copyField(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (character) => ESCAPES[character] as string) : text;
}

/** The URL with `options=-c TimeZone=UTC` added, as the service's Prisma pool connects. */
function utcSessionUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const options = url.searchParams.get('options');
  url.searchParams.set('options', options ? `${options} -c TimeZone=UTC` : '-c TimeZone=UTC');
  return url.toString();
}
