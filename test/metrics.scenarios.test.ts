/**
 * Metric scenarios (contract §10, and Metrics.merge of section 12): the
 * scenarios of Scale's own metrics tests (running executions that finish in
 * two consecutive 5-minute blocks, and history loaded from the database),
 * replayed through the Manager, and the Metrics group directly.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Errors, type Execution, Ids, Manager, Metrics } from '../src/index'
import type { TaskUpdate } from '../src/index'
import { nodeJson, deepFreeze } from './fixtures'

type State = Manager.Manager
type Event = Manager.ManagerEvent
type Spec = Execution.ExecutionSpec
type NodeStatus = Metrics.NodeStatusJson

const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const BLOCK = 5 * MINUTE
const WINDOW = 3 * HOUR
/** 2026-01-01T00:00:00Z, a multiple of 300000 ms since the epoch: a block boundary. */
const BASE = Date.UTC(2026, 0, 1)
const FW = 'fw1'

const dataError: Errors.JobError = { name: 'bad-input', category: 'DATA', title: 'Bad input data' }
const algError: Errors.JobError = { name: 'alg-crash', category: 'ALGORITHM', title: 'Algorithm crashed' }
const systemError = Errors.BUILTIN['node-lost']

const NODE_1 = 1
const NODE_2 = 2
const JOB_TYPE_1 = 3
const JOB_TYPE_2 = 11

const step = (state: State, event: Event, now: number): State =>
  Manager.reduce(deepFreeze(state), deepFreeze(event), now)

const makeSpec = (id: number, nodeId: Ids.NodeId, jobTypeId: number): Spec => ({
  id,
  clusterId: Ids.clusterId(FW, 100 + id, 1),
  jobId: 100 + id,
  exeNum: 1,
  jobTypeId,
  nodeId,
  agentId: `agent-${String(nodeId)}`,
  queued: BASE - MINUTE,
  started: BASE,
  taskTypes: ['main'],
  jobType: {
    name: `type-${jobTypeId}`,
    isSystem: false,
    isLongRunning: false,
    timeout: 24 * HOUR,
    errorMapping: { 1: dataError, 2: algError },
  },
})

const mainOf = (spec: Spec): string => `${spec.clusterId}_main`

const upd = (
  taskId: string,
  status: TaskUpdate.TaskStatus,
  timestamp: number,
  exitCode?: number,
): TaskUpdate.TaskUpdate => ({
  taskId,
  agentId: 'agent',
  status,
  timestamp,
  exitCode,
})

/** Starts, launches and runs the main task a few ms before `at`. */
const runMain = (state: State, spec: Spec, at: number): State => {
  let s = step(state, { type: 'NextTaskStarted', clusterId: spec.clusterId }, at - 3)
  s = step(s, { type: 'TaskLaunched', taskId: mainOf(spec) }, at - 3)
  return step(s, { type: 'TaskUpdated', update: upd(mainOf(spec), 'RUNNING', at - 2) }, at - 2)
}

/** Finishes the execution at `at`: COMPLETED, or FAILED with the main task's exit code. */
const finishAt = (state: State, spec: Spec, at: number, outcome: 'COMPLETED' | 'DATA' | 'ALGORITHM'): State => {
  const s = runMain(state, spec, at)
  const update =
    outcome === 'COMPLETED'
      ? upd(mainOf(spec), 'FINISHED', at - 1, 0)
      : upd(mainOf(spec), 'FAILED', at - 1, outcome === 'DATA' ? 1 : 2)
  return step(s, { type: 'TaskUpdated', update }, at)
}

// --- expected status JSON ---------------------------------------------------------

/** The totals of one node, in the order Scale's tests check them. */
const totals = (node: NodeStatus | undefined) =>
  node === undefined
    ? undefined
    : {
        running: node.job_executions.running.total,
        completed: node.job_executions.completed.total,
        failed: node.job_executions.failed.total,
        algorithm: node.job_executions.failed.algorithm.total,
        data: node.job_executions.failed.data.total,
        system: node.job_executions.failed.system.total,
      }

const ZERO = { running: 0, completed: 0, failed: 0, algorithm: 0, data: 0, system: 0 }

// ---------------------------------------------------------------------------------

