/**
 * The shard store contract on PostgreSQL (node-postgres). Ownership is a
 * session advisory lock (released by the server when the owner's connection
 * dies) and a fencing epoch; a write with a stale epoch is refused by the
 * database (a trigger), not by the client.
 *
 * @since 0.2.0
 * @module
 */
import * as E from 'fp-ts/Either'
import pg from 'pg'
import { randomUUID } from 'node:crypto'
import { fnv1a32 } from '../internal/fnv1a'
import { sleep } from '../internal/signals'
import { SCHEMA_VERSION, type Lease, type LogRecord, type OutboxEntry, type ShardStore, type StoreError } from './store'

/**
 * Where and how {@link connect} connects.
 *
 * @category store
 * @since 0.2.0
 */
export interface PgStoreOptions {
  /**
   * The server: a connection string or node-postgres settings. Without one,
   * `DATABASE_URL` when set, else node-postgres reads the standard `PG*`
   * variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`).
   */
  readonly connection?: string | pg.ClientConfig
  /** The PostgreSQL schema of the tables (default `job_execution_core`): one per deployment. */
  readonly schema?: string
  /** Connections of the pool for log, state and outbox queries (default 4); each owner holds one more for its lock. */
  readonly poolSize?: number
  /** How often an owner's lock connection is checked, in ms (default 1,000). */
  readonly heartbeatMs?: number
}

/**
 * A {@link ShardStore} on PostgreSQL. `applicationName` is the
 * `application_name` of all its connections (to find them in
 * `pg_stat_activity`); `close` ends them (a held shard is released).
 *
 * @category store
 * @since 0.2.0
 */
export interface PgStore extends ShardStore {
  /** The `application_name` of every connection of this store. */
  readonly applicationName: string
  /** The PostgreSQL schema of its tables. */
  readonly schema: string
  /** Ends every connection (a held shard is released). */
  readonly close: () => Promise<void>
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,47}$/

/** FNV-1a (32 bit, signed) of a text: the advisory-lock namespace of a schema (ASCII, see IDENTIFIER). */
const namespaceOf = (text: string): number => fnv1a32(text) | 0

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const codeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null ? (error as { readonly code?: unknown }).code : undefined

const STALE = 'JEC01'

const ignore = (): void => undefined

const schemaSql = (s: string): string => `
CREATE TABLE ${s}.shard (
  shard integer PRIMARY KEY,
  epoch bigint NOT NULL,
  applied bigint NOT NULL DEFAULT 0
);
CREATE TABLE ${s}.log_head (
  shard integer PRIMARY KEY,
  head bigint NOT NULL DEFAULT 0
);
CREATE TABLE ${s}.log (
  shard integer NOT NULL,
  "offset" bigint NOT NULL,
  key text NOT NULL,
  line text NOT NULL,
  PRIMARY KEY (shard, "offset"),
  UNIQUE (shard, key)
);
CREATE TABLE ${s}.snapshot (
  shard integer NOT NULL,
  "offset" bigint NOT NULL,
  epoch bigint NOT NULL,
  body text NOT NULL,
  digest text NOT NULL,
  PRIMARY KEY (shard, "offset")
);
CREATE TABLE ${s}.outbox (
  shard integer NOT NULL,
  "offset" bigint NOT NULL,
  epoch bigint NOT NULL,
  messages text NOT NULL,
  sent boolean NOT NULL DEFAULT false,
  PRIMARY KEY (shard, "offset")
);
CREATE INDEX outbox_pending ON ${s}.outbox (shard, "offset") WHERE NOT sent;
-- The fence: a snapshot or outbox row written under an epoch that is no longer
-- the shard's is refused here, whatever the writer believes.
CREATE FUNCTION ${s}.fence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE current bigint;
BEGIN
  SELECT epoch INTO current FROM ${s}.shard WHERE shard = NEW.shard FOR SHARE;
  IF current IS DISTINCT FROM NEW.epoch THEN
    RAISE EXCEPTION 'job-execution-core: shard % is owned under epoch %, not %', NEW.shard, current, NEW.epoch
      USING ERRCODE = '${STALE}';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER fence BEFORE INSERT ON ${s}.snapshot FOR EACH ROW EXECUTE FUNCTION ${s}.fence();
CREATE TRIGGER fence BEFORE INSERT ON ${s}.outbox FOR EACH ROW EXECUTE FUNCTION ${s}.fence();
INSERT INTO ${s}.schema_version (version) VALUES (${SCHEMA_VERSION});
`

const configOf = (options: PgStoreOptions, applicationName: string): pg.ClientConfig => {
  const base: pg.ClientConfig =
    typeof options.connection === 'string'
      ? { connectionString: options.connection }
      : (options.connection ??
        (process.env['DATABASE_URL'] !== undefined && process.env['DATABASE_URL'] !== ''
          ? { connectionString: process.env['DATABASE_URL'] }
          : {}))
  return { keepAlive: true, keepAliveInitialDelayMillis: 10_000, ...base, application_name: applicationName }
}

