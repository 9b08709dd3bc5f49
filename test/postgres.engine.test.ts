// The durable-shard store on a real PostgreSQL: the contract (idempotent
// appends, ordered reads, LISTEN/NOTIFY, advisory-lock leases, fencing by the
// database, schema versions) and the faults the driver must survive: an owner
// killed mid-batch and mid-commit, its connection cut with
// pg_terminate_backend, a stale owner waking up after a takeover, entries
// appended twice, a snapshot that fails its integrity check.
//
// Runs against the server of DATABASE_URL or the PG* variables; without one it
// is skipped (and says why), unless JEC_REQUIRE_POSTGRES=1 (as in .ci/run),
// where it fails instead. `npm run db:start` starts a throw-away server.
import * as E from 'fp-ts/Either'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Manager } from '../src/index'
import { PgStore, runShard, type Lease, type OutboxEntry, type ShardStop, type ShardStore } from '../src/postgres'
import { appendStream, fixedStream, logOf, reference } from './durable'

const VARIABLES = ['DATABASE_URL', 'PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE', 'PGSERVICE']
const configured = VARIABLES.some((name) => (process.env[name] ?? '') !== '')
const required = process.env['JEC_REQUIRE_POSTGRES'] === '1'

if (!configured && !required) {
  console.log(
    `PostgreSQL engine tests skipped: none of ${VARIABLES.join(', ')} is set (npm run db:start starts a server)`,
  )
}

const adminConfig = (): pg.ClientConfig => {
  const url = process.env['DATABASE_URL']
  return url !== undefined && url !== '' ? { connectionString: url } : {}
}

const schema = `jec_test_${process.pid}_${Date.now() % 100_000}`
const stream = fixedStream(11, 90)
const never = new AbortController().signal