describe("Scale's running-executions scenario, through the Manager", () => {
  // Eleven executions on two nodes and two job types (Scale's test_running_executions).
  const specs = [
    makeSpec(1, NODE_1, JOB_TYPE_1),
    makeSpec(2, NODE_1, JOB_TYPE_1),
    makeSpec(3, NODE_1, JOB_TYPE_1),
    makeSpec(4, NODE_1, JOB_TYPE_2),
    makeSpec(5, NODE_2, JOB_TYPE_1),
    makeSpec(6, NODE_2, JOB_TYPE_1),
    makeSpec(7, NODE_2, JOB_TYPE_2),
    makeSpec(8, NODE_2, JOB_TYPE_2),
    makeSpec(9, NODE_2, JOB_TYPE_2),
    makeSpec(10, NODE_2, JOB_TYPE_2),
    makeSpec(11, NODE_2, JOB_TYPE_2),
  ]
  const spec = (n: number): Spec => {
    const found = specs[n - 1]
    if (found === undefined) throw new Error(`no spec ${n}`)
    return found
  }
  const NODES = [NODE_1, NODE_2]

  // First block [BASE, BASE + 5 min); second block [BASE + 5 min, BASE + 10 min).
  const END_1 = BASE + MINUTE
  const END_2 = END_1 + BLOCK
  const BLOCK_1_END = BASE + BLOCK
  const BLOCK_2_END = BASE + 2 * BLOCK

  const scheduled = (): State => step(Manager.create(BASE), { type: 'Scheduled', executions: specs }, BASE)

  const afterFirstBlock = (): State => {
    let state = scheduled()
    state = finishAt(state, spec(1), END_1, 'COMPLETED')
    state = finishAt(state, spec(2), END_1, 'DATA')
    state = finishAt(state, spec(4), END_1, 'ALGORITHM')
    return state
  }

  const afterSecondBlock = (): State => {
    let state = afterFirstBlock()
    for (const n of [5, 6, 7, 8, 9, 10, 11]) state = finishAt(state, spec(n), END_2, 'COMPLETED')
    return state
  }

  const NODE_1_AFTER_FIRST = nodeJson(NODE_1, {
    running: [[JOB_TYPE_1, 1]],
    completed: [[JOB_TYPE_1, 1]],
    algorithm: [[JOB_TYPE_2, 1]],
    data: [[JOB_TYPE_1, 1]],
  })

  it('counts all eleven as running', () => {
    const state = scheduled()
    const status = Manager.statusJson(state, NODES, BASE)
    expect(totals(status[0])).toEqual({ ...ZERO, running: 4 })
    expect(totals(status[1])).toEqual({ ...ZERO, running: 7 })
    expect(status).toStrictEqual([
      nodeJson(NODE_1, {
        running: [
          [JOB_TYPE_1, 3],
          [JOB_TYPE_2, 1],
        ],
      }),
      nodeJson(NODE_2, {
        running: [
          [JOB_TYPE_1, 2],
          [JOB_TYPE_2, 5],
        ],
      }),
    ])
  })

  it('moves the first finished ones to completed and failed by category', () => {
    const state = afterFirstBlock()
    expect(Manager.runningExecutions(state).map((e) => e.id)).toEqual([3, 5, 6, 7, 8, 9, 10, 11])
    const status = Manager.statusJson(state, NODES, END_1 + SECOND)
    expect(totals(status[0])).toEqual({ running: 1, completed: 1, failed: 2, algorithm: 1, data: 1, system: 0 })
    expect(totals(status[1])).toEqual({ ...ZERO, running: 7 })
    expect(status).toStrictEqual([
      NODE_1_AFTER_FIRST,
      nodeJson(NODE_2, {
        running: [
          [JOB_TYPE_1, 2],
          [JOB_TYPE_2, 5],
        ],
      }),
    ])
  })

  it('adds the second block: all of node 2 completed', () => {
    const state = afterSecondBlock()
    const status = Manager.statusJson(state, NODES, END_2)
    expect(totals(status[0])).toEqual({ running: 1, completed: 1, failed: 2, algorithm: 1, data: 1, system: 0 })
    expect(totals(status[1])).toEqual({ ...ZERO, completed: 7 })
    expect(status).toStrictEqual([
      NODE_1_AFTER_FIRST,
      nodeJson(NODE_2, {
        completed: [
          [JOB_TYPE_1, 2],
          [JOB_TYPE_2, 5],
        ],
      }),
    ])
  })

  it('keeps the first block until its end is earlier than now - 3h, then drops it', () => {
    const state = afterSecondBlock()
    const all = [
      NODE_1_AFTER_FIRST,
      nodeJson(NODE_2, {
        completed: [
          [JOB_TYPE_1, 2],
          [JOB_TYPE_2, 5],
        ],
      }),
    ]
    // end of block 1 == now - 3h: still counted
    expect(Manager.statusJson(state, NODES, BLOCK_1_END + WINDOW)).toStrictEqual(all)
    // one millisecond later it has left the window; the second block has not
    expect(Manager.statusJson(state, NODES, BLOCK_1_END + WINDOW + 1)).toStrictEqual([
      nodeJson(NODE_1, { running: [[JOB_TYPE_1, 1]] }),
      nodeJson(NODE_2, {
        completed: [
          [JOB_TYPE_1, 2],
          [JOB_TYPE_2, 5],
        ],
      }),
    ])
    expect(Manager.statusJson(state, NODES, BLOCK_2_END + WINDOW)).toStrictEqual([
      nodeJson(NODE_1, { running: [[JOB_TYPE_1, 1]] }),
      nodeJson(NODE_2, {
        completed: [
          [JOB_TYPE_1, 2],
          [JOB_TYPE_2, 5],
        ],
      }),
    ])
    // then everything finished has rolled off; only the running one remains
    const later = Manager.statusJson(state, NODES, BLOCK_2_END + WINDOW + 1)
    expect(totals(later[0])).toEqual({ ...ZERO, running: 1 })
    expect(totals(later[1])).toEqual(ZERO)
    expect(later).toStrictEqual([nodeJson(NODE_1, { running: [[JOB_TYPE_1, 1]] }), nodeJson(NODE_2)])
    // Scale's own instant: end_time_2 + 3h + 5 min + 1 s
    expect(Manager.statusJson(state, NODES, END_2 + WINDOW + BLOCK + SECOND)).toStrictEqual(later)
    // the queries were pure: the earlier answer is unchanged
    expect(Manager.statusJson(state, NODES, END_2)).toStrictEqual(all)
  })

  it('rolls blocks out of the state too when later events move the window', () => {
    let state = afterSecondBlock()
    // execution 3 completes just after block 1 has left the window
    const at = BLOCK_1_END + WINDOW + 1
    state = finishAt(state, spec(3), at, 'COMPLETED')
    expect(Manager.statusJson(state, NODES, at)).toStrictEqual([
      nodeJson(NODE_1, { completed: [[JOB_TYPE_1, 1]] }),
      nodeJson(NODE_2, {
        completed: [
          [JOB_TYPE_1, 2],
          [JOB_TYPE_2, 5],
        ],
      }),
    ])
    // block 1 stays out even if asked about an earlier instant
    expect(Manager.statusJson(state, NODES, END_2)).toStrictEqual([
      nodeJson(NODE_1, { completed: [[JOB_TYPE_1, 1]] }),
      nodeJson(NODE_2, {
        completed: [
          [JOB_TYPE_1, 2],
          [JOB_TYPE_2, 5],
        ],
      }),
    ])
    const blockOfAt = Metrics.blockStart(at) + BLOCK
    expect(Manager.statusJson(state, NODES, blockOfAt + WINDOW + 1)).toStrictEqual([nodeJson(NODE_1), nodeJson(NODE_2)])
  })

  it('counts a system failure (node lost) as system', () => {
    let state = afterFirstBlock()
    state = step(state, { type: 'NodeLost', nodeId: NODE_1 }, END_1 + 2 * SECOND)
    expect(Manager.statusJson(state, NODES, END_1 + 2 * SECOND)).toStrictEqual([
      nodeJson(NODE_1, {
        completed: [[JOB_TYPE_1, 1]],
        algorithm: [[JOB_TYPE_2, 1]],
        data: [[JOB_TYPE_1, 1]],
        system: [[JOB_TYPE_1, 1]],
      }),
      nodeJson(NODE_2, {
        running: [
          [JOB_TYPE_1, 2],
          [JOB_TYPE_2, 5],
        ],
      }),
    ])
  })
})

