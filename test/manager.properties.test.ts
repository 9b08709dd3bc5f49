// Invariants of the manager and its metrics over generated event streams, and
// the group laws of the counts.
import { fc, test } from '@fast-check/vitest'
import * as O from 'fp-ts/Option'
import { describe, expect, it } from 'vitest'
import { Execution, Ids, Manager, Metrics } from '../src/index'
import { checkInvariants, eventStream, hostileEventStream, type EventStream } from '../src/testing'
import { deepFreeze, executionSpec, fingerprint, kindOf, runStream, T0 } from './fixtures'

const IDEMPOTENT: ReadonlySet<Manager.ManagerEvent['type']> = new Set([
  'NextTaskStarted',
  'TaskLaunched',
  'TaskUpdated',
  'TaskTimedOut',
  'TimeoutsChecked',
  'ExecutionsLost',
  'NodeLost',
  'JobsSynced',
  'StarvationChecked',
])

describe('Manager.reduce over generated streams', () => {
  test.prop([hostileEventStream()])('keeps every invariant after every event', (stream) => {
    runStream(stream, (state, index) => {
      expect(checkInvariants(state), `after event ${index}`).toEqual([])
    })
  })

  test.prop([eventStream({ maxLength: 40 })])('never changes its input, even deeply frozen', (stream) => {
    let state = Manager.create(stream.start)
    for (const { now, event } of stream.events) {
      const frozen = deepFreeze(state)
      const print = fingerprint(frozen)
      state = Manager.reduce(frozen, event, now)
      expect(fingerprint(frozen)).toBe(print)
    }
  })

  test.prop([hostileEventStream()])('an idempotent event repeated at once changes nothing', (stream) => {
    runStream(stream, (state, index) => {
      const timed = stream.events[index]
      if (timed === undefined || !IDEMPOTENT.has(timed.event.type)) return
      expect(Manager.reduce(state, timed.event, timed.now)).toBe(state)
    })
  })

  test.prop([hostileEventStream()])(
    'every scheduled execution is running or in exactly one JobExeEnd record',
    (stream) => {
      const ended = new Map<string, number>()
      const scheduled = new Set<string>()
      let state = Manager.create(stream.start)
      for (const { now, event } of stream.events) {
        if (event.type === 'Scheduled') {
          for (const x of event.executions) {
            if (Manager.runningExecution(state, x.clusterId) === undefined && !ended.has(x.clusterId)) {
              scheduled.add(x.clusterId)
            }
          }
        }
        const [messages, drained] = Manager.drain(Manager.reduce(state, event, now), now)
        state = drained
        for (const record of Manager.endRecordsOf(messages)) {
          if (scheduled.has(record.clusterId)) ended.set(record.clusterId, (ended.get(record.clusterId) ?? 0) + 1)
        }
        for (const id of scheduled) {
          const running = Manager.runningExecution(state, id) !== undefined
          const endings = ended.get(id) ?? 0
          expect(running ? endings : endings - 1, id).toBe(0)
        }
      }
    },
  )

  test.prop([hostileEventStream({ maxLength: 120 })])(
    'finished metrics equal a recount of the finished executions whose block is in the window',
    (stream) => {
      const finished: Metrics.Counted[] = []
      // Delivery is at least once: a record of a cluster id already finished or recorded counts once.
      const seen = new Set<string>()
      const idOf = (record: object): unknown => (record as { clusterId?: unknown }).clusterId
      let state = Manager.create(stream.start)
      for (const { now, event } of stream.events) {
        const before = state
        state = Manager.reduce(state, event, now)
        if (event.type === 'HistoryLoaded') {
          for (const record of event.records) {
            const id = idOf(record)
            if (typeof id === 'string' && seen.has(id)) continue
            if (typeof id === 'string' && Manager.runningExecution(before, id) === undefined) seen.add(id)
            finished.push(record)
          }
        }
        if (event.type === 'CanceledOffQueue') for (const record of event.records) seen.add(record.clusterId)
        for (const x of Manager.runningExecutions(before)) {
          if (Manager.runningExecution(state, x.clusterId) !== undefined) continue
          seen.add(x.clusterId)
          const record = Manager.endRecordsOf(Manager.drain(state, now)[0]).find((r) => r.clusterId === x.clusterId)
          if (record !== undefined) finished.push(record)
        }
        state = Manager.drain(state, now)[1]
        const windowNow = Manager.metrics(state).now
        let expected: Metrics.Counts = Metrics.empty
        for (const record of finished) {
          const kind = kindOf(record)
          if (kind === undefined || record.finished === undefined) continue
          if (!Metrics.isBlockInWindow(Metrics.blockStart(record.finished), windowNow)) continue
          expected = Metrics.increment(expected, [record.nodeId, kind, record.jobTypeId], 1)
        }
        expect(Metrics.toEntries(Manager.metrics(state).finished)).toEqual(Metrics.toEntries(expected))
      }
    },
  )

  test.prop([hostileEventStream({ maxLength: 60 })])('statusJson is a pure query', (stream) => {
    const state = runStream(stream)
    const last = stream.events[stream.events.length - 1]?.now ?? stream.start
    const print = fingerprint(state)
    const first = Manager.statusJson(state, [1, 2, 3, 4, 5], last + 7_200_000)
    expect(Manager.statusJson(state, [1, 2, 3, 4, 5], last + 7_200_000)).toEqual(first)
    expect(fingerprint(state)).toBe(print)
  })
})

