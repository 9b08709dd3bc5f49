// The durable-shard driver on the in-memory store: owners killed at random
// points (mid-batch, mid-commit, or left running as zombies), standbys taking
// over, the same entries appended twice, tampered snapshots. The merged status
// JSON must equal one manager fed the whole log, and the outbox must hold each
// input's messages exactly once.
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { EventLog, Manager, Metrics } from '../src/index'
import { MemoryStore, runShard, type OutboxEntry, type ShardStop, type ShardStore } from '../src/postgres'
import { eventStream, hostileEventStream, type EventStream } from '../src/testing'
import { appendStream, fixedStream, reference } from './durable'
import { runs } from './fixtures'

const NODES = [1, 2, 3, 4, 5]

type Fault = { readonly at: number; readonly mode: 'before' | 'after' | 'zombie' }

/** A store that kills its owner at its `at`-th operation, then calls `onKill`. */
const faulty = (store: MemoryStore.MemoryStore, shard: number, fault: Fault, onKill: () => void): ShardStore => {
  let ops = 0
  let killed = false
  const kill = (): void => {
    if (killed) return
    killed = true
    store.kill(shard)
    onKill()
  }
  const wrap =
    <A extends unknown[], R>(op: (...args: A) => Promise<E.Either<unknown, R>>) =>
    async (...args: A): Promise<E.Either<never, R>> => {
      ops += 1
      if (killed && fault.mode !== 'zombie') return E.left({ type: 'Unavailable', message: 'dead' } as never)
      if (ops === fault.at && fault.mode === 'before') {
        kill()
        return E.left({ type: 'Unavailable', message: 'killed' } as never)
      }
      const result = await op(...args)
      if (ops === fault.at) kill()
      if (ops === fault.at && fault.mode === 'after') return E.left({ type: 'Unavailable', message: 'killed' } as never)
      return result as E.Either<never, R>
    }
  return {
    ...store,
    append: wrap(store.append),
    read: wrap(store.read),
    commit: wrap(store.commit),
    snapshots: wrap(store.snapshots),
    snapshot: wrap(store.snapshot),
    pending: wrap(store.pending),
    markSent: wrap(store.markSent),
  }
}

const lastNow = (stream: EventStream): number => stream.events[stream.events.length - 1]?.now ?? stream.start

/** Runs owners of one shard one after the other, each killed by its fault; the last one runs to the end. */
const runOwners = async (
  store: MemoryStore.MemoryStore,
  shard: number,
  faults: readonly Fault[],
  options: { start: number; batchSize: number; snapshotEvery: number },
  delivered: OutboxEntry[],
): Promise<ShardStop> => {
  const running: Array<Promise<ShardStop>> = []
  const base = {
    ...options,
    // Every snapshotEvery entries exactly, however fast the snapshots are.
    snapshotShare: 1,
    pollMs: 1,
    untilCaughtUp: true,
    onOutbox: (_: number, entries: readonly OutboxEntry[]) => void delivered.push(...entries),
  }
  for (const fault of faults) {
    await new Promise<void>((next) => {
      const owner = runShard(faulty(store, shard, fault, next), shard, {
        ...base,
        signal: new AbortController().signal,
      })
      running.push(owner)
      void owner.then(() => next())
    })
  }
  const last = await runShard(store, shard, { ...base, signal: new AbortController().signal })
  await Promise.all(running)
  return last
}

const faultArb: fc.Arbitrary<Fault> = fc.record({
  at: fc.integer({ min: 1, max: 40 }),
  mode: fc.constantFrom<Fault['mode']>('before', 'after', 'zombie'),
})