describe("Scale's init-with-database scenario, through HistoryLoaded", () => {
  let nextId = 1
  const record = (
    nodeId: number,
    jobTypeId: number,
    status: 'COMPLETED' | 'FAILED',
    finished: number,
    error?: Errors.JobError,
  ): Execution.EndRecord => {
    const id = nextId++
    return {
      id,
      clusterId: Ids.clusterId(FW, 200 + id, 1),
      jobId: 200 + id,
      exeNum: 1,
      jobTypeId,
      nodeId,
      status,
      error,
      queued: finished - HOUR,
      started: finished - 30 * MINUTE,
      finished,
      taskResults: { version: '1.0', tasks: [] },
    }
  }

  const END_1 = BASE + 2 * MINUTE
  const END_2 = END_1 + BLOCK
  const RIGHT_NOW = END_2 + 30 * SECOND
  const records = [
    // first block
    record(NODE_1, JOB_TYPE_1, 'COMPLETED', END_1),
    record(NODE_1, JOB_TYPE_1, 'COMPLETED', END_1),
    record(NODE_1, JOB_TYPE_1, 'FAILED', END_1, algError),
    record(NODE_1, JOB_TYPE_1, 'FAILED', END_1, algError),
    record(NODE_1, JOB_TYPE_1, 'FAILED', END_1, algError),
    record(NODE_1, JOB_TYPE_1, 'FAILED', END_1, dataError),
    record(NODE_1, JOB_TYPE_1, 'FAILED', END_1, systemError),
    record(NODE_1, JOB_TYPE_2, 'FAILED', END_1, systemError),
    record(NODE_2, JOB_TYPE_1, 'COMPLETED', END_1),
    record(NODE_2, JOB_TYPE_2, 'COMPLETED', END_1),
    record(NODE_2, JOB_TYPE_2, 'FAILED', END_1, dataError),
    // second block
    record(NODE_1, JOB_TYPE_2, 'FAILED', END_2, systemError),
    record(NODE_1, JOB_TYPE_2, 'FAILED', END_2, systemError),
    record(NODE_2, JOB_TYPE_2, 'COMPLETED', END_2),
  ]
  const NODES = [NODE_1, NODE_2]

  it('counts both blocks, then the second, then nothing', () => {
    const state = step(Manager.create(RIGHT_NOW), { type: 'HistoryLoaded', records }, RIGHT_NOW)

    const first = Manager.statusJson(state, NODES, RIGHT_NOW)
    expect(totals(first[0])).toEqual({ running: 0, completed: 2, failed: 8, algorithm: 3, data: 1, system: 4 })
    expect(totals(first[1])).toEqual({ running: 0, completed: 3, failed: 1, algorithm: 0, data: 1, system: 0 })
    expect(first).toStrictEqual([
      nodeJson(NODE_1, {
        completed: [[JOB_TYPE_1, 2]],
        algorithm: [[JOB_TYPE_1, 3]],
        data: [[JOB_TYPE_1, 1]],
        system: [
          [JOB_TYPE_1, 1],
          [JOB_TYPE_2, 3],
        ],
      }),
      nodeJson(NODE_2, {
        completed: [
          [JOB_TYPE_1, 1],
          [JOB_TYPE_2, 2],
        ],
        data: [[JOB_TYPE_2, 1]],
      }),
    ])

    const later = END_1 + WINDOW + SECOND + BLOCK
    const second = Manager.statusJson(state, NODES, later)
    expect(totals(second[0])).toEqual({ running: 0, completed: 0, failed: 2, algorithm: 0, data: 0, system: 2 })
    expect(totals(second[1])).toEqual({ running: 0, completed: 1, failed: 0, algorithm: 0, data: 0, system: 0 })
    expect(second).toStrictEqual([
      nodeJson(NODE_1, { system: [[JOB_TYPE_2, 2]] }),
      nodeJson(NODE_2, { completed: [[JOB_TYPE_2, 1]] }),
    ])

    const last = Manager.statusJson(state, NODES, later + WINDOW)
    expect(totals(last[0])).toEqual(ZERO)
    expect(totals(last[1])).toEqual(ZERO)
    expect(last).toStrictEqual([nodeJson(NODE_1), nodeJson(NODE_2)])
  })

  it('history loaded in two parts counts the same as in one', () => {
    const once = step(Manager.create(RIGHT_NOW), { type: 'HistoryLoaded', records }, RIGHT_NOW)
    let twice = step(Manager.create(RIGHT_NOW), { type: 'HistoryLoaded', records: records.slice(0, 5) }, RIGHT_NOW)
    twice = step(twice, { type: 'HistoryLoaded', records: records.slice(5) }, RIGHT_NOW)
    for (const now of [RIGHT_NOW, END_1 + WINDOW + SECOND + BLOCK]) {
      expect(Manager.statusJson(twice, NODES, now)).toStrictEqual(Manager.statusJson(once, NODES, now))
    }
  })

  it('ignores records whose block has left the window when they are loaded', () => {
    // loaded just after the first block left the window
    const at = BASE + BLOCK + WINDOW + 1
    const state = step(Manager.create(at), { type: 'HistoryLoaded', records }, at)
    expect(Manager.statusJson(state, NODES, at)).toStrictEqual([
      nodeJson(NODE_1, { system: [[JOB_TYPE_2, 2]] }),
      nodeJson(NODE_2, { completed: [[JOB_TYPE_2, 1]] }),
    ])
    // ignored, not merely hidden: asking about an earlier instant does not bring them back
    expect(Manager.statusJson(state, NODES, RIGHT_NOW)).toStrictEqual([
      nodeJson(NODE_1, { system: [[JOB_TYPE_2, 2]] }),
      nodeJson(NODE_2, { completed: [[JOB_TYPE_2, 1]] }),
    ])
  })

  it('ignores old records when loaded into a manager created long before', () => {
    const at = BASE + BLOCK + WINDOW + 1
    const state = step(Manager.create(BASE), { type: 'HistoryLoaded', records }, at)
    for (const now of [RIGHT_NOW, at]) {
      expect(Manager.statusJson(state, NODES, now)).toStrictEqual([
        nodeJson(NODE_1, { system: [[JOB_TYPE_2, 2]] }),
        nodeJson(NODE_2, { completed: [[JOB_TYPE_2, 1]] }),
      ])
    }
  })
})

