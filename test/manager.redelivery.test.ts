// Delivery is at least once: an execution that finished does not run or count
// again when one of its events comes again, while its end is in the metrics
// window; what the manager remembers for this is bounded and in snapshots.
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { Execution, Manager, Metrics } from '../src/index'
import { checkInvariants, eventStream, type TimedEvent } from '../src/testing'
import { toInternal } from '../src/internal/managerState'
import { endRecord, executionSpec, jobType } from './fixtures'

const NODES = [1, 2, 3, 4]
const T0 = Date.UTC(2026, 0, 1)
const MINUTE = 60_000

// The events a host may get again from its engine (not the ones it makes itself: ticks, starts, losses, syncs).
const REDELIVERABLE = new Set([
  'Scheduled',
  'TaskLaunched',
  'TaskUpdated',
  'TaskTimedOut',
  'CanceledOffQueue',
  'HistoryLoaded',
])

type Step = { readonly timed: TimedEvent; readonly original: boolean }

const observeAll = (start: number, steps: readonly Step[]): string[] => {
  const log: string[] = []
  let state = Manager.create(start)
  let pending: unknown[] = []
  for (const { timed, original } of steps) {
    state = Manager.reduce(state, timed.event, timed.now)
    const [messages, drained] = Manager.drain(state, timed.now)
    state = drained
    pending = [...pending, ...messages]
    if (!original) continue
    log.push(JSON.stringify({ messages: pending, status: Manager.statusJson(state, NODES, timed.now) }))
    pending = []
  }
  expect(checkInvariants(state)).toEqual([])
  log.push(JSON.stringify({ messages: pending, running: Manager.runningExecutions(state).map((x) => x.clusterId) }))
  return log
}

describe('redelivered events', () => {
  test.prop([eventStream({ maxLength: 80 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 12 })])(
    'change neither the drained messages nor the status JSON, while within the window',
    (stream, picks) => {
      const events = stream.events
      // Only what took effect when it came first is delivered again: an event
      // that changed nothing then (an update before its task started) is new news later.
      const tookEffect: boolean[] = []
      let state = Manager.create(stream.start)
      for (const { now, event } of events) {
        const next = Manager.reduce(state, event, now)
        tookEffect.push(next !== state)
        state = next
      }
      const inserted = new Map<number, TimedEvent[]>()
      for (const [a, b] of picks) {
        if (events.length === 0) break
        const from = a % events.length
        const original = events[from]
        if (original === undefined || !REDELIVERABLE.has(original.event.type) || tookEffect[from] !== true) continue
        // Again before event `to` (or after the last), at its instant.
        const to = from + 1 + (b % (events.length - from))
        const now = events[to]?.now ?? events[events.length - 1]?.now ?? stream.start
        if (now - original.now > Metrics.WINDOW_LENGTH) continue
        // The host's own messages are its own: they pass every time, so they are not sent again here.
        const event =
          original.event.type === 'Scheduled'
            ? { type: 'Scheduled' as const, executions: original.event.executions }
            : original.event
        inserted.set(to, [...(inserted.get(to) ?? []), { now, event }])
      }
      const plain = events.map((timed) => ({ timed, original: true }))
      const again: Step[] = []
      events.forEach((timed, i) => {
        for (const extra of inserted.get(i) ?? []) again.push({ timed: extra, original: false })
        again.push({ timed, original: true })
      })
      for (const extra of inserted.get(events.length) ?? []) again.push({ timed: extra, original: false })
      expect(observeAll(stream.start, again)).toEqual(observeAll(stream.start, plain))
    },
  )
})

const spec = (n: number, taskTypes: Execution.ExecutionSpec['taskTypes'] = ['main']): Execution.ExecutionSpec =>
  executionSpec(n, { agentId: 'a', taskTypes, jobType: jobType(60 * MINUTE, 'j') })

