// The driver of one durable shard: acquire, restore, replay, reduce, commit,
// hand out the outbox, stop on loss of ownership.
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as EventLog from '../eventLog'
import type { Instant } from '../ids'
import * as Manager from '../manager'
import type { Settings } from '../settings'
import { sha256Hex } from '../internal/digest'
import { anySignal } from '../internal/signals'
import type { Lease, LogRecord, OutboxEntry, ShardStore, StoreError } from './store'

/**
 * How {@link runShard} runs a shard.
 *
 * @category driver
 * @since 0.2.0
 */
export interface ShardOptions {
  /** Stops the driver (it releases the shard and returns `Stopped`). */
  readonly signal: AbortSignal
  /**
   * The instant a new shard's manager starts at (when no snapshot is stored).
   * Every owner of a shard must use the same one, or a replay would differ:
   * leave it out to start at the instant of the shard's first log entry (the
   * driver then waits for one).
   */
  readonly start?: Instant
  /** Settings of a new shard's manager. */
  readonly settings?: Partial<Settings>
  /**
   * Entries read, reduced and committed together, at most (default 2,000): one
   * transaction per batch, so its fixed costs are shared by up to this many
   * entries; a batch is what the log holds, so a shard that keeps up commits
   * smaller ones.
   */
  readonly batchSize?: number
  /** A snapshot after this many entries since the last one (default 1,000)... */
  readonly snapshotEvery?: number
  /** ...or after this many milliseconds of `clock` (default 5,000)... */
  readonly snapshotAfterMs?: number
  /**
   * ...but no sooner than this share of the driver's time allows (default 0.1):
   * a snapshot that took S ms (encoding, digest, commit) is followed by the next
   * one at least S / snapshotShare ms of `clock` later. A snapshot costs what
   * the shard holds, not what the batch did, so a large shard snapshots less
   * often instead of spending most of its time on snapshots; a takeover then
   * replays at most about S / snapshotShare ms of entries. 1 turns it off.
   */
  readonly snapshotShare?: number
  /** The bound of a wait for the lock or for new entries, in ms (default 200). */
  readonly pollMs?: number
  /** Receives the committed outbox entries not yet marked sent; they are marked sent when it returns. */
  readonly onOutbox?: (shard: number, entries: readonly OutboxEntry[]) => void | Promise<void>
  /** Called after each committed batch with the state and the offset it covers. */
  readonly onApplied?: (state: Manager.Manager, offset: number) => void
  /** Called for every refused snapshot and skipped log line, with the reason. */
  readonly onWarning?: (message: string) => void
  /** Return `Stopped` as soon as the log holds nothing after the applied offset. */
  readonly untilCaughtUp?: boolean
  /**
   * Append `TimeoutsChecked` and `StarvationChecked` to the log when the
   * manager's next deadline has passed on this clock (at most once per
   * `everyMs`, default 1,000), so that a replay decides what the owner did.
   */
  readonly timers?: {
    /** The instant now, for the deadlines and the appended events. */
    readonly clock: () => Instant
    /** At most one pair of appended events per this many ms (default 1,000). */
    readonly everyMs?: number
  }
  /** The wall clock of `snapshotAfterMs` (default `Date.now`). */
  readonly clock?: () => number
}

/**
 * Why {@link runShard} returned, with the state and offset it reached:
 * `Stopped` (the signal, or caught up with `untilCaughtUp`), `Lost` (another
 * owner took over; nothing of this owner's after that was written), `Failed`
 * (the store failed, the host's callback threw, or no snapshot nor the log
 * could restore the shard).
 *
 * @category driver
 * @since 0.2.0
 */
export type ShardStop =
  | { readonly type: 'Stopped'; readonly offset: number; readonly state: Manager.Manager }
  | { readonly type: 'Lost'; readonly offset: number; readonly state: Manager.Manager | undefined }
  | {
      readonly type: 'Failed'
      readonly reason: string
      readonly offset: number
      readonly state: Manager.Manager | undefined
    }

const describe = (error: StoreError): string =>
  error.type === 'StaleOwner'
    ? `shard ${error.shard}: epoch ${error.epoch} is stale (now ${error.current})`
    : error.message