// --- the Metrics group directly -------------------------------------------------

const KINDS: readonly Metrics.Kind[] = ['running', 'completed', 'algorithm', 'data', 'system']

const keyArb = fc.tuple(
  fc.constantFrom<Ids.NodeId>(1, 2, 10, 'n-a', 'n-b'),
  fc.constantFrom(...KINDS),
  fc.integer({ min: 1, max: 4 }),
)
type Row = readonly [Metrics.CountKey, number]
const rowsArb = fc.array(fc.tuple(keyArb, fc.integer({ min: 1, max: 5 })), { maxLength: 15 })

const build = (rows: readonly Row[]): Metrics.Counts =>
  rows.reduce((counts, [key, n]) => Metrics.increment(counts, key, n), Metrics.empty)

const countsArb = rowsArb.map(build)

/** A model of counts: key (as JSON) to count, positive counts only. */
const modelOf = (counts: Metrics.Counts): Map<string, number> =>
  new Map(Metrics.toEntries(counts).map(([node, kind, jobType, n]) => [JSON.stringify([node, kind, jobType]), n]))

const sumModel = (rows: readonly Row[]): Map<string, number> => {
  const model = new Map<string, number>()
  for (const [key, n] of rows) {
    const k = JSON.stringify(key)
    model.set(k, (model.get(k) ?? 0) + n)
  }
  return model
}