// Schedules, runs and completes execution `n` at `now`.
const completed = (state: Manager.Manager, n: number, now: number): Manager.Manager => {
  let next = Manager.reduce(state, { type: 'Scheduled', executions: [spec(n)] }, now)
  next = Manager.reduce(next, { type: 'NextTaskStarted', clusterId: `scale_job_fw_${n}x1` }, now)
  next = Manager.reduce(next, { type: 'TaskLaunched', taskId: `scale_job_fw_${n}x1_main` }, now)
  const update = { taskId: `scale_job_fw_${n}x1_main`, status: 'FINISHED' as const, timestamp: now, exitCode: 0 }
  return Manager.reduce(next, { type: 'TaskUpdated', update }, now)
}

const completedCount = (state: Manager.Manager, now: number): number =>
  Manager.statusJson(state, [1], now)[0]?.job_executions.completed.total ?? -1

describe('an execution that finished', () => {
  it('is not scheduled again within the window: the very same state, one end record, counted once', () => {
    const [messages, state] = Manager.drain(completed(Manager.create(T0), 1, T0), T0)
    expect(Manager.endRecordsOf(messages)).toHaveLength(1)
    const later = T0 + 2 * 60 * MINUTE
    const again = Manager.reduce(state, { type: 'Scheduled', executions: [spec(1)] }, later)
    expect(again).toBe(state)
    expect(Manager.runningCount(again)).toBe(0)
    expect(completedCount(again, later)).toBe(1)
  })

  it('is forgotten once its block has left the window, and may then run again', () => {
    let state = completed(Manager.create(T0), 1, T0)
    // The window moves when another execution finishes 3 h 10 min later.
    const later = T0 + 190 * MINUTE
    state = completed(state, 2, later)
    expect(toInternal(state).remembered.byId.size).toBe(1)
    state = Manager.reduce(state, { type: 'Scheduled', executions: [spec(1)] }, later)
    expect(Manager.runningCount(state)).toBe(1)
    expect(checkInvariants(state)).toEqual([])
  })

  it('is still remembered after a snapshot and a restore', () => {
    const [, state] = Manager.drain(completed(Manager.create(T0), 1, T0), T0)
    const restored = Manager.fromSnapshot(JSON.parse(JSON.stringify(Manager.toSnapshot(state))))
    if (E.isLeft(restored)) throw new Error(restored.left.message)
    const again = Manager.reduce(restored.right, { type: 'Scheduled', executions: [spec(1)] }, T0 + MINUTE)
    expect(Manager.runningCount(again)).toBe(0)
    expect(Manager.toSnapshot(restored.right).remembered).toEqual([{ start: T0, clusterIds: ['scale_job_fw_1x1'] }])
  })

  it('also when it was scheduled already finished (canceled before it started)', () => {
    const canceled = Execution.reduce(Execution.create(spec(1, ['main'])), { type: 'Canceled' }, T0)
    expect(Execution.isFinished(canceled)).toBe(true)
    let state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [canceled] }, T0)
    const [messages, drained] = Manager.drain(state, T0)
    expect(Manager.endRecordsOf(messages)).toHaveLength(1)
    state = Manager.reduce(drained, { type: 'Scheduled', executions: [canceled] }, T0)
    expect(state).toBe(drained)
    state = Manager.reduce(drained, { type: 'Scheduled', executions: [spec(1, ['main'])] }, T0)
    expect(state).toBe(drained)
  })
})

