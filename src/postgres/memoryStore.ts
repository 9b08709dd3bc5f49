/**
 * The shard store contract in memory: the same semantics as `PgStore`, for
 * property tests (with `kill` and `tamper` to play the server) and for hosts
 * that want the driver without a database.
 *
 * @since 0.2.0
 * @module
 */
import * as E from 'fp-ts/Either'
import { sleep } from '../internal/signals'
import type { Commit, Lease, LogRecord, OutboxEntry, ShardStore, StoredSnapshot } from './store'

interface Shard {
  readonly log: LogRecord[]
  readonly keys: Set<string>
  epoch: number
  holder: AbortController | undefined
  applied: number
  readonly snapshots: StoredSnapshot[]
  readonly outbox: Map<number, OutboxEntry>
  readonly unsent: Map<number, OutboxEntry>
  readonly waiters: Set<() => void>
}

/**
 * A {@link ShardStore} in memory, with what a test needs to play the server:
 * `kill` ends an owner as a dead connection would (its lock is released and
 * its lease's `lost` aborts, but it may still try to write), and `tamper`
 * rewrites a stored snapshot.
 *
 * @category store
 * @since 0.2.0
 */
export interface MemoryStore extends ShardStore {
  /** Releases the shard's lock as the server does when the owner's connection dies. */
  readonly kill: (shard: number) => void
  /** Replaces the body of the stored snapshot at `offset` (to test integrity checks). */
  readonly tamper: (shard: number, offset: number, body: string) => void
  /** The shard's current fencing epoch (0 before its first acquisition). */
  readonly epochOf: (shard: number) => number
  /** The shard's whole log. */
  readonly logOf: (shard: number) => readonly LogRecord[]
}

/**
 * A new, empty store in memory.
 *
 * @example
 * import { MemoryStore } from 'job-execution-core/postgres'
 * const store = MemoryStore.create()
 * await store.append(0, [{ key: 'a', line: '{"now":0,"event":{"type":"TimeoutsChecked"}}' }]) // E.right([1])
 *
 * @category store
 * @since 0.2.0
 */
export const create = (): MemoryStore => {
  const shards = new Map<number, Shard>()
  const shardOf = (shard: number): Shard => {
    const found = shards.get(shard)
    if (found !== undefined) return found
    const made: Shard = {
      log: [],
      keys: new Set(),
      epoch: 0,
      holder: undefined,
      applied: 0,
      snapshots: [],
      outbox: new Map(),
      unsent: new Map(),
      waiters: new Set(),
    }
    shards.set(shard, made)
    return made
  }
  const tryAcquire = (shard: number): Lease | undefined => {
    const s = shardOf(shard)
    if (s.holder !== undefined) return undefined
    const holder = new AbortController()
    s.holder = holder
    s.epoch += 1
    return { shard, epoch: s.epoch, applied: s.applied, lost: holder.signal }
  }
  return {
    append: (shard, entries) => {
      const s = shardOf(shard)
      const written: number[] = []
      for (const { key, line } of entries) {
        if (s.keys.has(key)) continue
        s.keys.add(key)
        const offset = s.log.length + 1
        s.log.push({ offset, key, line })
        written.push(offset)
      }
      if (written.length > 0) {
        for (const wake of s.waiters) wake()
        s.waiters.clear()
      }
      return Promise.resolve(E.right(written))
    },
    read: (shard, after, limit) => Promise.resolve(E.right(shardOf(shard).log.slice(after, after + limit))),
    wait: (shard, after, timeoutMs, signal) => {
      const s = shardOf(shard)
      if (s.log.length > after) return Promise.resolve()
      const controller = new AbortController()
      const stop = (): void => controller.abort()
      signal.addEventListener('abort', stop, { once: true })
      s.waiters.add(stop)
      return sleep(timeoutMs, controller.signal).then(() => {
        signal.removeEventListener('abort', stop)
        s.waiters.delete(stop)
      })
    },
    acquire: async (shard, { signal, pollMs }) => {
      for (;;) {
        if (signal.aborted) return E.right(undefined)
        const lease = tryAcquire(shard)
        if (lease !== undefined) return E.right(lease)
        await sleep(pollMs, signal)
      }
    },
    release: (lease) => {
      const s = shardOf(lease.shard)
      if (s.epoch === lease.epoch && s.holder !== undefined) {
        s.holder.abort()
        s.holder = undefined
      }
      return Promise.resolve()
    },
    commit: (lease, commit: Commit) => {
      const s = shardOf(lease.shard)
      if (s.epoch !== lease.epoch) {
        return Promise.resolve(
          E.left({ type: 'StaleOwner' as const, shard: lease.shard, epoch: lease.epoch, current: s.epoch }),
        )
      }
      s.applied = Math.max(s.applied, commit.offset)
      for (const offset of commit.sent ?? []) s.unsent.delete(offset)
      for (const entry of commit.outbox) {
        if (s.outbox.has(entry.offset)) continue
        s.outbox.set(entry.offset, entry)
        s.unsent.set(entry.offset, entry)
      }
      if (commit.snapshot !== undefined && !s.snapshots.some((x) => x.offset === commit.snapshot?.offset)) {
        s.snapshots.push({ ...commit.snapshot, epoch: lease.epoch })
        // The three newest are kept, as on PostgreSQL.
        s.snapshots.sort((a, b) => b.offset - a.offset).splice(3)
      }
      return Promise.resolve(E.right(undefined))
    },
    snapshots: (shard) =>
      Promise.resolve(
        E.right(
          [...shardOf(shard).snapshots]
            .sort((a, b) => b.offset - a.offset)
            .map(({ offset, epoch, digest }) => ({ offset, epoch, digest })),
        ),
      ),
    snapshot: (shard, offset) => Promise.resolve(E.right(shardOf(shard).snapshots.find((x) => x.offset === offset))),
    pending: (shard) =>
      Promise.resolve(E.right([...shardOf(shard).unsent.values()].sort((a, b) => a.offset - b.offset))),
    markSent: (shard, offsets) => {
      const s = shardOf(shard)
      for (const offset of offsets) s.unsent.delete(offset)
      return Promise.resolve(E.right(undefined))
    },
    kill: (shard) => {
      const s = shardOf(shard)
      s.holder?.abort()
      s.holder = undefined
    },
    tamper: (shard, offset, body) => {
      const s = shardOf(shard)
      const i = s.snapshots.findIndex((x) => x.offset === offset)
      const found = s.snapshots[i]
      if (found !== undefined) s.snapshots[i] = { ...found, body }
    },
    epochOf: (shard) => shardOf(shard).epoch,
    logOf: (shard) => shardOf(shard).log,
  }
}