const sorted = (model: Map<string, number>) => [...model.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

describe('Metrics counts: a group', () => {
  it('increment adds to one count; a count that reaches zero is removed', () => {
    const key: Metrics.CountKey = [1, 'running', 5]
    const one = Metrics.increment(Metrics.empty, key, 1)
    expect(Metrics.toEntries(one)).toEqual([[1, 'running', 5, 1]])
    const three = Metrics.increment(one, key, 2)
    expect(Metrics.toEntries(three)).toEqual([[1, 'running', 5, 3]])
    expect(Metrics.toEntries(Metrics.increment(three, key, -3))).toEqual([])
    expect(Metrics.equals(Metrics.increment(one, key, -1), Metrics.empty)).toBe(true)
    expect(Metrics.increment(one, key, 0)).toBe(one)
    expect(Metrics.toEntries(Metrics.empty)).toEqual([])
  })

  it('never goes negative', () => {
    const key: Metrics.CountKey = [2, 'data', 7]
    expect(Metrics.toEntries(Metrics.increment(Metrics.empty, key, -3))).toEqual([])
    const two = Metrics.increment(Metrics.empty, key, 2)
    expect(Metrics.toEntries(Metrics.increment(two, key, -5))).toEqual([])
    const other = Metrics.increment(Metrics.empty, [2, 'data', 8], 1)
    const both = Metrics.add(two, other)
    // subtracting more than is there removes the count, and leaves the others alone
    expect(Metrics.toEntries(Metrics.subtract(other, two))).toEqual([[2, 'data', 8, 1]])
    expect(Metrics.toEntries(Metrics.subtract(both, Metrics.increment(Metrics.empty, key, 9)))).toEqual([
      [2, 'data', 8, 1],
    ])
    expect(Metrics.toEntries(Metrics.subtract(Metrics.empty, both))).toEqual([])
  })

  it("add sums per key, keeping the keys apart, and a node's spellings together", () => {
    const a = build([
      [[1, 'completed', 3], 2],
      [[1, 'system', 3], 1],
    ])
    const b = build([
      [[1, 'completed', 3], 5],
      [[2, 'completed', 3], 1],
      [['1', 'completed', 3], 4],
      [['01', 'completed', 3], 3],
    ])
    expect(sorted(modelOf(Metrics.add(a, b)))).toEqual(
      sorted(
        new Map([
          [JSON.stringify([1, 'completed', 3]), 11],
          [JSON.stringify([1, 'system', 3]), 1],
          [JSON.stringify([2, 'completed', 3]), 1],
          [JSON.stringify(['01', 'completed', 3]), 3],
        ]),
      ),
    )
    expect(Metrics.equals(Metrics.add(a, Metrics.empty), a)).toBe(true)
    expect(Metrics.equals(Metrics.add(Metrics.empty, b), b)).toBe(true)
  })

  it('equals compares entries, not how they were built', () => {
    const x = build([
      [[1, 'completed', 3], 1],
      [[2, 'algorithm', 4], 2],
    ])
    const y = build([
      [[2, 'algorithm', 4], 1],
      [[1, 'completed', 3], 1],
      [[2, 'algorithm', 4], 1],
    ])
    expect(Metrics.equals(x, y)).toBe(true)
    expect(Metrics.equals(x, Metrics.increment(y, [2, 'algorithm', 4], 1))).toBe(false)
    expect(Metrics.equals(x, Metrics.increment(y, [2, 'data', 4], 1))).toBe(false)
    expect(Metrics.equals(x, Metrics.empty)).toBe(false)
  })

  it('toEntries lists each key once with the sum of its increments', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const entries = Metrics.toEntries(build(rows))
        expect(sorted(modelOf(build(rows)))).toEqual(sorted(sumModel(rows)))
        expect(entries).toHaveLength(sumModel(rows).size)
        for (const [, , , n] of entries) expect(n).toBeGreaterThan(0)
      }),
    )
  })

  it('subtract(add(m, x), x) equals m', () => {
    fc.assert(
      fc.property(countsArb, countsArb, (m, x) => {
        expect(Metrics.equals(Metrics.subtract(Metrics.add(m, x), x), m)).toBe(true)
      }),
    )
  })

  it('add is commutative and associative', () => {
    fc.assert(
      fc.property(countsArb, countsArb, countsArb, (a, b, c) => {
        expect(Metrics.equals(Metrics.add(a, b), Metrics.add(b, a))).toBe(true)
        expect(Metrics.equals(Metrics.add(Metrics.add(a, b), c), Metrics.add(a, Metrics.add(b, c)))).toBe(true)
      }),
    )
  })

  it('subtract clamps at zero per key and keeps no zeros', () => {
    fc.assert(
      fc.property(rowsArb, rowsArb, (ra, rb) => {
        const difference = Metrics.subtract(build(ra), build(rb))
        const a = sumModel(ra)
        const b = sumModel(rb)
        const expected = new Map<string, number>()
        for (const [k, n] of a) {
          const d = n - (b.get(k) ?? 0)
          if (d > 0) expected.set(k, d)
        }
        expect(sorted(modelOf(difference))).toEqual(sorted(expected))
        for (const [, , , n] of Metrics.toEntries(difference)) expect(n).toBeGreaterThan(0)
      }),
    )
  })
})