const parseJson = (text: string): E.Either<string, unknown> => {
  try {
    return E.right(JSON.parse(text) as unknown)
  } catch (error) {
    return E.left(`not JSON (${error instanceof Error ? error.message : 'unreadable'})`)
  }
}

/**
 * The restored state of a shard from its stored snapshots, newest first: a
 * snapshot whose digest does not match its text, or that `Manager.fromSnapshot`
 * refuses, is skipped (with a warning) for the next older one; with none left,
 * the shard starts anew at offset 0 (at `start`, else at its first entry's
 * instant) and replays its whole log.
 */
const restore = async (
  store: ShardStore,
  shard: number,
  options: ShardOptions,
  signal: AbortSignal,
): Promise<E.Either<string, { readonly state: Manager.Manager; readonly offset: number }>> => {
  const stored = await store.snapshots(shard)
  if (E.isLeft(stored)) return E.left(describe(stored.left))
  for (const info of stored.right) {
    const where = `shard ${shard}: the snapshot at offset ${info.offset}`
    // One text at a time: a snapshot of 100,000 executions is large.
    const read = await store.snapshot(shard, info.offset)
    if (E.isLeft(read)) return E.left(describe(read.left))
    const snapshot = read.right
    if (snapshot === undefined) continue
    if (sha256Hex(snapshot.body) !== snapshot.digest) {
      options.onWarning?.(`${where} fails its digest; trying an earlier one`)
      continue
    }
    const parsed = parseJson(snapshot.body)
    const state = E.isLeft(parsed) ? parsed : E.mapLeft((e: Error) => e.message)(Manager.fromSnapshot(parsed.right))
    if (E.isLeft(state)) {
      options.onWarning?.(`${where} is refused (${state.left}); trying an earlier one`)
      continue
    }
    return E.right({ state: state.right, offset: snapshot.offset })
  }
  if (stored.right.length > 0) options.onWarning?.(`shard ${shard}: no valid snapshot; replaying the whole log`)
  const start = options.start === undefined ? await firstInstant(store, shard, options, signal) : E.right(options.start)
  return E.isLeft(start) ? start : E.right({ state: Manager.create(start.right ?? 0, options.settings), offset: 0 })
}

/**
 * The instant of the shard's first log entry that decodes, waiting for one;
 * `Right(undefined)` when the log is empty and the driver stops (its signal,
 * or `untilCaughtUp`).
 */
const firstInstant = async (
  store: ShardStore,
  shard: number,
  options: ShardOptions,
  signal: AbortSignal,
): Promise<E.Either<string, Instant | undefined>> => {
  let after = 0
  for (;;) {
    const read = await store.read(shard, after, 100)
    if (E.isLeft(read)) return E.left(describe(read.left))
    for (const record of read.right) {
      const entry = EventLog.decodeLine(record.line)
      if (E.isRight(entry)) return E.right(entry.right.now)
      after = record.offset
    }
    if (read.right.length > 0) continue
    if (signal.aborted || options.untilCaughtUp === true) return E.right(undefined)
    await store.wait(shard, after, options.pollMs ?? 200, signal)
  }
}

/**
 * Runs one shard on a store: waits until it owns the shard (a standby simply
 * calls it too), restores the newest valid snapshot, replays the log after
 * it, then reduces new entries in batches. Each batch is committed with its
 * outbox entries (the messages `Manager.drain` gives after each entry, keyed
 * by the entry's offset) in one transaction, with a snapshot every
 * `snapshotEvery` entries or `snapshotAfterMs`; committed outbox entries go to
 * `onOutbox` and are then marked sent (at-least-once). A log line that does
 * not decode is skipped, the same way on every replay. Never throws.
 *
 * @example
 * import { MemoryStore, runShard } from 'job-execution-core/postgres'
 * const store = MemoryStore.create()
 * const stop = await runShard(store, 0, {
 *   signal: new AbortController().signal,
 *   start: 0,
 *   untilCaughtUp: true,
 *   onOutbox: (shard, entries) => console.log(shard, entries),
 * })
 * stop.type // 'Stopped'
 *
 * @category driver
 * @since 0.2.0
 */