describe('durable shards in memory', () => {
  test.prop(
    [
      fc.oneof(eventStream({ maxLength: 80 }), hostileEventStream({ maxLength: 80 })),
      fc.integer({ min: 1, max: 3 }),
      fc.array(fc.array(faultArb, { maxLength: 3 }), { minLength: 3, maxLength: 3 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 8 }),
    ],
    { numRuns: runs(60) },
  )(
    'owners killed at random points: merged status JSON and outbox equal one manager fed the whole log',
    async (stream, k, faults, batchSize, snapshotEvery) => {
      const store = MemoryStore.create()
      await appendStream(store, stream, k)
      const states: Manager.Manager[] = []
      for (let shard = 0; shard < k; shard += 1) {
        const delivered: OutboxEntry[] = []
        const stop = await runOwners(
          store,
          shard,
          faults[shard] ?? [],
          { start: stream.start, batchSize, snapshotEvery },
          delivered,
        )
        expect(stop.type).toBe('Stopped')
        if (stop.type !== 'Stopped') return
        expect(stop.offset).toBe(store.logOf(shard).length)
        states.push(stop.state)
        // Delivered at least once, and every delivery of an input carries the same messages.
        const byOffset = new Map<number, string>()
        for (const entry of delivered) {
          const seen = byOffset.get(entry.offset)
          if (seen !== undefined) expect(entry.messages).toBe(seen)
          byOffset.set(entry.offset, entry.messages)
        }
        expect([...byOffset].sort(([a], [b]) => a - b)).toEqual([...reference(store.logOf(shard), stream.start).outbox])
        expect(await store.pending(shard)).toEqual(E.right([]))
      }
      let single = Manager.create(stream.start)
      for (const { now, event } of stream.events) single = Manager.drain(Manager.reduce(single, event, now), now)[1]
      const now = lastNow(stream)
      const merged = states.map(Manager.metrics).reduce(Metrics.merge)
      expect(Metrics.statusJson(merged, NODES, now)).toEqual(Manager.statusJson(single, NODES, now))
      const running = states.flatMap((s) => Manager.runningExecutions(s).map((x) => x.clusterId)).sort()
      expect(running).toEqual(Manager.runningExecutions(single).map((x) => x.clusterId))
    },
  )
})

