// The lazy deadline index (src/internal/deadlineIndex.ts): its invariant holds
// over generated streams, and its check, which checkInvariants calls, catches
// an index that breaks it.
import { test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { Execution, Ids, Manager } from '../src/index'
import * as Deadlines from '../src/internal/deadlineIndex'
import * as HM from '../src/internal/hashMap'
import * as SM from '../src/internal/sortedMap'
import { fromInternal, toInternal, withChanges } from '../src/internal/managerState'
import { checkInvariants, hostileEventStream } from '../src/testing'
import { runStream } from './fixtures'

const T0 = Date.UTC(2026, 0, 1)

const spec = (id: number): Execution.ExecutionSpec => ({
  id,
  clusterId: Ids.clusterId('fw1', 100 + id, 1),
  jobId: 100 + id,
  exeNum: 1,
  jobTypeId: 1,
  nodeId: 1,
  agentId: 'agent-1',
  queued: T0,
  started: T0,
  jobType: { name: 'ingest', isSystem: false, isLongRunning: false, timeout: 3_600_000 },
})

// Two executions whose staging tasks were launched at T0 and T0 + 1: two deadlines.
const launched = (): Manager.Manager => {
  let state = Manager.create(T0)
  state = Manager.reduce(state, { type: 'Scheduled', executions: [spec(1), spec(2)] }, T0)
  for (const [id, at] of [
    [1, T0],
    [2, T0 + 1],
  ] as const) {
    state = Manager.startNextTask(state, spec(id).clusterId, at)[1]
  }
  return state
}

// The index driven one execution at a time, as indexMaintenance.reindex does:
// the running map first takes the change, then the index follows it.
type Running = HM.HashMap<Ids.ClusterId, Execution.Execution>
interface Indexed {
  readonly index: Deadlines.DeadlineIndex
  readonly running: Running
}

const none: Indexed = { index: Deadlines.empty, running: HM.empty }

const step = ({ index, running }: Indexed, id: Ids.ClusterId, after: Execution.Execution | undefined): Indexed => {
  const hash = HM.hashString(id)
  const next = after === undefined ? HM.remove(running, id, hash) : HM.set(running, id, hash, after)
  return { index: Deadlines.update(index, next, id, hash, after), running: next }
}

const taskOf = (id: number): Ids.TaskId => Ids.taskId(spec(id).clusterId, 'pull')
// Execution `id` with its staging task started and launched at `at`: reconciled at at + 30,001 unless it reports.
const launchedAt = (id: number, at: number): Execution.Execution => {
  const started = Execution.reduce(Execution.create(spec(id)), { type: 'NextTaskStarted' }, at)
  return Execution.reduce(started, { type: 'TaskLaunched', taskId: taskOf(id) }, at)
}
// The same execution once its task reported RUNNING at `at`: its reconciliation moves out by minutes.
const reportedAt = (execution: Execution.Execution, id: number, at: number): Execution.Execution =>
  Execution.reduce(
    execution,
    { type: 'TaskUpdated', update: { taskId: taskOf(id), status: 'RUNNING', timestamp: at } },
    at,
  )

describe('the deadline index', () => {
  test.prop([hostileEventStream()])('keeps its invariant after every event', (stream) => {
    runStream(stream, (state, index) => {
      const { deadlines, running } = toInternal(state)
      expect(Deadlines.brokenInvariants(deadlines, running), `after event ${index}`).toEqual([])
    })
  })

  it('is sound for two launched tasks, the first key exact', () => {
    const state = launched()
    const { deadlines, running } = toInternal(state)
    expect(Deadlines.brokenInvariants(deadlines, running)).toEqual([])
    expect(Deadlines.earliest(deadlines)).toBe(T0 + 30_001)
    expect(Deadlines.dueAt(deadlines, running, T0 + 30_002)).toEqual([spec(1).clusterId, spec(2).clusterId])
  })

  it('an earliest deadline that is not the first key is caught, by its check and by checkInvariants', () => {
    const state = toInternal(launched())
    const broken: Deadlines.DeadlineIndex = { ...state.deadlines, earliest: T0 + 30_000 }
    expect(Deadlines.brokenInvariants(broken, state.running)).toEqual([
      'the earliest deadline is not the first key',
      'the earliest deadline is not the earliest of the executions',
    ])
    expect(checkInvariants(fromInternal(withChanges(state, { deadlines: broken })))).toContain(
      'the earliest deadline is not the first key',
    )
  })

  it('an execution missing from the index is caught', () => {
    const state = toInternal(launched())
    const second = spec(2).clusterId
    const missing = Deadlines.update(
      state.deadlines,
      HM.remove(state.running, second, HM.hashString(second)),
      second,
      HM.hashString(second),
      undefined,
    )
    expect(Deadlines.brokenInvariants(missing, state.running)).toEqual([
      `the deadline of ${second} is not indexed at or before it`,
    ])
    expect(checkInvariants(fromInternal(withChanges(state, { deadlines: missing })))).toContain(
      `the deadline of ${second} is not indexed at or before it`,
    )
  })
})

describe('the deadline index, step by step', () => {
  const one = spec(1).clusterId
  const two = spec(2).clusterId
  // Execution 1 due first, execution 2 one millisecond later.
  const a = launchedAt(1, T0)
  const b = launchedAt(2, T0 + 1)
  const both = (): Indexed => step(step(none, one, a), two, b)

  it('indexes each deadline exactly when it comes earlier', () => {
    const { index, running } = both()
    expect(Execution.deadline(a)).toBe(T0 + 30_001)
    expect(Execution.deadline(b)).toBe(T0 + 30_002)
    expect(HM.get(index.keys, one, HM.hashString(one))).toBe(T0 + 30_001)
    expect(HM.get(index.keys, two, HM.hashString(two))).toBe(T0 + 30_002)
    expect(Deadlines.earliest(index)).toBe(T0 + 30_001)
    expect(Deadlines.brokenInvariants(index, running)).toEqual([])
  })

  it('a later deadline behind the first keeps its key, a lower bound, and the very same index comes back', () => {
    const before = both()
    const later = reportedAt(b, 2, T0 + 5)
    expect(Execution.deadline(later)).toBeGreaterThan(T0 + 30_002)
    const after = step(before, two, later)
    expect(after.index).toBe(before.index)
    expect(HM.get(after.index.keys, two, HM.hashString(two))).toBe(T0 + 30_002)
    expect(Deadlines.brokenInvariants(after.index, after.running)).toEqual([])
  })

  it('an execution changed without its deadline moving leaves the very same index', () => {
    const before = both()
    // A kill request changes the execution, not its reconciliation deadline.
    for (const [id, execution] of [
      [one, a],
      [two, b],
    ] as const) {
      const killed = Execution.reduce(execution, { type: 'KillRequested' }, T0 + 10)
      expect(killed).not.toBe(execution)
      expect(Execution.deadline(killed)).toBe(Execution.deadline(execution))
      expect(step(before, id, killed).index).toBe(before.index)
    }
  })

  it('an execution without a deadline is not indexed, coming or going: the very same index comes back', () => {
    const before = both()
    const third = spec(3).clusterId
    // Started, not launched, still RUNNING: no check would act on it yet.
    const waiting = Execution.reduce(Execution.create(spec(3)), { type: 'NextTaskStarted' }, T0)
    expect(Execution.deadline(waiting)).toBeUndefined()
    const added = step(before, third, waiting)
    expect(added.index).toBe(before.index)
    expect(HM.has(added.index.keys, third, HM.hashString(third))).toBe(false)
    const gone = step(added, third, undefined)
    expect(gone.index).toBe(before.index)
    expect(Deadlines.brokenInvariants(gone.index, gone.running)).toEqual([])
  })

  it('an earlier deadline moves its key there, and becomes the earliest', () => {
    const before = step(step(none, one, reportedAt(a, 1, T0 + 5)), two, b)
    expect(Deadlines.earliest(before.index)).toBe(T0 + 30_002)
    const earlier = launchedAt(1, T0 - 10)
    const after = step(before, one, earlier)
    expect(HM.get(after.index.keys, one, HM.hashString(one))).toBe(T0 + 29_991)
    expect(Deadlines.earliest(after.index)).toBe(T0 + 29_991)
    expect(Deadlines.brokenInvariants(after.index, after.running)).toEqual([])
  })

  it('a stale key is not due: only the executions whose own deadline has come are, by deadline', () => {
    const later = reportedAt(b, 2, T0 + 5)
    const { index, running } = step(both(), two, later)
    // Execution 2's key (T0 + 30,002) has come, its deadline has not.
    expect(Deadlines.dueAt(index, running, T0 + 30_002)).toEqual([one])
    expect(Deadlines.dueAt(index, running, T0 + 30_000)).toEqual([])
    const laterDue = Execution.deadline(later) ?? Number.NaN
    expect(Deadlines.dueAt(index, running, laterDue)).toEqual([one, two])
  })

  it('when the first execution ends, the stale keys behind it settle to their deadlines', () => {
    const later = reportedAt(b, 2, T0 + 5)
    const after = step(step(both(), two, later), one, undefined)
    expect(HM.has(after.index.keys, one, HM.hashString(one))).toBe(false)
    expect(HM.get(after.index.keys, two, HM.hashString(two))).toBe(Execution.deadline(later))
    expect(Deadlines.earliest(after.index)).toBe(Execution.deadline(later))
    expect(Deadlines.brokenInvariants(after.index, after.running)).toEqual([])
    const empty = step(after, two, undefined)
    expect(Deadlines.earliest(empty.index)).toBeUndefined()
    expect(Deadlines.brokenInvariants(empty.index, empty.running)).toEqual([])
  })
})

describe('the deadline index, executions sharing an instant', () => {
  const ids = [1, 2, 3].map((id) => spec(id).clusterId)
  const due = T0 + 30_001
  const three = (): Indexed =>
    [1, 2, 3].reduce<Indexed>((acc, id, i) => step(acc, ids[i] ?? '', launchedAt(id, T0)), none)
  const groupAt = (index: Deadlines.DeadlineIndex, at: Ids.Instant): Deadlines.Group | undefined =>
    SM.get(index.tree, at, (x, y) => x - y)

  it('share one key, listed due by cluster id', () => {
    const { index, running } = three()
    const group = groupAt(index, due)
    expect(typeof group === 'string' ? [group] : HM.keys(group ?? HM.empty).sort()).toEqual([...ids].sort())
    expect(SM.size(index.tree)).toBe(1)
    expect(Deadlines.dueAt(index, running, due)).toEqual([...ids].sort())
    expect(Deadlines.brokenInvariants(index, running)).toEqual([])
  })

  it('leave it one by one, the last alone under it as its id, then none', () => {
    let at = three()
    for (const [left, id] of ids.entries()) {
      at = step(at, id, undefined)
      expect(Deadlines.brokenInvariants(at.index, at.running)).toEqual([])
      if (left === 1) expect(typeof groupAt(at.index, due)).toBe('string')
    }
    expect(at.index.tree).toBe(SM.empty)
    expect(Deadlines.earliest(at.index)).toBeUndefined()
  })

  it('settle their stale members when the exact ones end, each to its own deadline', () => {
    let at = three()
    // Two report RUNNING: their deadlines move out, their keys stay (lower bounds).
    const reported = [2, 3].map((id) => reportedAt(launchedAt(id, T0), id, T0 + 5))
    at = step(step(at, ids[1] ?? '', reported[0]), ids[2] ?? '', reported[1])
    expect(Deadlines.earliest(at.index)).toBe(due)
    expect(Deadlines.brokenInvariants(at.index, at.running)).toEqual([])
    at = step(at, ids[0] ?? '', undefined)
    const later = Execution.deadline(reported[0] ?? launchedAt(2, T0))
    expect(later).toBeGreaterThan(due)
    expect(Deadlines.earliest(at.index)).toBe(later)
    expect(groupAt(at.index, due)).toBeUndefined()
    expect(Deadlines.brokenInvariants(at.index, at.running)).toEqual([])
  })
})

// Indexes built by hand, each breaking one clause of the invariant, against
// two running executions due at T0 + 30,001 and T0 + 30,002.
describe('the deadline index check', () => {
  type Key = readonly [Ids.Instant, Ids.ClusterId]
  const byInstant = (x: Ids.Instant, y: Ids.Instant): number => x - y
  // The executions of each instant as its group: one id alone, several as a set.
  const tree = (keys: readonly Key[], compare = byInstant): SM.Tree<Ids.Instant, Deadlines.Group> => {
    const ids = new Map<Ids.Instant, Ids.ClusterId[]>()
    for (const [at, id] of keys) ids.set(at, [...(ids.get(at) ?? []), id])
    return [...ids].reduce<SM.Tree<Ids.Instant, Deadlines.Group>>(
      (t, [at, [first, ...more]]) =>
        SM.set(t, at, more.length === 0 && first !== undefined ? first : setOf([first, ...more]), compare),
      SM.empty,
    )
  }
  const setOf = (ids: ReadonlyArray<Ids.ClusterId | undefined>): HM.HashMap<Ids.ClusterId, true> =>
    ids.reduce<HM.HashMap<Ids.ClusterId, true>>(
      (set, id) => (id === undefined ? set : HM.set(set, id, HM.hashString(id), true)),
      HM.empty,
    )
  const keysOf = (
    entries: ReadonlyArray<readonly [Ids.ClusterId, Ids.Instant]>,
  ): HM.HashMap<Ids.ClusterId, Ids.Instant> =>
    entries.reduce<HM.HashMap<Ids.ClusterId, Ids.Instant>>(
      (map, [id, key]) => HM.set(map, id, HM.hashString(id), key),
      HM.empty,
    )

  const { running } = toInternal(launched())
  const one = spec(1).clusterId
  const two = spec(2).clusterId
  const [due1, due2] = [T0 + 30_001, T0 + 30_002]
  const sound: Deadlines.DeadlineIndex = {
    tree: tree([
      [due1, one],
      [due2, two],
    ]),
    keys: keysOf([
      [one, due1],
      [two, due2],
    ]),
    earliest: due1,
  }

  it('finds nothing wrong in the index built by hand', () => {
    expect(Deadlines.brokenInvariants(sound, running)).toEqual([])
  })

  it('catches a tree out of order', () => {
    // Built with the order reversed: the later key sits left of the earlier.
    const reversed = tree(
      [
        [due1, one],
        [due2, two],
      ],
      (x, y) => byInstant(y, x),
    )
    expect(Deadlines.brokenInvariants({ ...sound, tree: reversed }, running)).toContain(
      'the deadline tree is not balanced and ordered',
    )
  })

  it('catches two keys in the tree for one execution', () => {
    const twice = tree([
      [due1, one],
      [due2, two],
      [due2 + 5, two],
    ])
    expect(Deadlines.brokenInvariants({ ...sound, tree: twice }, running)).toContain(
      'the deadline index has more than one key for an execution',
    )
  })

  it('catches a set group of one execution, which should stand as its id', () => {
    const single = SM.set(tree([[due2, two]]), due1, setOf([one]), byInstant)
    expect(Deadlines.brokenInvariants({ ...sound, tree: single }, running)).toEqual([
      'a deadline group holds fewer than two executions',
    ])
  })

  it('catches a recorded key that is not in the tree', () => {
    const short = tree([[due1, one]])
    expect(Deadlines.brokenInvariants({ ...sound, tree: short }, running)).toEqual([
      'the deadline index has more than one key for an execution',
      `the deadline key of ${two} is not the one in the tree`,
      `the deadline of ${two} is not indexed at or before it`,
    ])
  })

  it('catches a recorded key that differs from the one in the tree', () => {
    const keys = keysOf([
      [one, due1],
      [two, due2 - 1],
    ])
    expect(Deadlines.brokenInvariants({ ...sound, keys }, running)).toEqual([
      `the deadline key of ${two} is not the one in the tree`,
    ])
  })

  it('catches a key of an execution that is not running', () => {
    const third = spec(3).clusterId
    const index: Deadlines.DeadlineIndex = {
      tree: tree([
        [due1, one],
        [due2, two],
        [due2 + 1, third],
      ]),
      keys: keysOf([
        [one, due1],
        [two, due2],
        [third, due2 + 1],
      ]),
      earliest: due1,
    }
    expect(Deadlines.brokenInvariants(index, running)).toEqual([`${third} has a deadline key but is not running`])
  })

  it('catches a key after its deadline, which the periodic checks would reach too late', () => {
    const late = due2 + 1_000
    const index: Deadlines.DeadlineIndex = {
      ...sound,
      tree: tree([
        [due1, one],
        [late, two],
      ]),
      keys: keysOf([
        [one, due1],
        [two, late],
      ]),
    }
    expect(Deadlines.brokenInvariants(index, running)).toEqual([
      `the deadline of ${two} is not indexed at or before it`,
    ])
  })
})