describe('records delivered twice', () => {
  const record = (n: number, finished: number): Execution.EndRecord =>
    endRecord(n, { status: 'COMPLETED', queued: finished, started: finished, finished })

  it('HistoryLoaded counts a record with a cluster id once, and not one of an execution that finished here', () => {
    let state = completed(Manager.create(T0), 1, T0)
    const history = { type: 'HistoryLoaded' as const, records: [record(1, T0), record(2, T0)] }
    state = Manager.reduce(state, history, T0 + MINUTE)
    const once = state
    expect(Manager.reduce(state, history, T0 + MINUTE)).toBe(once)
    state = Manager.reduce(state, history, T0 + 2 * MINUTE)
    expect(completedCount(state, T0 + 2 * MINUTE)).toBe(2)
  })

  it('HistoryLoaded counts records without a cluster id each time (nothing tells them apart)', () => {
    const anonymous = {
      type: 'HistoryLoaded' as const,
      records: [{ nodeId: 1, jobTypeId: 1, status: 'COMPLETED', finished: T0 }],
    }
    let state = Manager.reduce(Manager.create(T0), anonymous, T0)
    state = Manager.reduce(state, anonymous, T0)
    expect(completedCount(state, T0)).toBe(2)
  })

  it('CanceledOffQueue sends a record once', () => {
    const canceled = { type: 'CanceledOffQueue' as const, records: [{ ...record(3, T0), status: 'CANCELED' as const }] }
    let state = Manager.reduce(Manager.create(T0), canceled, T0)
    state = Manager.reduce(state, canceled, T0 + MINUTE)
    expect(Manager.endRecordsOf(Manager.drain(state, T0)[0])).toHaveLength(1)
    const [, drained] = Manager.drain(state, T0)
    expect(Manager.reduce(drained, canceled, T0 + MINUTE)).toBe(drained)
  })
})

describe('an execution id already running', () => {
  it('is not scheduled a second time under another cluster id', () => {
    const state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [spec(1)] }, T0)
    const twin = { ...spec(2), id: 1 }
    expect(Manager.reduce(state, { type: 'Scheduled', executions: [twin] }, T0)).toBe(state)
  })
})

describe('what is remembered', () => {
  it('is forgotten block by block as the window moves, so it stays bounded', () => {
    let state = Manager.create(T0)
    for (let i = 0; i < 60; i++) state = completed(state, i + 1, T0 + i * 10 * MINUTE)
    // 10 minutes apart, over 10 hours: only those of the last 3 h 5 min or so are left.
    expect(toInternal(state).remembered.byId.size).toBeLessThanOrEqual(20)
    expect(toInternal(state).remembered.byId.size).toBeGreaterThanOrEqual(18)
    expect(toInternal(state).remembered.groups.length).toBe(toInternal(state).remembered.byId.size)
    expect(checkInvariants(state)).toEqual([])
  })
})