describe('durable shards in memory: snapshots', () => {
  const stream = fixedStream(7)

  it('a snapshot that fails its digest is refused: an earlier one and a longer replay give the same state, nothing sent twice', async () => {
    const store = MemoryStore.create()
    await appendStream(store, stream, 1)
    const delivered: OutboxEntry[] = []
    const options = {
      start: stream.start,
      batchSize: 3,
      snapshotEvery: 6,
      snapshotShare: 1,
      untilCaughtUp: true,
      onOutbox: (_: number, entries: readonly OutboxEntry[]) => void delivered.push(...entries),
    }
    const first = await runShard(store, 0, { ...options, signal: new AbortController().signal })
    expect(first.type).toBe('Stopped')
    const stored = await store.snapshots(0)
    const [latest, earlier] = E.isRight(stored) ? stored.right : []
    expect(earlier).toBeDefined()
    if (latest === undefined || earlier === undefined || first.type !== 'Stopped') return
    // A valid snapshot of another state, under the old digest: only the digest can tell.
    store.tamper(0, latest.offset, JSON.stringify(Manager.toSnapshot(Manager.create(stream.start))))
    const warnings: string[] = []
    const sent = delivered.length
    const second = await runShard(store, 0, {
      ...options,
      signal: new AbortController().signal,
      onWarning: (w) => void warnings.push(w),
    })
    expect(warnings).toEqual([
      `shard 0: the snapshot at offset ${latest.offset} fails its digest; trying an earlier one`,
    ])
    expect(second.type === 'Stopped' && JSON.stringify(Manager.toSnapshot(second.state))).toBe(
      JSON.stringify(Manager.toSnapshot(first.state)),
    )
    // The replay from the earlier snapshot re-produces outbox entries already stored and sent: none goes out again.
    expect(delivered.length).toBe(sent)
    // The three newest snapshots are kept.
    const kept = await store.snapshots(0)
    expect(E.isRight(kept) && kept.right.length).toBe(3)
  })

  it('with every snapshot refused, the whole log is replayed: the same state, nothing sent twice', async () => {
    const store = MemoryStore.create()
    await appendStream(store, stream, 1)
    const delivered: OutboxEntry[] = []
    const options = {
      start: stream.start,
      batchSize: 4,
      snapshotEvery: 4,
      snapshotShare: 1,
      untilCaughtUp: true,
      onOutbox: (_: number, entries: readonly OutboxEntry[]) => void delivered.push(...entries),
    }
    const first = await runShard(store, 0, { ...options, signal: new AbortController().signal })
    const sent = delivered.length
    expect(sent).toBeGreaterThan(0)
    const stored = await store.snapshots(0)
    for (const s of E.isRight(stored) ? stored.right : []) store.tamper(0, s.offset, '{"snapshotVersion":1}')
    const warnings: string[] = []
    const second = await runShard(store, 0, {
      ...options,
      signal: new AbortController().signal,
      onWarning: (w) => void warnings.push(w),
    })
    expect(warnings[warnings.length - 1]).toBe('shard 0: no valid snapshot; replaying the whole log')
    expect(second.type === 'Stopped' && first.type === 'Stopped').toBe(true)
    if (second.type !== 'Stopped' || first.type !== 'Stopped') return
    expect(JSON.stringify(Manager.toSnapshot(second.state))).toBe(JSON.stringify(Manager.toSnapshot(first.state)))
    expect(delivered.length).toBe(sent)
  })

  it('a stale owner that wakes up after a takeover cannot commit', async () => {
    const store = MemoryStore.create()
    const signal = new AbortController().signal
    const old = await store.acquire(0, { signal, pollMs: 1 })
    store.kill(0)
    const next = await store.acquire(0, { signal, pollMs: 1 })
    expect(E.isRight(old) && E.isRight(next) && [old.right?.epoch, next.right?.epoch]).toEqual([1, 2])
    if (E.isLeft(old) || old.right === undefined) return
    expect(old.right.lost.aborted).toBe(true)
    const refused = await store.commit(old.right, { offset: 1, outbox: [{ offset: 1, messages: '[]' }] })
    expect(refused).toEqual(E.left({ type: 'StaleOwner', shard: 0, epoch: 1, current: 2 }))
    expect(await store.pending(0)).toEqual(E.right([]))
  })
})