export const runShard = async (store: ShardStore, shard: number, options: ShardOptions): Promise<ShardStop> => {
  const batchSize = options.batchSize ?? 2_000
  const snapshotEvery = options.snapshotEvery ?? 1_000
  const snapshotAfterMs = options.snapshotAfterMs ?? 5_000
  const snapshotShare = options.snapshotShare ?? 0.1
  const pollMs = options.pollMs ?? 200
  const clock = options.clock ?? Date.now
  if (!(snapshotShare > 0 && snapshotShare <= 1)) {
    return { type: 'Failed', reason: `snapshotShare ${snapshotShare} is not in (0, 1]`, offset: 0, state: undefined }
  }
  const acquired = await store.acquire(shard, { signal: options.signal, pollMs })
  if (E.isLeft(acquired)) return { type: 'Failed', reason: describe(acquired.left), offset: 0, state: undefined }
  const lease = acquired.right
  if (lease === undefined) return { type: 'Lost', offset: 0, state: undefined }
  const stop = anySignal([options.signal, lease.lost])
  const sent: number[] = []
  try {
    const tuning = { batchSize, snapshotEvery, snapshotAfterMs, snapshotShare, pollMs, clock }
    return await own(store, lease, options, stop.signal, tuning, sent)
  } finally {
    stop.dispose()
    // Handed out since the last commit: marked now, or sent again by the next owner.
    if (sent.length > 0) await store.markSent(lease.shard, sent)
    await store.release(lease)
  }
}