// What the host says ended elsewhere (history, ends of executions canceled off
// the queue) is remembered by cluster id like what ended here: in a block of
// the window at or after its end, so that it neither counts twice nor runs.
describe('records from the host, remembered', () => {
  const HOUR = 60 * MINUTE
  // An unchecked value: what a JavaScript host may pass.
  const hostile = <T>(value: unknown): T => value as T
  const rememberedOf = (state: Manager.Manager): Manager.Snapshot['remembered'] => Manager.toSnapshot(state).remembered
  const scheduledAgain = (state: Manager.Manager, n: number, now: number): number =>
    Manager.runningCount(Manager.reduce(state, { type: 'Scheduled', executions: [spec(n)] }, now))
  const history = (records: readonly Metrics.Counted[]): Manager.ManagerEvent => ({ type: 'HistoryLoaded', records })
  const canceledOffQueue = (records: readonly Execution.EndRecord[]): Manager.ManagerEvent => ({
    type: 'CanceledOffQueue',
    records,
  })

  for (const [name, event] of [
    ['HistoryLoaded', history],
    ['CanceledOffQueue', canceledOffQueue],
  ] as const) {
    it(`${name}: an end from before the window is remembered in the window, and its execution does not run`, () => {
      const now = T0 + 5 * HOUR
      const state = Manager.reduce(Manager.create(now), event([endRecord(1)]), now)
      expect(rememberedOf(state)).toEqual([{ start: now, clusterIds: ['scale_job_fw_1x1'] }])
      expect(checkInvariants(state)).toEqual([])
      expect(scheduledAgain(state, 1, now + MINUTE)).toBe(0)
    })

    it(`${name}: an end without its instant is remembered from now`, () => {
      const now = T0 + 7 * MINUTE
      const state = Manager.reduce(Manager.create(T0), event([endRecord(1, { finished: undefined })]), now)
      expect(rememberedOf(state)).toEqual([{ start: Metrics.blockStart(now), clusterIds: ['scale_job_fw_1x1'] }])
      expect(checkInvariants(state)).toEqual([])
      expect(scheduledAgain(state, 1, now)).toBe(0)
    })

    it(`${name}: the end of an execution running here is not remembered while it runs`, () => {
      const state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [spec(1)] }, T0)
      const after = Manager.reduce(state, event([endRecord(1)]), T0 + MINUTE)
      expect(rememberedOf(after)).toEqual([])
      expect(checkInvariants(after)).toEqual([])
      expect(Manager.runningCount(after)).toBe(1)
    })
  }

  it('HistoryLoaded: an end after the manager clock (a host clock ahead) is remembered while it counts', () => {
    const ahead = T0 + HOUR
    let state = Manager.reduce(
      Manager.create(T0),
      history([endRecord(1, { status: 'COMPLETED', finished: ahead })]),
      T0,
    )
    expect(rememberedOf(state)).toEqual([{ start: ahead, clusterIds: ['scale_job_fw_1x1'] }])
    // 3 h 10 min on, the block of T0 has left the window, that of the end has not.
    const later = T0 + 3 * HOUR + 10 * MINUTE
    state = completed(state, 2, later)
    expect(completedCount(state, later)).toBe(2)
    state = Manager.reduce(state, history([endRecord(1, { status: 'COMPLETED', finished: ahead })]), later)
    expect(completedCount(state, later)).toBe(2)
  })

  it('HistoryLoaded: a record whose clusterId is not a string counts as one without a cluster id, each time', () => {
    const odd = hostile<Metrics.Counted>({ nodeId: 1, jobTypeId: 1, status: 'COMPLETED', finished: T0, clusterId: 7 })
    const none = hostile<Metrics.Counted>({
      nodeId: 1,
      jobTypeId: 1,
      status: 'COMPLETED',
      finished: T0,
      clusterId: null,
    })
    let state = Manager.reduce(Manager.create(T0), history([odd, none]), T0)
    state = Manager.reduce(state, history([odd, none]), T0)
    expect(completedCount(state, T0)).toBe(4)
    expect(rememberedOf(state)).toEqual([])
    expect(checkInvariants(state)).toEqual([])
  })
})

describe('an execution that finished after the manager clock went back', () => {
  it('is remembered until the block of its end leaves the window, as long as its end counts', () => {
    const HOUR = 60 * MINUTE
    const id = 'scale_job_fw_1x1'
    let state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [spec(1)] }, T0)
    state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: id }, T0)
    state = Manager.reduce(state, { type: 'TaskLaunched', taskId: `${id}_main` }, T0)
    // Canceled at T0 + 1 h: its end is then; the kill is confirmed at a clock gone back to T0 + 1 min.
    state = Manager.reduce(state, { type: 'JobsSynced', jobs: { 1: { status: 'CANCELED', numExes: 1 } } }, T0 + HOUR)
    const update = { taskId: `${id}_main`, status: 'KILLED' as const, timestamp: T0 + MINUTE }
    state = Manager.reduce(state, { type: 'TaskUpdated', update }, T0 + MINUTE)
    expect(Manager.runningCount(state)).toBe(0)
    expect(Manager.toSnapshot(state).remembered).toEqual([{ start: T0 + HOUR, clusterIds: [id] }])
    // 3 h 10 min on, the block of T0 has left the window, that of the end has not: not run again.
    state = completed(state, 2, T0 + 3 * HOUR + 10 * MINUTE)
    expect(checkInvariants(state)).toEqual([])
    const again = Manager.reduce(state, { type: 'Scheduled', executions: [spec(1)] }, T0 + 3 * HOUR + 10 * MINUTE)
    expect(Manager.runningCount(again)).toBe(0)
  })
})