describe('durable shards in memory: the driver', () => {
  const spec = {
    id: 1,
    clusterId: 'scale_job_fw_1x1',
    jobId: 1,
    exeNum: 1,
    jobTypeId: 2,
    nodeId: 3,
    agentId: 'a',
    queued: 0,
    started: 0,
    taskTypes: ['main'],
    jobType: { name: 'j', isSystem: false, isLongRunning: false, timeout: 60_000 },
  } as const
  const lines = [
    EventLog.encodeLine(0, { type: 'Scheduled', executions: [spec] }),
    EventLog.encodeLine(1, { type: 'NextTaskStarted', clusterId: spec.clusterId }),
    EventLog.encodeLine(2, { type: 'TaskLaunched', taskId: `${spec.clusterId}_main` }),
  ]
  const fill = async (store: MemoryStore.MemoryStore): Promise<void> => {
    await store.append(
      0,
      lines.map((line, i) => ({ key: `k${i}`, line })),
    )
  }

  it('with timers, the owner logs TimeoutsChecked and StarvationChecked once due; a replay decides the same', async () => {
    const store = MemoryStore.create()
    await fill(store)
    const later = 10 * 60_000
    const options = { signal: new AbortController().signal, start: 0, untilCaughtUp: true }
    const owner = await runShard(store, 0, { ...options, timers: { clock: () => later } })
    expect(
      store
        .logOf(0)
        .slice(3)
        .map((r) => r.line),
    ).toEqual([
      EventLog.encodeLine(later, { type: 'TimeoutsChecked' }),
      EventLog.encodeLine(later, { type: 'StarvationChecked' }),
    ])
    let expected = Manager.create(0)
    for (const { now, event } of store
      .logOf(0)
      .map((r) => EventLog.decodeLine(r.line))
      .flatMap((e) => (E.isRight(e) ? [e.right] : []))) {
      expected = Manager.drain(Manager.reduce(expected, event, now), now)[1]
    }
    let untimed = Manager.create(0)
    lines.forEach((line, i) => {
      const entry = EventLog.decodeLine(line)
      if (E.isRight(entry)) untimed = Manager.drain(Manager.reduce(untimed, entry.right.event, i), i)[1]
    })
    // The logged checks decided something (the execution timed out).
    expect(JSON.stringify(Manager.toSnapshot(expected))).not.toBe(JSON.stringify(Manager.toSnapshot(untimed)))
    const replay = await runShard(MemoryStore.create(), 0, options)
    expect(replay.type).toBe('Stopped')
    const standby = MemoryStore.create()
    await standby.append(0, [...store.logOf(0)])
    const replayed = await runShard(standby, 0, options)
    for (const stop of [owner, replayed]) {
      expect(stop.type === 'Stopped' && JSON.stringify(Manager.toSnapshot(stop.state))).toBe(
        JSON.stringify(Manager.toSnapshot(expected)),
      )
    }
  })

  it('without timers, nothing is appended: the host logs time-driven events', async () => {
    const store = MemoryStore.create()
    await fill(store)
    await runShard(store, 0, { signal: new AbortController().signal, start: 0, untilCaughtUp: true })
    expect(store.logOf(0).length).toBe(3)
  })

  it('an onOutbox that throws stops the owner as Failed; its entries stay pending and the next owner sends them', async () => {
    const store = MemoryStore.create()
    await fill(store)
    await store.append(0, [
      {
        key: 'hello',
        line: EventLog.encodeLine(3, { type: 'Scheduled', executions: [], messages: [{ type: 'hello' }] }),
      },
    ])
    const options = { signal: new AbortController().signal, start: 0, untilCaughtUp: true }
    const first = await runShard(store, 0, {
      ...options,
      onOutbox: () => {
        throw new Error('broker down')
      },
    })
    expect(first.type === 'Failed' && first.reason).toBe('shard 0: onOutbox threw (broker down)')
    const pending = await store.pending(0)
    expect(E.isRight(pending) && pending.right.length).toBe(1)
    const sent: OutboxEntry[] = []
    await runShard(store, 0, { ...options, onOutbox: (_, entries) => void sent.push(...entries) })
    expect(E.isRight(pending) && sent).toEqual(E.isRight(pending) && pending.right)
    expect(await store.pending(0)).toEqual(E.right([]))
  })

  it('an owner waits for new entries and stops on its signal; a log line that does not decode is skipped with a warning', async () => {
    const store = MemoryStore.create()
    const controller = new AbortController()
    const warnings: string[] = []
    const applied: number[] = []
    const running = runShard(store, 0, {
      signal: controller.signal,
      start: 0,
      pollMs: 600_000,
      onWarning: (w) => void warnings.push(w),
      onApplied: (_, offset) => {
        applied.push(offset)
        if (offset === 4) controller.abort()
      },
    })
    await fill(store)
    await store.append(0, [{ key: 'bad', line: '{"now":3,"event":{"type":"Reboot"}}' }])
    const stop = await running
    expect(stop.type).toBe('Stopped')
    expect(stop.offset).toBe(4)
    expect(applied[applied.length - 1]).toBe(4)
    expect(warnings).toEqual(['shard 0: log entry 4 skipped: event.type: unknown event type "Reboot"'])
  })
})