const own = async (
  store: ShardStore,
  lease: Lease,
  options: ShardOptions,
  stop: AbortSignal,
  tuning: {
    readonly batchSize: number
    readonly snapshotEvery: number
    readonly snapshotAfterMs: number
    readonly snapshotShare: number
    readonly pollMs: number
    readonly clock: () => number
  },
  // Offsets handed to onOutbox and not yet marked sent: the next commit marks them.
  sent: number[],
): Promise<ShardStop> => {
  const { shard } = lease
  const restored = await restore(store, shard, options, stop)
  if (E.isLeft(restored)) return { type: 'Failed', reason: restored.left, offset: 0, state: undefined }
  let { state, offset } = restored.right
  const ended = (): ShardStop =>
    lease.lost.aborted ? { type: 'Lost', offset, state } : { type: 'Stopped', offset, state }
  const failed = (error: StoreError): ShardStop =>
    error.type === 'StaleOwner'
      ? { type: 'Lost', offset, state }
      : { type: 'Failed', reason: describe(error), offset, state }
  const handOut = async (entries: readonly OutboxEntry[]): Promise<ShardStop | undefined> => {
    if (entries.length === 0) return undefined
    try {
      await options.onOutbox?.(shard, entries)
    } catch (error) {
      const reason = `shard ${shard}: onOutbox threw (${error instanceof Error ? error.message : 'unknown'})`
      return { type: 'Failed', reason, offset, state }
    }
    for (const entry of entries) sent.push(entry.offset)
    return undefined
  }
  // What earlier owners committed and did not mark sent, once: past it, the
  // store holds no outbox entry but the ones this owner commits.
  const pending = await store.pending(shard)
  if (E.isLeft(pending)) return failed(pending.left)
  const first = await handOut(pending.right)
  if (first !== undefined) return first
  const flush = async (): Promise<ShardStop | undefined> => {
    if (sent.length === 0) return undefined
    const marked = await store.markSent(shard, sent)
    if (E.isLeft(marked)) return failed(marked.left)
    sent.length = 0
    return undefined
  }
  const flushed = await flush()
  if (flushed !== undefined) return flushed
  let sinceSnapshot = 0
  let snapshotAt = tuning.clock()
  let snapshotCost = 0
  let tickAt = Number.NEGATIVE_INFINITY
  // The next batch is read while this one is reduced and committed: the log
  // after an offset does not depend on this owner's commits.
  let ahead: Promise<E.Either<StoreError, LogRecord[]>> | undefined
  while (!stop.aborted) {
    if (options.timers !== undefined) {
      const now = options.timers.clock()
      const due = Manager.nextDeadline(state)
      if (O.isSome(due) && due.value <= now && now - tickAt >= (options.timers.everyMs ?? 1_000)) {
        tickAt = now
        const key = `timers:${shard}:${lease.epoch}:${now}`
        const appended = await store.append(shard, [
          { key: `${key}:timeouts`, line: EventLog.encodeLine(now, { type: 'TimeoutsChecked' }) },
          { key: `${key}:starvation`, line: EventLog.encodeLine(now, { type: 'StarvationChecked' }) },
        ])
        if (E.isLeft(appended)) return failed(appended.left)
        // A read ahead from before these entries: read again.
        if (appended.right.length > 0) ahead = undefined
      }
    }
    const read = await (ahead ?? store.read(shard, offset, tuning.batchSize))
    ahead = undefined
    if (E.isLeft(read)) return failed(read.left)
    if (read.right.length === 0) {
      if (options.untilCaughtUp === true) return { type: 'Stopped', offset, state }
      // Idle: mark what was handed out now rather than at the next commit.
      const idle = await flush()
      if (idle !== undefined) return idle
      await store.wait(shard, offset, tuning.pollMs, stop)
      continue
    }
    const reached = read.right[read.right.length - 1]?.offset ?? offset
    if (read.right.length === tuning.batchSize) {
      ahead = store.read(shard, reached, tuning.batchSize)
      // Left behind when this batch fails: not an unhandled rejection of a store that throws.
      ahead.catch(() => undefined)
    }
    let next = state
    const outbox: OutboxEntry[] = []
    for (const record of read.right) {
      const entry = EventLog.decodeLine(record.line)
      if (E.isLeft(entry)) {
        options.onWarning?.(`shard ${shard}: log entry ${record.offset} skipped: ${entry.left}`)
        continue
      }
      const [messages, drained] = Manager.drain(
        Manager.reduce(next, entry.right.event, entry.right.now),
        entry.right.now,
      )
      next = drained
      if (messages.length > 0) outbox.push({ offset: record.offset, messages: JSON.stringify(messages) })
    }
    sinceSnapshot += read.right.length
    const startedAt = tuning.clock()
    const elapsed = startedAt - snapshotAt
    const due =
      (sinceSnapshot >= tuning.snapshotEvery || elapsed >= tuning.snapshotAfterMs) &&
      (tuning.snapshotShare >= 1 || elapsed >= snapshotCost / tuning.snapshotShare)
    const body = due ? JSON.stringify(Manager.toSnapshot(next)) : undefined
    const marks = sent.splice(0)
    const committed = await store.commit(lease, {
      offset: reached,
      outbox,
      ...(body === undefined ? {} : { snapshot: { offset: reached, body, digest: sha256Hex(body) } }),
      ...(marks.length === 0 ? {} : { sent: marks }),
    })
    if (E.isLeft(committed)) {
      sent.unshift(...marks)
      return failed(committed.left)
    }
    state = next
    offset = reached
    if (body !== undefined) {
      sinceSnapshot = 0
      snapshotAt = tuning.clock()
      snapshotCost = snapshotAt - startedAt
    }
    // Entries up to lease.applied were stored by an earlier owner, and sent
    // (the pending ones above) or marked sent: only the rest are new.
    const delivered = await handOut(outbox.filter((entry) => entry.offset > lease.applied))
    if (delivered !== undefined) return delivered
    options.onApplied?.(state, offset)
  }
  return ended()
}

/**
 * Routes one logged line to the shards that must see it (`Manager.route` of
 * its decoded event), as lines to append to each shard's log; a line that does
 * not decode is a `Left` with the reason.
 *
 * @example
 * import { routeLine } from 'job-execution-core/postgres'
 * routeLine('{"now":1,"event":{"type":"NodeLost","nodeId":3}}', 2)
 * // E.right([[0, '{"now":1,"event":{"type":"NodeLost","nodeId":3}}'], [1, '{"now":1,...}']])
 *
 * @category routing
 * @since 0.2.0
 */
export const routeLine = (line: string, k: number): E.Either<string, Array<readonly [number, string]>> => {
  const entry = EventLog.decodeLine(line)
  if (E.isLeft(entry)) return entry
  return E.right(
    Manager.route(entry.right.event, k).map(
      ([shard, event]) => [shard, EventLog.encodeLine(entry.right.now, event)] as const,
    ),
  )
}