const countsArb: fc.Arbitrary<Metrics.Counts> = fc
  .array(
    fc.tuple(
      fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom('node-a', 'node-b')),
      fc.constantFrom<Metrics.Kind>('running', 'completed', 'algorithm', 'data', 'system'),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 5 }),
    ),
    { maxLength: 12 },
  )
  .map(Metrics.fromEntries)

describe('the counts group', () => {
  test.prop([countsArb, countsArb])('subtract(add(m, x), x) equals m', (m, x) => {
    expect(Metrics.equals(Metrics.subtract(Metrics.add(m, x), x), m)).toBe(true)
  })

  test.prop([countsArb, countsArb, countsArb])('add is associative', (a, b, c) => {
    expect(Metrics.toEntries(Metrics.add(Metrics.add(a, b), c))).toEqual(
      Metrics.toEntries(Metrics.add(a, Metrics.add(b, c))),
    )
  })

  test.prop([countsArb, countsArb])('add is commutative', (a, b) => {
    expect(Metrics.toEntries(Metrics.add(a, b))).toEqual(Metrics.toEntries(Metrics.add(b, a)))
  })

  test.prop([countsArb])('empty is neutral', (m) => {
    expect(Metrics.add(m, Metrics.empty)).toBe(m)
    expect(Metrics.toEntries(Metrics.add(Metrics.empty, m))).toEqual(Metrics.toEntries(m))
    expect(Metrics.equals(Metrics.subtract(m, m), Metrics.empty)).toBe(true)
  })

  test.prop([countsArb, countsArb])('nothing is negative and no zero is kept', (a, b) => {
    for (const counts of [Metrics.add(a, b), Metrics.subtract(a, b), Metrics.subtract(b, a)]) {
      for (const [, , , n] of Metrics.toEntries(counts)) expect(n).toBeGreaterThan(0)
    }
  })
})

const acts = (state: Manager.Manager, t: number): boolean =>
  Manager.reduce(state, { type: 'TimeoutsChecked' }, t) !== state ||
  Manager.reduce(state, { type: 'StarvationChecked' }, t) !== state ||
  Manager.tasksToReconcile(state, t).some((task) => !task.forceReconciliation)

describe('Manager.nextDeadline', () => {
  test.prop([hostileEventStream(), fc.nat()])('is exact: nothing acts before it, something acts at it', (stream, r) => {
    runStream(stream, (state) => {
      const deadline = Manager.nextDeadline(state)
      if (O.isNone(deadline)) {
        expect(acts(state, Number.MAX_SAFE_INTEGER)).toBe(false)
        return
      }
      const d = deadline.value
      expect(Number.isSafeInteger(d)).toBe(true)
      for (const t of [d - 1, d - 1 - (r % 1_000_000)]) {
        expect(Manager.reduce(state, { type: 'TimeoutsChecked' }, t)).toBe(state)
        expect(Manager.reduce(state, { type: 'StarvationChecked' }, t)).toBe(state)
        expect(Manager.tasksToReconcile(state, t).every((task) => task.forceReconciliation)).toBe(true)
      }
      expect(acts(state, d)).toBe(true)
    })
  })

  it('is none on an empty manager, not NaN or Infinity', () => {
    expect(Manager.nextDeadline(Manager.create(0))).toEqual(O.none)
  })
})

describe('Manager.readyExecutions', () => {
  test.prop([hostileEventStream()])('lists exactly the running executions whose next task is ready', (stream) => {
    runStream(stream, (state) => {
      expect(Manager.readyExecutions(state).map((x) => x.clusterId)).toEqual(
        Manager.runningExecutions(state)
          .filter((x) => Execution.isNextTaskReady(x))
          .map((x) => x.clusterId),
      )
    })
  })
})