describe('durable shards in memory: where a new shard starts', () => {
  const line = (now: number): string => EventLog.encodeLine(now, { type: 'NodeLost', nodeId: 1 })

  it('without start, a new shard starts at its first decodable entry, waiting for one: every owner agrees', async () => {
    const store = MemoryStore.create()
    const controller = new AbortController()
    const running = runShard(store, 0, {
      signal: controller.signal,
      onApplied: (_, offset) => (offset === 2 ? controller.abort() : undefined),
    })
    await store.append(0, [{ key: 'bad', line: 'not json' }])
    await store.append(0, [{ key: 'a', line: line(5_000) }])
    const first = await running
    const again = await runShard(store, 0, { signal: new AbortController().signal, untilCaughtUp: true })
    for (const stop of [first, again]) {
      expect(stop.type === 'Stopped' && Manager.metrics(stop.state).now).toBe(5_000)
      expect(stop.type === 'Stopped' && stop.offset).toBe(2)
    }
    let expected = Manager.create(5_000)
    expected = Manager.reduce(expected, { type: 'NodeLost', nodeId: 1 }, 5_000)
    expect(first.type === 'Stopped' && JSON.stringify(Manager.toSnapshot(first.state))).toBe(
      JSON.stringify(Manager.toSnapshot(expected)),
    )
  })

  it('with start, a new shard starts there', async () => {
    const store = MemoryStore.create()
    await store.append(0, [{ key: 'a', line: line(5_000) }])
    const stop = await runShard(store, 0, { signal: new AbortController().signal, start: 1_000, untilCaughtUp: true })
    expect(stop.type === 'Stopped' && JSON.stringify(Manager.toSnapshot(stop.state))).toBe(
      JSON.stringify(Manager.toSnapshot(Manager.reduce(Manager.create(1_000), { type: 'NodeLost', nodeId: 1 }, 5_000))),
    )
  })
})