/**
 * Creates the tables (schema version {@link SCHEMA_VERSION}) unless they exist, under an
 * advisory lock so that concurrent first connections do not race; refuses a
 * newer schema.
 */
const ensureSchema = async (pool: pg.Pool, schema: string, namespace: number): Promise<E.Either<StoreError, void>> => {
  const client = await pool.connect()
  client.on('error', ignore)
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1, -1)', [namespace])
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_version (version integer NOT NULL)`)
    const found = await client.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM ${schema}.schema_version`,
    )
    const version = found.rows[0]?.version ?? null
    if (version !== null && version > SCHEMA_VERSION) {
      await client.query('ROLLBACK')
      return E.left({
        type: 'SchemaTooNew',
        found: version,
        known: SCHEMA_VERSION,
        message:
          `the tables in schema ${schema} are at schema version ${version}, newer than version ${SCHEMA_VERSION} ` +
          `that this job-execution-core knows: upgrade job-execution-core (or use another schema)`,
      })
    }
    if (version === null) await client.query(schemaSql(schema))
    await client.query('COMMIT')
    return E.right(undefined)
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    return E.left({ type: 'Unavailable', message: messageOf(error) })
  } finally {
    client.off('error', ignore)
    client.release()
  }
}

/**
 * Connects to PostgreSQL, creates or checks the tables, and returns the
 * store. Never throws: an unreachable server is `Unavailable`, a newer schema
 * `SchemaTooNew` with a message saying so.
 *
 * @example
 * import { PgStore, runShard } from 'job-execution-core/postgres'
 * const store = await PgStore.connect({ connection: 'postgres://scale@db/scale' })
 * if (store._tag === 'Right') await runShard(store.right, 0, { signal: AbortSignal.timeout(60_000) })
 *
 * @category store
 * @since 0.2.0
 */