describe('Metrics.merge', () => {
  const NODES = [NODE_1, NODE_2, 'n-3']
  const specs = [
    makeSpec(1, NODE_1, JOB_TYPE_1),
    makeSpec(2, NODE_1, JOB_TYPE_2),
    makeSpec(3, NODE_1, JOB_TYPE_1),
    makeSpec(4, NODE_2, JOB_TYPE_1),
    makeSpec(5, NODE_2, JOB_TYPE_2),
    makeSpec(6, NODE_2, JOB_TYPE_2),
    makeSpec(7, 'n-3', JOB_TYPE_2),
    makeSpec(8, 'n-3', JOB_TYPE_1),
  ]

  type Action = readonly [number, (state: State) => State]
  const actions = (): Action[] => {
    const s = (n: number): Spec => {
      const found = specs[n - 1]
      if (found === undefined) throw new Error(`no spec ${n}`)
      return found
    }
    return [
      [1, (st) => finishAt(st, s(1), BASE + MINUTE, 'COMPLETED')],
      [2, (st) => finishAt(st, s(2), BASE + 2 * MINUTE, 'ALGORITHM')],
      [4, (st) => finishAt(st, s(4), BASE + 6 * MINUTE, 'DATA')],
      [5, (st) => finishAt(st, s(5), BASE + 7 * MINUTE, 'COMPLETED')],
      [7, (st) => finishAt(st, s(7), BASE + 12 * MINUTE, 'COMPLETED')],
      [6, (st) => finishAt(st, s(6), BASE + 40 * MINUTE, 'ALGORITHM')],
    ]
  }

  const run = (ownIds: (id: number) => boolean): State => {
    let state = step(Manager.create(BASE), { type: 'Scheduled', executions: specs.filter((x) => ownIds(x.id)) }, BASE)
    for (const [id, act] of actions()) if (ownIds(id)) state = act(state)
    // shared events go to every shard
    state = step(state, { type: 'NodeLost', nodeId: 'n-3' }, BASE + HOUR)
    return state
  }

  it('the merged metrics of two shards give the status JSON of one manager fed everything', () => {
    const single = run(() => true)
    const odd = run((id) => id % 2 === 1)
    const even = run((id) => id % 2 === 0)
    const merged = Metrics.merge(Manager.metrics(odd), Manager.metrics(even))
    const instants = [
      BASE + HOUR,
      BASE + BLOCK + WINDOW,
      BASE + BLOCK + WINDOW + 1,
      BASE + 2 * BLOCK + WINDOW + 1,
      BASE + 3 * BLOCK + WINDOW + 1,
      BASE + HOUR + BLOCK + WINDOW + 1,
    ]
    for (const now of instants) {
      expect(Metrics.statusJson(merged, NODES, now)).toStrictEqual(Manager.statusJson(single, NODES, now))
    }
    expect(Metrics.statusJson(merged, NODES, BASE + HOUR)).toStrictEqual([
      nodeJson(NODE_1, { running: [[JOB_TYPE_1, 1]], completed: [[JOB_TYPE_1, 1]], algorithm: [[JOB_TYPE_2, 1]] }),
      nodeJson(NODE_2, { completed: [[JOB_TYPE_2, 1]], algorithm: [[JOB_TYPE_2, 1]], data: [[JOB_TYPE_1, 1]] }),
      nodeJson('n-3', { completed: [[JOB_TYPE_2, 1]], system: [[JOB_TYPE_1, 1]] }),
    ])
    // and in the other order
    const reversed = Metrics.merge(Manager.metrics(even), Manager.metrics(odd))
    for (const now of instants) {
      expect(Metrics.statusJson(reversed, NODES, now)).toStrictEqual(Metrics.statusJson(merged, NODES, now))
    }
  })

  it('merges shards whose windows were last moved at different instants', () => {
    const early = (id: number): boolean => id <= 2
    // shard A only sees its executions (finished in block 1), shard B the rest, up to 40 min
    let a = step(Manager.create(BASE), { type: 'Scheduled', executions: specs.filter((x) => early(x.id)) }, BASE)
    let b = step(Manager.create(BASE), { type: 'Scheduled', executions: specs.filter((x) => !early(x.id)) }, BASE)
    let single = step(Manager.create(BASE), { type: 'Scheduled', executions: specs }, BASE)
    for (const [id, act] of actions()) {
      if (early(id)) a = act(a)
      else b = act(b)
      single = act(single)
    }
    // shard B moves its window past block 1 by finishing execution 3 late
    const lateAt = BASE + BLOCK + WINDOW + 2 * MINUTE
    const s3 = specs[2]
    if (s3 === undefined) throw new Error('fixture')
    b = finishAt(b, s3, lateAt, 'COMPLETED')
    single = finishAt(single, s3, lateAt, 'COMPLETED')
    const merged = Metrics.merge(Manager.metrics(a), Manager.metrics(b))
    // including an instant before the latest window move: neither goes back
    for (const now of [BASE + HOUR, lateAt, lateAt + HOUR, BASE + 4 * HOUR]) {
      expect(Metrics.statusJson(merged, NODES, now)).toStrictEqual(Manager.statusJson(single, NODES, now))
    }
    // block 1 (executions 1 and 2) is out, though shard A never moved its own window
    expect(Metrics.statusJson(merged, [NODE_1], lateAt)).toStrictEqual([
      nodeJson(NODE_1, { completed: [[JOB_TYPE_1, 1]] }),
    ])
  })

  it('merging with empty metrics changes no answer', () => {
    const single = run(() => true)
    const merged = Metrics.merge(Manager.metrics(single), Metrics.create(BASE))
    for (const now of [BASE + HOUR, BASE + BLOCK + WINDOW + 1, BASE + 5 * HOUR]) {
      expect(Metrics.statusJson(merged, NODES, now)).toStrictEqual(Manager.statusJson(single, NODES, now))
    }
  })
})