describe.skipIf(!configured && !required)('PostgreSQL engine', () => {
  let admin: pg.Pool
  const stores: PgStore.PgStore[] = []

  const open = async (): Promise<PgStore.PgStore> => {
    const store = await PgStore.connect({ schema, heartbeatMs: 50 })
    if (E.isLeft(store)) throw new Error(`cannot reach PostgreSQL: ${JSON.stringify(store.left)}`)
    stores.push(store.right)
    return store.right
  }

  /** Cuts the connection that holds a store's shard locks, as a dead network or a killed process would. */
  const cutLock = async (store: PgStore.PgStore): Promise<number> => {
    const cut = await admin.query(
      `SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a
       WHERE a.application_name = $1 AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory')`,
      [store.applicationName],
    )
    return cut.rowCount ?? 0
  }

  /** Cuts every connection of a store: its process is gone, an open transaction is rolled back. */
  const cutAll = async (store: PgStore.PgStore): Promise<void> => {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
      store.applicationName,
    ])
  }

  beforeAll(async () => {
    if (!configured) throw new Error(`JEC_REQUIRE_POSTGRES=1 but none of ${VARIABLES.join(', ')} is set`)
    admin = new pg.Pool(adminConfig())
    await admin.query('SELECT 1')
  })

  afterAll(async () => {
    for (const store of stores) await store.close()
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema}_new CASCADE`)
    await admin?.end()
  })

  it('creates its schema once, versioned, and refuses a newer one with a clear message', async () => {
    await open()
    await open()
    const versions = await admin.query(`SELECT version FROM ${schema}.schema_version`)
    expect(versions.rows).toEqual([{ version: 1 }])
    await admin.query(`CREATE SCHEMA ${schema}_new`)
    await admin.query(`CREATE TABLE ${schema}_new.schema_version (version integer NOT NULL)`)
    await admin.query(`INSERT INTO ${schema}_new.schema_version VALUES (2)`)
    const refused = await PgStore.connect({ schema: `${schema}_new` })
    expect(E.isLeft(refused) && refused.left).toEqual({
      type: 'SchemaTooNew',
      found: 2,
      known: 1,
      message:
        `the tables in schema ${schema}_new are at schema version 2, newer than version 1 ` +
        'that this job-execution-core knows: upgrade job-execution-core (or use another schema)',
    })
    expect(E.isLeft(await PgStore.connect({ schema: 'x; DROP TABLE y' }))).toBe(true)
  })

  it('appends once per key, in one gapless order across concurrent producers, and wakes a waiting reader', async () => {
    const [a, b] = [await open(), await open()]
    const shard = 100
    const waiting = a.wait(shard, 0, 600_000, never)
    const sends = Array.from({ length: 20 }, (_, i) =>
      (i % 2 === 0 ? a : b).append(shard, [{ key: `k${i % 10}`, line: `${i}` }]),
    )
    const written = (await Promise.all(sends)).flatMap((r) => (E.isRight(r) ? r.right : []))
    await waiting
    expect(written.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    const log = await logOf(a, shard)
    expect(log.map((r) => r.offset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(new Set(log.map((r) => r.key)).size).toBe(10)
    expect(await a.read(shard, 8, 5)).toEqual(E.right(log.slice(8)))
  })

  it('one owner at a time; a cut connection frees the shard; a stale owner is refused by the database', async () => {
    const [a, b] = [await open(), await open()]
    const shard = 200
    const first = await a.acquire(shard, { signal: never, pollMs: 10 })
    const old = E.isRight(first) ? first.right : undefined
    expect(old?.epoch).toBe(1)
    if (old === undefined) return
    const busy = await b.acquire(shard, { signal: AbortSignal.timeout(300), pollMs: 20 })
    expect(busy).toEqual(E.right(undefined))
    const standby = b.acquire(shard, { signal: never, pollMs: 10 })
    expect(await cutLock(a)).toBe(1)
    const taken = await standby
    const lease = E.isRight(taken) ? taken.right : undefined
    expect(lease?.epoch).toBe(2)
    await new Promise<void>((resolve) =>
      old.lost.aborted ? resolve() : old.lost.addEventListener('abort', () => resolve()),
    )
    // The stale owner wakes up on a fresh connection and commits: the database refuses.
    const refused = await a.commit(old, { offset: 1, outbox: [{ offset: 1, messages: '["stale"]' }] })
    expect(refused).toEqual(E.left({ type: 'StaleOwner', shard, epoch: 1, current: 2 }))
    // Not the client's check: a raw insert under the old epoch fails in the trigger.
    await expect(
      admin.query(`INSERT INTO ${schema}.outbox (shard, "offset", epoch, messages) VALUES ($1, 1, 1, '[]')`, [shard]),
    ).rejects.toThrow(/owned under epoch 2, not 1/)
    expect(await b.pending(shard)).toEqual(E.right([]))
    if (lease === undefined) return
    expect(await b.commit(lease, { offset: 1, outbox: [{ offset: 1, messages: '["a"]' }] })).toEqual(E.right(undefined))
    // Keyed by input: the same input committed again keeps the first messages.
    expect(await b.commit(lease, { offset: 1, outbox: [{ offset: 1, messages: '["b"]' }] })).toEqual(E.right(undefined))
    expect(await b.pending(shard)).toEqual(E.right([{ offset: 1, messages: '["a"]' }]))
    expect(await b.markSent(shard, [1])).toEqual(E.right(undefined))
    expect(await b.pending(shard)).toEqual(E.right([]))
    await b.release(lease)
  })

  it('a commit marks what was sent in the same statement, a stale one marks nothing, and acquire returns the offset reached', async () => {
    const [a, b] = [await open(), await open()]
    const shard = 300
    const got = await a.acquire(shard, { signal: never, pollMs: 10 })
    const lease = E.isRight(got) ? got.right : undefined
    expect(lease?.applied).toBe(0)
    if (lease === undefined) return
    const outbox = [1, 2, 3].map((offset) => ({ offset, messages: `["m${offset}", "quote \\" and \\\\"]` }))
    expect(await a.commit(lease, { offset: 3, outbox })).toEqual(E.right(undefined))
    // The messages' text comes back as it went in, through the JSON of the batch.
    expect(await a.pending(shard)).toEqual(E.right(outbox))
    expect(await a.commit(lease, { offset: 4, outbox: [], sent: [1, 2] })).toEqual(E.right(undefined))
    expect(await a.pending(shard)).toEqual(E.right(outbox.slice(2)))
    await a.release(lease)
    const next = await b.acquire(shard, { signal: never, pollMs: 10 })
    const taken = E.isRight(next) ? next.right : undefined
    expect([taken?.epoch, taken?.applied]).toEqual([2, 4])
    // The first owner, stale now, marks the last one: refused, nothing marked.
    expect(await a.commit(lease, { offset: 5, outbox: [], sent: [3] })).toEqual(
      E.left({ type: 'StaleOwner', shard, epoch: 1, current: 2 }),
    )
    expect(await b.pending(shard)).toEqual(E.right(outbox.slice(2)))
    if (taken !== undefined) await b.release(taken)
  })

  /** Runs a shard to its end on `standby` after `owner` met its fault, and checks it against one manager. */
  const failover = async (
    shard: number,
    fault: (owner: PgStore.PgStore) => { readonly store: ShardStore; readonly onApplied: (n: number) => Promise<void> },
    options: { readonly snapshotEvery: number } = { snapshotEvery: 4 },
  ): Promise<{ readonly first: ShardStop; readonly warnings: string[] }> => {
    const [owner, standby] = [await open(), await open()]
    await appendStream(owner, stream, 1, shard)
    const delivered: OutboxEntry[] = []
    const base = {
      start: stream.start,
      batchSize: 3,
      snapshotEvery: options.snapshotEvery,
      // Every snapshotEvery entries exactly, however fast the snapshots are.
      snapshotShare: 1,
      pollMs: 10,
      untilCaughtUp: true,
      onOutbox: (_: number, entries: readonly OutboxEntry[]) => void delivered.push(...entries),
    }
    const faulted = fault(owner)
    let batches = 0
    const first = await runShard(faulted.store, shard, {
      ...base,
      signal: never,
      onApplied: () => void faulted.onApplied((batches += 1)),
    })
    const warnings: string[] = []
    const second = await runShard(standby, shard, { ...base, signal: never, onWarning: (w) => void warnings.push(w) })
    const log = await logOf(standby, shard)
    const expected = reference(log, stream.start)
    expect(second.type).toBe('Stopped')
    expect(second.offset).toBe(log.length)
    if (second.type !== 'Stopped') return { first, warnings }
    expect(JSON.stringify(Manager.toSnapshot(second.state))).toBe(JSON.stringify(Manager.toSnapshot(expected.state)))
    const byOffset = new Map<number, string>()
    for (const entry of delivered) {
      const seen = byOffset.get(entry.offset)
      if (seen !== undefined) expect(entry.messages).toBe(seen)
      byOffset.set(entry.offset, entry.messages)
    }
    expect([...byOffset].sort(([x], [y]) => x - y)).toEqual([...expected.outbox])
    const stored = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.outbox WHERE shard = $1`, [shard])
    expect(stored.rows).toEqual([{ n: expected.outbox.size }])
    expect(await standby.pending(shard)).toEqual(E.right([]))
    return { first, warnings }
  }

  // The workload goes to one shard per test (shard numbers keep the tests apart).
  it('an owner killed mid-batch (all its connections cut): the standby goes on, nothing lost or applied twice', async () => {
    const { first } = await failover(0, (owner) => ({
      store: owner,
      onApplied: async (n) => {
        if (n === 3) await cutAll(owner)
      },
    }))
    expect(first.type === 'Lost' || first.type === 'Failed').toBe(true)
    expect(first.offset).toBeLessThan(stream.events.length)
  })

  it('an owner killed mid-commit: whether the commit landed or not, the standby agrees with one manager', async () => {
    const { first } = await failover(1, (owner) => {
      let commits = 0
      return {
        store: {
          ...owner,
          commit: (lease: Lease, commit: Parameters<ShardStore['commit']>[1]) => {
            commits += 1
            const sent = owner.commit(lease, commit)
            if (commits === 4) void cutAll(owner)
            return sent
          },
        },
        onApplied: () => Promise.resolve(),
      }
    })
    expect(first.type === 'Lost' || first.type === 'Failed').toBe(true)
  })

  it('the lock connection cut with pg_terminate_backend mid-batch: the owner stops as Lost', async () => {
    const { first } = await failover(2, (owner) => ({
      store: owner,
      onApplied: async (n) => {
        if (n === 2) expect(await cutLock(owner)).toBe(1)
      },
    }))
    expect(first.type).toBe('Lost')
  })

  it("a stale owner that has not noticed the takeover goes on and commits: the database refuses it, the standby's work stands", async () => {
    const shard = 4
    const [owner, standby] = [await open(), await open()]
    await appendStream(owner, stream, 1, shard)
    const log = await logOf(owner, shard)
    const expected = reference(log, stream.start)
    expect(expected.outbox.size).toBeGreaterThan(1)
    // The owner never hears that its lock is gone (a paused process).
    const deaf: ShardStore = {
      ...owner,
      acquire: async (n, o) => {
        const got = await owner.acquire(n, o)
        return E.map((lease: Lease | undefined) => (lease === undefined ? lease : { ...lease, lost: never }))(got)
      },
    }
    const base = {
      start: stream.start,
      batchSize: 2,
      snapshotEvery: 4,
      snapshotShare: 1,
      pollMs: 10,
      untilCaughtUp: true,
    }
    const sent: OutboxEntry[] = []
    let second: ShardStop | undefined
    let calls = 0
    const stale = await runShard(deaf, shard, {
      ...base,
      signal: never,
      onOutbox: async (_, entries) => {
        calls += 1
        if (calls !== 1) return
        expect(await cutLock(owner)).toBe(1)
        // While the owner is paused here, the standby takes over and finishes the shard.
        second = await runShard(standby, shard, {
          ...base,
          signal: never,
          onOutbox: (__, more) => void sent.push(...more),
        })
        sent.unshift(...entries)
      },
    })
    expect(stale.type).toBe('Lost')
    expect(second?.type).toBe('Stopped')
    if (second?.type !== 'Stopped') return
    expect(JSON.stringify(Manager.toSnapshot(second.state))).toBe(JSON.stringify(Manager.toSnapshot(expected.state)))
    const stored = await admin.query<{ offset: string; messages: string; epoch: string }>(
      `SELECT "offset", messages, epoch FROM ${schema}.outbox WHERE shard = $1 ORDER BY "offset"`,
      [shard],
    )
    expect(stored.rows.map((r) => [Number(r.offset), r.messages])).toEqual([...expected.outbox])
    const applied = await admin.query(`SELECT epoch::int, applied::int FROM ${schema}.shard WHERE shard = $1`, [shard])
    expect(applied.rows).toEqual([{ epoch: 2, applied: log.length }])
    expect(new Set(sent.map((e) => e.offset))).toEqual(new Set(expected.outbox.keys()))
  })

  it('a snapshot row that fails its integrity check: refused, an earlier one and a longer replay, nothing sent twice', async () => {
    const shard = 3
    const owner = await open()
    await appendStream(owner, stream, 1, shard)
    const delivered: OutboxEntry[] = []
    const options = {
      start: stream.start,
      batchSize: 3,
      snapshotEvery: 3,
      snapshotShare: 1,
      untilCaughtUp: true,
      onOutbox: (_: number, entries: readonly OutboxEntry[]) => void delivered.push(...entries),
    }
    const first = await runShard(owner, shard, { ...options, signal: never })
    expect(first.type).toBe('Stopped')
    const latest = await admin.query<{ offset: string }>(
      `UPDATE ${schema}.snapshot SET body = $2 WHERE shard = $1
       AND "offset" = (SELECT max("offset") FROM ${schema}.snapshot WHERE shard = $1) RETURNING "offset"`,
      [shard, JSON.stringify(Manager.toSnapshot(Manager.create(stream.start)))],
    )
    const sent = delivered.length
    expect(sent).toBeGreaterThan(0)
    const warnings: string[] = []
    const second = await runShard(await open(), shard, {
      ...options,
      signal: never,
      onWarning: (w) => void warnings.push(w),
    })
    expect(warnings).toEqual([
      `shard ${shard}: the snapshot at offset ${latest.rows[0]?.offset ?? '?'} fails its digest; trying an earlier one`,
    ])
    expect(first.type === 'Stopped' && second.type === 'Stopped').toBe(true)
    if (first.type !== 'Stopped' || second.type !== 'Stopped') return
    expect(JSON.stringify(Manager.toSnapshot(second.state))).toBe(JSON.stringify(Manager.toSnapshot(first.state)))
    expect(delivered.length).toBe(sent)
    const kept = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.snapshot WHERE shard = $1`, [shard])
    expect(kept.rows).toEqual([{ n: 3 }])
  })
})