export const connect = async (options: PgStoreOptions = {}): Promise<E.Either<StoreError, PgStore>> => {
  const schema = options.schema ?? 'job_execution_core'
  if (!IDENTIFIER.test(schema)) {
    return E.left({ type: 'Invalid', message: `schema ${JSON.stringify(schema)} is not a lower-case SQL identifier` })
  }
  const namespace = namespaceOf(`job-execution-core:${schema}`)
  const applicationName = `jec-${randomUUID().slice(0, 8)}`
  const config = configOf(options, applicationName)
  const pool = new pg.Pool({ ...config, max: options.poolSize ?? 4 })
  // An idle connection that dies is dropped by the pool; the next query opens another.
  pool.on('error', () => undefined)
  const created = await ensureSchema(pool, schema, namespace).catch((error: unknown): E.Either<StoreError, void> =>
    E.left({ type: 'Unavailable', message: messageOf(error) }),
  )
  if (E.isLeft(created)) {
    await pool.end().catch(() => undefined)
    return created
  }
  const channel = `${schema}_log`
  const locks = new Set<pg.Client>()
  const lockOf = new WeakMap<Lease, pg.Client>()
  const waiters = new Map<number, Set<() => void>>()
  let listener: Promise<pg.Client | undefined> | undefined
  let closed = false

  const unavailable = (error: unknown): E.Either<StoreError, never> =>
    E.left({ type: 'Unavailable', message: messageOf(error) })

  const wake = (shard: number): void => {
    for (const w of waiters.get(shard) ?? []) w()
    waiters.delete(shard)
  }

  const listen = (): Promise<pg.Client | undefined> => {
    if (listener !== undefined) return listener
    const client = new pg.Client(config)
    const started = client
      .connect()
      .then(async () => {
        client.on('notification', (note) => wake(Number(note.payload)))
        await client.query(`LISTEN ${channel}`)
        return client
      })
      .catch(() => undefined)
    client.on('error', () => {
      listener = undefined
      for (const shard of [...waiters.keys()]) wake(shard)
    })
    listener = started
    return started
  }

  const transaction = async <A>(work: (client: pg.PoolClient) => Promise<A>): Promise<A> => {
    const client = await pool.connect()
    // A connection cut while checked out fails the running query; without a
    // listener its 'error' event would also crash the process.
    client.on('error', ignore)
    try {
      await client.query('BEGIN')
      const result = await work(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.off('error', ignore)
      client.release()
    }
  }

  const currentEpoch = async (shard: number): Promise<number> => {
    const found = await pool.query<{ epoch: string }>(`SELECT epoch FROM ${schema}.shard WHERE shard = $1`, [shard])
    return Number(found.rows[0]?.epoch ?? 0)
  }

  const store: PgStore = {
    applicationName,
    schema,
    append: async (shard, entries) => {
      try {
        return E.right(
          await transaction(async (client) => {
            await client.query(`INSERT INTO ${schema}.log_head (shard) VALUES ($1) ON CONFLICT DO NOTHING`, [shard])
            const head = await client.query<{ head: string }>(
              `SELECT head FROM ${schema}.log_head WHERE shard = $1 FOR UPDATE`,
              [shard],
            )
            const keys = entries.map((e) => e.key)
            const known = await client.query<{ key: string }>(
              `SELECT key FROM ${schema}.log WHERE shard = $1 AND key = ANY($2::text[])`,
              [shard, keys],
            )
            const seen = new Set(known.rows.map((r) => r.key))
            const fresh = entries.filter((e) => (seen.has(e.key) ? false : (seen.add(e.key), true)))
            const start = Number(head.rows[0]?.head ?? 0)
            if (fresh.length === 0) return []
            await client.query(
              `INSERT INTO ${schema}.log (shard, "offset", key, line)
               SELECT $1, $2::bigint + t.n, t.key, t.line
               FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS t(key, line, n)`,
              [shard, start, fresh.map((e) => e.key), fresh.map((e) => e.line)],
            )
            await client.query(`UPDATE ${schema}.log_head SET head = $2 WHERE shard = $1`, [
              shard,
              start + fresh.length,
            ])
            await client.query('SELECT pg_notify($1, $2)', [channel, String(shard)])
            return fresh.map((_, i) => start + i + 1)
          }),
        )
      } catch (error) {
        return unavailable(error)
      }
    },
    read: async (shard, after, limit) => {
      try {
        // A prepared statement, rows as arrays: the hot path of an owner.
        const rows = await pool.query<[string, string, string]>({
          name: `${schema}.read`,
          text: `SELECT "offset", key, line FROM ${schema}.log WHERE shard = $1 AND "offset" > $2 ORDER BY "offset" LIMIT $3`,
          values: [shard, after, limit],
          rowMode: 'array',
        })
        return E.right(rows.rows.map(([offset, key, line]): LogRecord => ({ offset: Number(offset), key, line })))
      } catch (error) {
        return unavailable(error)
      }
    },
    wait: async (shard, after, timeoutMs, signal) => {
      const controller = new AbortController()
      const done = (): void => controller.abort()
      const set = waiters.get(shard) ?? new Set<() => void>()
      set.add(done)
      waiters.set(shard, set)
      signal.addEventListener('abort', done, { once: true })
      await listen()
      // Entries appended before the LISTEN took effect: do not wait for them.
      const head = await pool
        .query<{ head: string }>(`SELECT head FROM ${schema}.log_head WHERE shard = $1`, [shard])
        .catch(() => undefined)
      if (Number(head?.rows[0]?.head ?? 0) > after) done()
      await sleep(timeoutMs, controller.signal)
      signal.removeEventListener('abort', done)
      waiters.get(shard)?.delete(done)
    },
    acquire: async (shard, { signal, pollMs }) => {
      const client = new pg.Client(config)
      const lost = new AbortController()
      client.on('error', () => lost.abort())
      client.on('end', () => lost.abort())
      try {
        await client.connect()
        for (;;) {
          if (signal.aborted || closed) {
            await client.end()
            return E.right(undefined)
          }
          const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
            namespace,
            shard,
          ])
          if (got.rows[0]?.ok === true) break
          await sleep(pollMs, signal)
        }
        // The offset reached is read with the bump: an earlier owner's commit
        // either landed before it or is refused after it.
        const bumped = await client.query<{ epoch: string; applied: string }>(
          `INSERT INTO ${schema}.shard (shard, epoch) VALUES ($1, 1)
           ON CONFLICT (shard) DO UPDATE SET epoch = ${schema}.shard.epoch + 1 RETURNING epoch, applied`,
          [shard],
        )
        locks.add(client)
        const heartbeat = setInterval(() => {
          client.query('SELECT 1').catch(() => lost.abort())
        }, options.heartbeatMs ?? 1_000)
        lost.signal.addEventListener('abort', () => {
          clearInterval(heartbeat)
          locks.delete(client)
        })
        const row = bumped.rows[0]
        const lease: Lease = {
          shard,
          epoch: Number(row?.epoch ?? 0),
          applied: Number(row?.applied ?? 0),
          lost: lost.signal,
        }
        lockOf.set(lease, client)
        return E.right(lease)
      } catch (error) {
        lost.abort()
        await client.end().catch(() => undefined)
        return unavailable(error)
      }
    },
    release: async (lease) => {
      const client = lockOf.get(lease)
      if (client !== undefined && locks.has(client)) {
        locks.delete(client)
        await client.end().catch(() => undefined)
      }
    },
    commit: async (lease, commit) => {
      const { shard, epoch } = lease
      // Offset, outbox and sent marks in one statement (one round trip, atomic
      // on its own). The outbox goes as one JSON text: JSON.stringify is native,
      // where node-postgres escapes a text[] element by element in JavaScript.
      // A stale epoch updates no shard row, and its outbox rows fail the fence.
      const batch: pg.QueryConfig = {
        name: `${schema}.commit`,
        text: `WITH fresh AS (
                 INSERT INTO ${schema}.outbox (shard, "offset", epoch, messages)
                 SELECT $1, (e->>0)::bigint, $2, e->>1 FROM json_array_elements($4::json) AS e
                 ON CONFLICT (shard, "offset") DO NOTHING RETURNING 1
               ), marked AS (
                 UPDATE ${schema}.outbox SET sent = true
                 WHERE shard = $1 AND "offset" = ANY($5::bigint[]) AND NOT sent
                   AND EXISTS (SELECT 1 FROM ${schema}.shard WHERE shard = $1 AND epoch = $2)
                 RETURNING 1
               )
               UPDATE ${schema}.shard SET applied = GREATEST(applied, $3) WHERE shard = $1 AND epoch = $2`,
        values: [
          shard,
          epoch,
          commit.offset,
          JSON.stringify(commit.outbox.map((e) => [e.offset, e.messages])),
          [...(commit.sent ?? [])],
        ],
      }
      try {
        const { snapshot } = commit
        const ok =
          snapshot === undefined
            ? ((await pool.query(batch)).rowCount ?? 0) === 1
            : await transaction(async (client) => {
                if (((await client.query(batch)).rowCount ?? 0) !== 1) return false
                const { offset, body, digest } = snapshot
                await client.query(
                  `INSERT INTO ${schema}.snapshot (shard, "offset", epoch, body, digest) VALUES ($1, $2, $3, $4, $5)
                   ON CONFLICT (shard, "offset") DO NOTHING`,
                  [shard, offset, epoch, body, digest],
                )
                // The three newest snapshots are kept: the fall-backs of a refused one.
                await client.query(
                  `DELETE FROM ${schema}.snapshot WHERE shard = $1 AND "offset" < (
                     SELECT "offset" FROM ${schema}.snapshot WHERE shard = $1 ORDER BY "offset" DESC OFFSET 2 LIMIT 1)`,
                  [shard],
                )
                return true
              })
        if (ok) return E.right(undefined)
        return E.left({ type: 'StaleOwner', shard, epoch, current: await currentEpoch(shard) })
      } catch (error) {
        if (codeOf(error) === STALE) {
          const current = await currentEpoch(shard).catch(() => epoch + 1)
          return E.left({ type: 'StaleOwner', shard, epoch, current })
        }
        return unavailable(error)
      }
    },
    snapshots: async (shard) => {
      try {
        const rows = await pool.query<{ offset: string; epoch: string; digest: string }>(
          `SELECT "offset", epoch, digest FROM ${schema}.snapshot WHERE shard = $1 ORDER BY "offset" DESC`,
          [shard],
        )
        return E.right(rows.rows.map((r) => ({ offset: Number(r.offset), epoch: Number(r.epoch), digest: r.digest })))
      } catch (error) {
        return unavailable(error)
      }
    },
    snapshot: async (shard, offset) => {
      try {
        const rows = await pool.query<{ epoch: string; body: string; digest: string }>(
          `SELECT epoch, body, digest FROM ${schema}.snapshot WHERE shard = $1 AND "offset" = $2`,
          [shard, offset],
        )
        const row = rows.rows[0]
        return E.right(
          row === undefined ? undefined : { offset, epoch: Number(row.epoch), body: row.body, digest: row.digest },
        )
      } catch (error) {
        return unavailable(error)
      }
    },
    pending: async (shard) => {
      try {
        const rows = await pool.query<{ offset: string; messages: string }>(
          `SELECT "offset", messages FROM ${schema}.outbox WHERE shard = $1 AND NOT sent ORDER BY "offset"`,
          [shard],
        )
        return E.right(rows.rows.map((r): OutboxEntry => ({ offset: Number(r.offset), messages: r.messages })))
      } catch (error) {
        return unavailable(error)
      }
    },
    markSent: async (shard, offsets) => {
      try {
        await pool.query(`UPDATE ${schema}.outbox SET sent = true WHERE shard = $1 AND "offset" = ANY($2::bigint[])`, [
          shard,
          [...offsets],
        ])
        return E.right(undefined)
      } catch (error) {
        return unavailable(error)
      }
    },
    close: async () => {
      closed = true
      for (const client of [...locks]) await client.end().catch(() => undefined)
      locks.clear()
      const listening = listener === undefined ? undefined : await listener
      listener = undefined
      await listening?.end().catch(() => undefined)
      await pool.end().catch(() => undefined)
    },
  }
  return E.right(store)
}