describe('durable shards in memory: batches', () => {
  const stream = fixedStream(5)

  /** A store that records every commit's offset, snapshot offset and sent marks, and moves `time` on each. */
  const recording = (
    store: MemoryStore.MemoryStore,
    clock: { time: number },
    snapshotMs = 0,
  ): {
    readonly store: ShardStore
    readonly commits: Array<{ offset: number; snapshot: number | undefined }>
  } => {
    const commits: Array<{ offset: number; snapshot: number | undefined }> = []
    return {
      commits,
      store: {
        ...store,
        commit: async (lease, commit) => {
          commits.push({ offset: commit.offset, snapshot: commit.snapshot?.offset })
          clock.time += 1 + (commit.snapshot === undefined ? 0 : snapshotMs)
          return store.commit(lease, commit)
        },
      },
    }
  }

  it('a batch straddling snapshotEvery: the snapshot is taken at the end of the batch that crosses it, and a standby restores from it', async () => {
    const store = MemoryStore.create()
    await appendStream(store, stream, 1)
    const length = store.logOf(0).length
    const clock = { time: 0 }
    const { store: counted, commits } = recording(store, clock)
    const options = { start: stream.start, batchSize: 5, snapshotEvery: 7, snapshotShare: 1, untilCaughtUp: true }
    // The owner dies after its commit at offset 15 (the third batch).
    const killer: ShardStore = {
      ...counted,
      commit: async (lease, commit) => {
        const done = await counted.commit(lease, commit)
        if (commit.offset === 15) store.kill(0)
        return done
      },
    }
    const delivered: OutboxEntry[] = []
    const onOutbox = (_: number, entries: readonly OutboxEntry[]): void => void delivered.push(...entries)
    const first = await runShard(killer, 0, {
      ...options,
      signal: new AbortController().signal,
      clock: () => clock.time,
      onOutbox,
    })
    expect(first.type === 'Lost' || first.type === 'Stopped').toBe(true)
    // 5 and 10 entries since the last one: the second batch crosses 7 and ends at 10; then 15 is 5 more.
    expect(commits.slice(0, 3)).toEqual([
      { offset: 5, snapshot: undefined },
      { offset: 10, snapshot: 10 },
      { offset: 15, snapshot: undefined },
    ])
    const stored = await store.snapshots(0)
    expect(E.isRight(stored) && stored.right.map((s) => s.offset)).toEqual([10])
    const second = await runShard(store, 0, { ...options, signal: new AbortController().signal, onOutbox })
    const expected = reference(store.logOf(0), stream.start)
    expect(second.type === 'Stopped' && second.offset).toBe(length)
    if (second.type !== 'Stopped') return
    expect(JSON.stringify(Manager.toSnapshot(second.state))).toBe(JSON.stringify(Manager.toSnapshot(expected.state)))
    // The first owner's batches were handed out and marked (its last ones when it stopped): none goes out twice.
    expect(new Map(delivered.map((e) => [e.offset, e.messages]))).toEqual(expected.outbox)
    expect(delivered.length).toBe(expected.outbox.size)
  })

  it('a batch cut by a crash after its commit: handed out, not yet marked sent, so the next owner sends it again (at-least-once), stored once', async () => {
    const store = MemoryStore.create()
    await appendStream(store, stream, 1)
    const expected = reference(store.logOf(0), stream.start)
    const firstSent: OutboxEntry[] = []
    const options = { start: stream.start, batchSize: 4, snapshotEvery: 8, snapshotShare: 1, untilCaughtUp: true }
    // The owner dies as soon as it has handed out a non-empty batch: its marks would go with the next commit.
    const first = await runShard(
      {
        ...store,
        // A dead owner writes nothing more: neither a commit nor its marks.
        markSent: () => Promise.resolve(E.left({ type: 'Unavailable' as const, message: 'dead' })),
      },
      0,
      {
        ...options,
        signal: new AbortController().signal,
        onOutbox: (_, entries) => {
          firstSent.push(...entries)
          store.kill(0)
        },
      },
    )
    expect(first.type).toBe('Lost')
    expect(firstSent.length).toBeGreaterThan(0)
    const pending = await store.pending(0)
    expect(E.isRight(pending) && pending.right).toEqual(firstSent)
    const secondSent: OutboxEntry[] = []
    const second = await runShard(store, 0, {
      ...options,
      signal: new AbortController().signal,
      onOutbox: (_, entries) => void secondSent.push(...entries),
    })
    expect(second.type).toBe('Stopped')
    // The cut batch again first, then everything after it, each once.
    expect(secondSent.slice(0, firstSent.length)).toEqual(firstSent)
    expect(new Map(secondSent.map((e) => [e.offset, e.messages]))).toEqual(expected.outbox)
    expect(secondSent.length).toBe(expected.outbox.size)
    expect(await store.pending(0)).toEqual(E.right([]))
  })

  it('a batch cut by a crash before its commit (one that straddles snapshotEvery): nothing of it is stored, the next owner reduces it again', async () => {
    const store = MemoryStore.create()
    await appendStream(store, stream, 1)
    const expected = reference(store.logOf(0), stream.start)
    const options = { start: stream.start, batchSize: 4, snapshotEvery: 6, snapshotShare: 1, untilCaughtUp: true }
    let commits = 0
    const sent: OutboxEntry[] = []
    const onOutbox = (_: number, entries: readonly OutboxEntry[]): void => void sent.push(...entries)
    const first = await runShard(
      {
        ...store,
        commit: (lease, commit) => {
          commits += 1
          if (commits < 3) return store.commit(lease, commit)
          store.kill(0)
          return Promise.resolve(E.left({ type: 'Unavailable' as const, message: 'killed' }))
        },
      },
      0,
      { ...options, signal: new AbortController().signal, onOutbox },
    )
    expect(first.type === 'Failed' && first.offset).toBe(8)
    const stored = await store.snapshots(0)
    expect(E.isRight(stored) && stored.right.map((x) => x.offset)).toEqual([8])
    const second = await runShard(store, 0, { ...options, signal: new AbortController().signal, onOutbox })
    expect(second.type === 'Stopped' && JSON.stringify(Manager.toSnapshot(second.state))).toBe(
      JSON.stringify(Manager.toSnapshot(expected.state)),
    )
    expect(new Map(sent.map((e) => [e.offset, e.messages]))).toEqual(expected.outbox)
    expect(sent.length).toBe(expected.outbox.size)
  })

  it('the sent marks of a batch go with the next commit, and the last ones when the owner stops', async () => {
    const store = MemoryStore.create()
    await appendStream(store, stream, 1)
    const steps: Array<readonly ['commit' | 'handed', readonly number[]]> = []
    const stop = await runShard(
      {
        ...store,
        commit: (lease, commit) => {
          steps.push(['commit', commit.sent ?? []])
          return store.commit(lease, commit)
        },
      },
      0,
      {
        start: stream.start,
        batchSize: 4,
        snapshotEvery: 8,
        untilCaughtUp: true,
        signal: new AbortController().signal,
        onOutbox: (_, entries) => void steps.push(['handed', entries.map((e) => e.offset)]),
      },
    )
    expect(stop.type).toBe('Stopped')
    let unmarked: number[] = []
    for (const [kind, offsets] of steps) {
      if (kind === 'handed') unmarked.push(...offsets)
      else {
        expect(offsets).toEqual(unmarked)
        unmarked = []
      }
    }
    expect(steps.filter(([kind]) => kind === 'handed').length).toBeGreaterThan(1)
    // The last handed out are marked when the owner stops.
    expect(await store.pending(0)).toEqual(E.right([]))
  })

  it('snapshotShare: a snapshot that took S ms of the clock is followed by the next one S / snapshotShare ms later at the earliest', async () => {
    const store = MemoryStore.create()
    const many = Array.from({ length: 80 }, (_, i) => ({
      key: `t${i}`,
      line: EventLog.encodeLine(stream.start + i, { type: 'TimeoutsChecked' }),
    }))
    await store.append(0, many)
    const clock = { time: 0 }
    // Each commit takes 1 ms of the clock, one with a snapshot 10 ms more.
    const { store: slow, commits } = recording(store, clock, 10)
    const stop = await runShard(slow, 0, {
      start: stream.start,
      batchSize: 1,
      snapshotEvery: 1,
      snapshotShare: 0.5,
      untilCaughtUp: true,
      signal: new AbortController().signal,
      clock: () => clock.time,
    })
    expect(stop.type).toBe('Stopped')
    const snapshots = commits.flatMap((c) => (c.snapshot === undefined ? [] : [c.snapshot]))
    // The first is due at once; each took 11 ms (its commit), so the next waits 22 ms: 22 batches of 1 ms, then one more.
    expect(snapshots).toEqual([1, 24, 47, 70])
    const all = MemoryStore.create()
    await all.append(0, many)
    const every = recording(all, { time: 0 }, 10)
    await runShard(every.store, 0, {
      start: stream.start,
      batchSize: 1,
      snapshotEvery: 1,
      snapshotShare: 1,
      untilCaughtUp: true,
      signal: new AbortController().signal,
      clock: () => 0,
    })
    expect(every.commits.every((c) => c.snapshot === c.offset)).toBe(true)
    const refused = await runShard(all, 0, { signal: new AbortController().signal, snapshotShare: 0 })
    expect(refused.type === 'Failed' && refused.reason).toBe('snapshotShare 0 is not in (0, 1]')
    // Refused before it takes the shard: the epoch is not bumped.
    expect(all.epochOf(0)).toBe(1)
    expect(await all.acquire(0, { signal: AbortSignal.timeout(50), pollMs: 5 })).toEqual(
      E.right(expect.objectContaining({ epoch: 2, applied: 80 }) as unknown),
    )
  })
})
