// The store contract of a durable shard: an ordered event log, fenced
// ownership, and the state (snapshots, outbox) an owner commits.
import type * as E from 'fp-ts/Either'

/**
 * One entry to append to a shard's log: the host's idempotency key and one
 * logged line (`EventLog.encodeLine`). Appending a key the log already holds
 * writes nothing, so an at-least-once producer may re-send.
 *
 * @category log
 * @since 0.2.0
 */
export interface NewEntry {
  readonly key: string
  readonly line: string
}

/**
 * One entry of a shard's log, at its offset (1, 2, 3, ... without gaps, in the
 * order the appends committed).
 *
 * @category log
 * @since 0.2.0
 */
export interface LogRecord {
  readonly offset: number
  readonly key: string
  readonly line: string
}

/**
 * Ownership of one shard: its number, the fencing epoch this acquisition got
 * (one more than the last one), and `applied`, the offset the shard's commits
 * had reached when it was got (read with the epoch's bump, so no earlier owner
 * can commit past it). `lost` aborts when the store knows the ownership is
 * gone (the connection holding the lock died); a write with an epoch that is
 * no longer the shard's is refused by the store whether or not the owner
 * noticed.
 *
 * @category ownership
 * @since 0.2.0
 */
export interface Lease {
  readonly shard: number
  readonly epoch: number
  readonly applied: number
  readonly lost: AbortSignal
}

/**
 * A stored snapshot, without its text: the offset of the log entry it was
 * taken after, the epoch of its writer, and the SHA-256 digest (hex) of its text.
 *
 * @category state
 * @since 0.2.0
 */
export interface SnapshotInfo {
  readonly offset: number
  readonly epoch: number
  readonly digest: string
}

/**
 * A stored snapshot with its text: `JSON.stringify(Manager.toSnapshot(state))`.
 *
 * @category state
 * @since 0.2.0
 */
export interface StoredSnapshot extends SnapshotInfo {
  readonly body: string
}

/**
 * The messages one log entry produced (`Manager.drain` after reducing it), as
 * JSON text of the array, keyed by that entry's offset: each is stored once
 * per input, however often the entry is replayed.
 *
 * @category state
 * @since 0.2.0
 */
export interface OutboxEntry {
  readonly offset: number
  readonly messages: string
}

/**
 * What an owner commits in one transaction: the offset it has applied up to,
 * the outbox entries of the entries it applied (an entry already stored is
 * kept as it is), a snapshot at that offset when one is due, and `sent`, the
 * offsets of outbox entries it has handed out since its last commit, marked
 * sent in the same transaction (what `markSent` does, without a round trip of
 * its own).
 *
 * @category state
 * @since 0.2.0
 */
export interface Commit {
  readonly offset: number
  readonly outbox: readonly OutboxEntry[]
  readonly snapshot?: Omit<StoredSnapshot, 'epoch'>
  readonly sent?: readonly number[]
}

/**
 * Why a store refused: `StaleOwner` when the lease's epoch is no longer the
 * shard's (another owner took over), `SchemaTooNew` when the database holds a
 * newer schema than this library knows, `Unavailable` for anything else (the
 * connection, the server), `Invalid` for options the store cannot use.
 *
 * @category errors
 * @since 0.2.0
 */
export type StoreError =
  | { readonly type: 'StaleOwner'; readonly shard: number; readonly epoch: number; readonly current: number }
  | { readonly type: 'SchemaTooNew'; readonly found: number; readonly known: number; readonly message: string }
  | { readonly type: 'Unavailable'; readonly message: string }
  | { readonly type: 'Invalid'; readonly message: string }

/**
 * The store of durable shards, implemented on PostgreSQL (`PgStore`) and in
 * memory (`MemoryStore`). No operation throws: failures are a `Left`.
 *
 * - The log: `append` is idempotent by key and returns the offsets of the
 *   entries it wrote; `read` returns the entries after an offset, in order, at
 *   most `limit`; `wait` resolves when entries after `offset` may exist, or
 *   after `timeoutMs`, or on `signal`.
 * - Ownership: `acquire` waits (polling every `pollMs`) until the shard is
 *   free or `signal` aborts (then `Right(undefined)`); the epoch goes up by one
 *   on every acquisition. `release` gives it back.
 * - State: `commit` writes offset, outbox, snapshot and sent marks in one transaction,
 *   refused (`StaleOwner`) for a stale epoch. `snapshots` lists the stored
 *   snapshots, newest first, without their text (which may be large);
 *   `snapshot` reads one. `pending` lists the outbox entries not yet marked
 *   sent; `markSent` marks them (dispatch is at-least-once: an owner that dies
 *   between sending and marking sends again).
 *
 * @category store
 * @since 0.2.0
 */
export interface ShardStore {
  /** Appends entries whose keys the log does not hold; the offsets written, in order. */
  readonly append: (shard: number, entries: readonly NewEntry[]) => Promise<E.Either<StoreError, number[]>>
  /** At most `limit` entries after offset `after`, in order. */
  readonly read: (shard: number, after: number, limit: number) => Promise<E.Either<StoreError, LogRecord[]>>
  /** Resolves when entries after `after` may exist, after `timeoutMs`, or when `signal` aborts. */
  readonly wait: (shard: number, after: number, timeoutMs: number, signal: AbortSignal) => Promise<void>
  /** Waits until it owns the shard (`Right(lease)`, epoch one more than before) or `signal` aborts (`Right(undefined)`). */
  readonly acquire: (
    shard: number,
    options: { readonly signal: AbortSignal; readonly pollMs: number },
  ) => Promise<E.Either<StoreError, Lease | undefined>>
  /** Gives the shard back. */
  readonly release: (lease: Lease) => Promise<void>
  /** Offset, outbox entries and snapshot in one transaction; `StaleOwner` for a stale epoch. */
  readonly commit: (lease: Lease, commit: Commit) => Promise<E.Either<StoreError, void>>
  /** The stored snapshots of the shard, newest first, without their text. */
  readonly snapshots: (shard: number) => Promise<E.Either<StoreError, SnapshotInfo[]>>
  /** The stored snapshot at that offset, with its text (`undefined` when it is gone). */
  readonly snapshot: (shard: number, offset: number) => Promise<E.Either<StoreError, StoredSnapshot | undefined>>
  /** The outbox entries not yet marked sent, in offset order. */
  readonly pending: (shard: number) => Promise<E.Either<StoreError, OutboxEntry[]>>
  /** Marks outbox entries sent. */
  readonly markSent: (shard: number, offsets: readonly number[]) => Promise<E.Either<StoreError, void>>
}

/**
 * The schema version of the tables this library creates and knows.
 *
 * @category store
 * @since 0.2.0
 */
export const SCHEMA_VERSION = 1
