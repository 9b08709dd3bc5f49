// Delivery is at least once: an execution that finished does not run or count
// again when one of its events comes again, while its end is in the metrics
// window; what the manager remembers for this is bounded and in snapshots.
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { Execution, Manager, Metrics } from '../src/index'
import { checkInvariants, eventStream, type TimedEvent } from '../src/testing'
import { toInternal } from '../src/internal/managerState'
import { executionSpec, jobType } from './fixtures'

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
  const record = (n: number, finished: number): Execution.EndRecord => ({
    id: n,
    clusterId: `scale_job_fw_${n}x1`,
    jobId: n,
    exeNum: 1,
    jobTypeId: 1,
    nodeId: 1,
    status: 'COMPLETED',
    queued: finished,
    started: finished,
    finished,
    taskResults: { version: '1.0', tasks: [] },
  })

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