describe('the metrics group', () => {
  const metricsOf = (stream: EventStream): Metrics.Metrics => Manager.metrics(runStream(stream))
  const streams = hostileEventStream({ maxLength: 60 })

  test.prop([streams, streams])('subtract(add(m, x), x) equals m, with windows aligned', (s1, s2) => {
    const m = metricsOf(s1)
    const x = metricsOf(s2)
    expect(Metrics.equals(Metrics.subtract(Metrics.add(m, x), x), m)).toBe(true)
    expect(Metrics.equals(Metrics.add(m, Metrics.create(m.now)), m)).toBe(true)
  })

  test.prop([streams, streams, streams])('add is commutative and associative', (s1, s2, s3) => {
    const [a, b, c] = [metricsOf(s1), metricsOf(s2), metricsOf(s3)]
    expect(Metrics.equals(Metrics.add(a, b), Metrics.add(b, a))).toBe(true)
    expect(Metrics.equals(Metrics.add(Metrics.add(a, b), c), Metrics.add(a, Metrics.add(b, c)))).toBe(true)
  })

  test.prop([streams])('a metric is not equal to itself plus a running execution', (s1) => {
    const m = metricsOf(s1)
    const more = Metrics.addRunning(m, { nodeId: 9, jobTypeId: 9, status: 'RUNNING' })
    expect(Metrics.equals(more, m)).toBe(false)
    expect(
      Metrics.equals(
        Metrics.subtract(more, m),
        Metrics.add(Metrics.create(m.now), Metrics.fromEntries([[9, 'running', 9, 1]])),
      ),
    ).toBe(true)
  })
})

describe('Scheduled and routing', () => {
  // Cluster ids of every kind: sound ones, framework ids with '_', missing
  // prefixes or segments, and any string.
  const clusterIdArb = fc.oneof(
    fc
      .tuple(fc.stringMatching(/^[a-z0-9_-]{0,6}$/), fc.nat({ max: 99 }))
      .map(([fw, n]) => `${Ids.JOB_TASK_ID_PREFIX}_${fw}_${n}x1`),
    fc.stringMatching(/^(scale|job|_){1,4}[a-z0-9_]{0,8}$/),
    fc.string({ maxLength: 16 }),
  )

  test.prop([fc.array(clusterIdArb, { maxLength: 8 }), eventStream({ maxLength: 20 })])(
    'no execution that cannot be routed is ever running; each one is refused as data, once per delivery',
    (ids, stream) => {
      let state = Manager.create(T0)
      const specs = ids.map((clusterId, i) => executionSpec(i + 1, { clusterId }))
      state = Manager.reduce(state, { type: 'Scheduled', executions: specs }, T0)
      const [messages, drained] = Manager.drain(state, T0)
      const refused = new Set(
        messages.flatMap((m) => (Manager.isMessage(m) && m.type === 'ExecutionRefused' ? [m.clusterId] : [])),
      )
      for (const { clusterId } of specs) {
        const routable = Ids.clusterIdOfTask(`${clusterId}_main`) === clusterId
        expect(refused.has(clusterId)).toBe(!routable)
        if (!routable) expect(Manager.runningExecution(drained, clusterId)).toBeUndefined()
      }
      // Whatever follows, every running execution stays routable (checkInvariants says so).
      state = drained
      for (const { now, event } of stream.events) {
        state = Manager.reduce(state, event, Math.max(now, T0))
        for (const x of Manager.runningExecutions(state)) {
          expect(Ids.clusterIdOfTask(`${x.clusterId}_main`)).toBe(x.clusterId)
        }
      }
      expect(checkInvariants(state)).toEqual([])
    },
  )
})

// A node id spelt as the string of its number names the same node (Ids.NodeId):
// respelling every node id of a stream at random changes no count and no loss.
const respelt = (stream: EventStream, spellings: readonly boolean[]): EventStream => {
  let i = 0
  const spell = (id: Ids.NodeId): Ids.NodeId =>
    typeof id === 'number' && spellings[i++ % spellings.length] ? String(id) : id
  const events = stream.events.map(({ now, event }) => {
    switch (event.type) {
      case 'Scheduled':
        return {
          now,
          event: { ...event, executions: event.executions.map((x) => ({ ...x, nodeId: spell(x.nodeId) })) },
        }
      case 'NodeLost':
        return { now, event: { ...event, nodeId: spell(event.nodeId) } }
      case 'HistoryLoaded':
        return { now, event: { ...event, records: event.records.map((r) => ({ ...r, nodeId: spell(r.nodeId) })) } }
      default:
        return { now, event }
    }
  })
  return { ...stream, events }
}

describe('node ids', () => {
  test.prop([eventStream({ maxLength: 60 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 16 })])(
    'respelling node ids as strings changes no status JSON and no running set',
    (stream, spellings) => {
      const plain = runStream(stream)
      const spelt = runStream(respelt(stream, spellings))
      const nodes = [1, 2, 3, 4, '1', '2', '3', '4']
      const now = stream.events.at(-1)?.now ?? stream.start
      expect(Manager.statusJson(spelt, nodes, now)).toEqual(Manager.statusJson(plain, nodes, now))
      expect(Manager.runningExecutions(spelt).map((x) => x.clusterId)).toEqual(
        Manager.runningExecutions(plain).map((x) => x.clusterId),
      )
      expect(checkInvariants(spelt)).toEqual([])
    },
  )
})