describe('Metrics.statusJson is a pure query', () => {
  it('asking twice gives the same answer; a later now excludes rolled-out blocks without changing the state', () => {
    let state = step(
      Manager.create(BASE),
      {
        type: 'Scheduled',
        executions: [makeSpec(1, NODE_1, JOB_TYPE_1), makeSpec(2, NODE_1, JOB_TYPE_2), makeSpec(3, NODE_1, JOB_TYPE_1)],
      },
      BASE,
    )
    const [s1, s2] = [makeSpec(1, NODE_1, JOB_TYPE_1), makeSpec(2, NODE_1, JOB_TYPE_2)]
    state = finishAt(state, s1, BASE + MINUTE, 'COMPLETED')
    state = finishAt(state, s2, BASE + BLOCK + MINUTE, 'DATA')
    const metrics = deepFreeze(Manager.metrics(state))
    const snapshot = JSON.stringify(metrics)

    const now = BASE + BLOCK + 2 * MINUTE
    const first = Metrics.statusJson(metrics, [NODE_1, NODE_2], now)
    const second = Metrics.statusJson(metrics, [NODE_1, NODE_2], now)
    expect(second).toStrictEqual(first)
    expect(first).toStrictEqual([
      nodeJson(NODE_1, { running: [[JOB_TYPE_1, 1]], completed: [[JOB_TYPE_1, 1]], data: [[JOB_TYPE_2, 1]] }),
      nodeJson(NODE_2),
    ])

    const rolled = Metrics.statusJson(metrics, [NODE_1, NODE_2], BASE + BLOCK + WINDOW + 1)
    expect(rolled).toStrictEqual([
      nodeJson(NODE_1, { running: [[JOB_TYPE_1, 1]], data: [[JOB_TYPE_2, 1]] }),
      nodeJson(NODE_2),
    ])
    expect(Metrics.statusJson(metrics, [NODE_1, NODE_2], BASE + 2 * BLOCK + WINDOW + 1)).toStrictEqual([
      nodeJson(NODE_1, { running: [[JOB_TYPE_1, 1]] }),
      nodeJson(NODE_2),
    ])
    // the state is untouched: the earlier answer again
    expect(JSON.stringify(metrics)).toBe(snapshot)
    expect(Metrics.statusJson(metrics, [NODE_1, NODE_2], now)).toStrictEqual(first)
    expect(Manager.statusJson(state, [NODE_1, NODE_2], now)).toStrictEqual(first)
  })

  it('empty metrics give zeros for every node asked', () => {
    const metrics = Metrics.create(BASE)
    expect(Metrics.statusJson(metrics, ['b', 3, 'a'], BASE)).toStrictEqual([nodeJson('b'), nodeJson(3), nodeJson('a')])
  })
})
