/**
 * The helpers every host wrote by hand (issue 15): starting and launching the
 * next task in one call, a Mesos status or Kubernetes pod to a manager event,
 * a snapshot restored from its text, and a wake-up instant that never lies in
 * the past. Each is total: hostile input gives a `Left`, none or the same
 * state, never a throw.
 */
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { describe, expect, it } from 'vitest'
import { Execution, Ids, Manager, TaskUpdate } from '../src/index'
import {
  BASE_INSTANT,
  eventStream,
  hostileEventStream,
  kubernetesPod,
  malformedKubernetesPod,
  malformedMesosStatus,
  mesosStatus,
} from '../src/testing'
import { deepFreeze, runStream, executionSpec, jobType, runs } from './fixtures'

const T0 = BASE_INSTANT
const SECOND = 1_000
const MINUTE = 60 * SECOND

const spec = (jobId: number, taskTypes: Execution.ExecutionSpec['taskTypes'] = ['pull', 'main']) =>
  executionSpec(jobId, {
    id: 100 + jobId,
    clusterId: Ids.clusterId('fw1', jobId, 1),
    taskTypes,
    jobType: jobType(60 * MINUTE, 'ingest'),
  })

const scheduled = (...jobIds: number[]): Manager.Manager =>
  Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: jobIds.map((id) => spec(id)) }, T0)

const snapshotOf = (state: Manager.Manager): string => JSON.stringify(Manager.toSnapshot(state))

// The two events by hand, as hosts wrote them before `startNextTask`.
const byHand = (state: Manager.Manager, clusterId: string, now: number): Manager.Manager => {
  const started = Manager.reduce(state, { type: 'NextTaskStarted', clusterId }, now)
  const execution = Manager.runningExecution(started, clusterId)
  const task = execution === undefined ? undefined : Execution.currentTask(execution)
  return task === undefined ? started : Manager.reduce(started, { type: 'TaskLaunched', taskId: task.id }, now)
}

const noThrow = <A>(f: () => A): A => {
  try {
    return f()
  } catch (error) {
    throw new Error(`a helper threw: ${String(error)}`, { cause: error })
  }
}

const HOSTILE_VALUES: readonly unknown[] = [
  undefined,
  null,
  0,
  NaN,
  -Infinity,
  '',
  'scale_job_fw1_9x9',
  [],
  {},
  { clusterId: 'scale_job_fw1_1x1' },
  Symbol('id'),
  () => 'scale_job_fw1_1x1',
  new Proxy(
    {},
    {
      get: () => {
        throw new Error('trap')
      },
    },
  ),
]

// --- startNextTask ------------------------------------------------------------------

describe('Manager.startNextTask', () => {
  it('starts and launches the next task in one call, as the two events do', () => {
    const state = deepFreeze(scheduled(1, 2))
    const id = Ids.clusterId('fw1', 1, 1)
    const [task, next] = Manager.startNextTask(state, id, T0 + SECOND)
    expect(task?.id).toBe(`${id}_pull`)
    expect(task?.launched).toBe(T0 + SECOND)
    expect(snapshotOf(next)).toBe(snapshotOf(byHand(state, id, T0 + SECOND)))
    const execution = Manager.runningExecution(next, id)
    expect(execution === undefined ? undefined : Execution.currentTask(execution)).toEqual(task)
    expect(Manager.readyExecutions(next).map((x) => x.clusterId)).toEqual([Ids.clusterId('fw1', 2, 1)])
    // Staging now: reconciled after 30 s without news, as after TaskLaunched.
    expect(Manager.nextDeadline(next)).toEqual(O.some(T0 + SECOND + 30_001))
  })

  it('gives no task and the very same state when the execution is unknown or not ready', () => {
    const state = scheduled(1)
    const id = Ids.clusterId('fw1', 1, 1)
    expect(Manager.startNextTask(state, Ids.clusterId('fw1', 9, 1), T0)).toEqual([undefined, state])
    const [, started] = Manager.startNextTask(state, id, T0)
    const again = Manager.startNextTask(started, id, T0) // it has a current task
    expect(again[0]).toBeUndefined()
    expect(again[1]).toBe(started)
    for (const now of [NaN, 1.5, Infinity, Number.MAX_SAFE_INTEGER + 2]) {
      const [task, same] = Manager.startNextTask(state, id, now)
      expect(task).toBeUndefined()
      expect(same).toBe(state)
    }
  })

  it('launches the retry of a lost task under its new id', () => {
    const id = Ids.clusterId('fw1', 1, 1)
    const [pull, launched] = Manager.startNextTask(scheduled(1), id, T0)
    const lost: TaskUpdate.TaskUpdate = { taskId: pull?.id ?? '', status: 'LOST', timestamp: T0 + SECOND }
    const retrying = Manager.reduce(launched, { type: 'TaskUpdated', update: lost }, T0 + SECOND)
    const [retry] = Manager.startNextTask(retrying, id, T0 + 2 * SECOND)
    expect(retry?.id).toBe(`${id}_pull_lost-1`)
    expect(retry?.launched).toBe(T0 + 2 * SECOND)
  })

  it('never throws on what a JavaScript host may pass as a cluster id', () => {
    const state = scheduled(1)
    for (const hostile of HOSTILE_VALUES) {
      const [task, same] = noThrow(() => Manager.startNextTask(state, hostile as string, T0))
      expect(task).toBeUndefined()
      expect(same).toBe(state)
    }
  })

  test.prop([fc.oneof(eventStream({ maxLength: 60 }), hostileEventStream({ maxLength: 60 })), fc.nat(10 * MINUTE)], {
    numRuns: runs(60),
  })('equals NextTaskStarted then TaskLaunched, for every running execution', (stream, later) => {
    const state = deepFreeze(runStream(stream))
    const now = (stream.events.at(-1)?.now ?? stream.start) + later
    const before = snapshotOf(state)
    for (const execution of Manager.runningExecutions(state)) {
      const [task, next] = Manager.startNextTask(state, execution.clusterId, now)
      if (Execution.isNextTaskReady(execution)) {
        expect(task?.id).toBe(Execution.nextTask(execution)?.id)
        expect(task?.launched).toBe(now)
        expect(snapshotOf(next)).toBe(snapshotOf(byHand(state, execution.clusterId, now)))
      } else {
        // NextTaskStarted would change nothing; neither does the helper (it launches no current task).
        expect(Manager.reduce(state, { type: 'NextTaskStarted', clusterId: execution.clusterId }, now)).toBe(state)
        expect(task).toBeUndefined()
        expect(next).toBe(state)
      }
    }
    expect(snapshotOf(state)).toBe(before)
  })
})

// --- a Mesos status or a Kubernetes pod to a manager event ---------------------------

describe('Manager.taskUpdatedFromMesos and taskUpdatedFromKubernetesPod', () => {
  const ids = ['scale_job_fw1_1x1_main', 'scale_job_fw1_2x1_pull_lost-1']

  it('gives the TaskUpdated event of the decoded status', () => {
    const status = { task_id: { value: ids[0] }, state: 'TASK_RUNNING', timestamp: (T0 + SECOND) / 1000 }
    const event = Manager.taskUpdatedFromMesos(status)
    expect(event).toEqual(
      E.right({ type: 'TaskUpdated', update: { taskId: ids[0], status: 'RUNNING', timestamp: T0 + SECOND } }),
    )
    // It feeds the manager as the hand-written event does.
    const [, launched] = Manager.startNextTask(
      Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [spec(1, ['main'])] }, T0),
      Ids.clusterId('fw1', 1, 1),
      T0,
    )
    if (E.isLeft(event)) throw event.left
    const fed = Manager.reduce(launched, event.right, T0 + SECOND)
    expect(fed).not.toBe(launched)
    expect(Manager.runningExecutions(fed).map(Execution.tasks)[0]?.[0]?.started).toBe(T0 + SECOND)
  })

  it('refuses a malformed status as fromMesos does, naming the path', () => {
    const event = Manager.taskUpdatedFromMesos({ state: 'TASK_RUNNING' })
    expect(E.isLeft(event)).toBe(true)
    if (E.isRight(event)) return
    expect(event.left).toBeInstanceOf(TaskUpdate.InvalidTaskUpdate)
    expect(event.left.problems.map((p) => p.path)).toContain('task_id')
  })

  test.prop([fc.oneof(mesosStatus(ids), malformedMesosStatus(ids), fc.anything(), fc.jsonValue())])(
    'Mesos: never throws, and agrees with TaskUpdate.fromMesos',
    (json) => {
      const event = noThrow(() => Manager.taskUpdatedFromMesos(json))
      const update = TaskUpdate.fromMesos(json)
      if (E.isLeft(update)) expect(E.isLeft(event) && event.left.problems).toEqual(update.left.problems)
      else expect(event).toEqual(E.right({ type: 'TaskUpdated', update: update.right }))
    },
  )

  test.prop([fc.oneof(kubernetesPod(ids), malformedKubernetesPod(ids), fc.anything(), fc.jsonValue())])(
    'Kubernetes: never throws, and agrees with TaskUpdate.fromKubernetesPod',
    (input) => {
      const event = noThrow(() => Manager.taskUpdatedFromKubernetesPod(input))
      const update = TaskUpdate.fromKubernetesPod(input)
      if (E.isLeft(update)) expect(E.isLeft(event) && event.left.problems).toEqual(update.left.problems)
      else expect(event).toEqual(E.right({ type: 'TaskUpdated', update: update.right }))
    },
  )

  it('never throws on hostile values', () => {
    for (const hostile of HOSTILE_VALUES) {
      expect(E.isLeft(noThrow(() => Manager.taskUpdatedFromMesos(hostile)))).toBe(true)
      expect(E.isLeft(noThrow(() => Manager.taskUpdatedFromKubernetesPod(hostile)))).toBe(true)
    }
  })
})

// --- fromSnapshotText --------------------------------------------------------------------

describe('Manager.fromSnapshotText', () => {
  const busy = (): Manager.Manager => {
    const [, one] = Manager.startNextTask(scheduled(1, 2, 3), Ids.clusterId('fw1', 1, 1), T0)
    return Manager.reduce(one, { type: 'NodeLost', nodeId: 2 }, T0 + SECOND)
  }

  it('restores what JSON.stringify(toSnapshot(state)) wrote', () => {
    const text = snapshotOf(busy())
    const restored = Manager.fromSnapshotText(text)
    if (E.isLeft(restored)) throw restored.left
    expect(snapshotOf(restored.right)).toBe(text)
  })

  it('refuses a torn file as a Left with one problem at the root, never a throw', () => {
    const text = snapshotOf(busy())
    for (const cut of [0, 1, 10, Math.floor(text.length / 2), text.length - 1]) {
      const restored = noThrow(() => Manager.fromSnapshotText(text.slice(0, cut)))
      expect(E.isLeft(restored)).toBe(true)
      if (E.isRight(restored)) continue
      expect(restored.left).toBeInstanceOf(Manager.InvalidSnapshot)
      expect(restored.left.problems).toHaveLength(1)
      expect(restored.left.problems[0]?.path).toBe('<root>')
      expect(restored.left.problems[0]?.message).toMatch(/^not JSON \(a torn or truncated file\?\): ./)
    }
  })

  test.prop([fc.nat(), fc.string({ maxLength: 8 })], { numRuns: runs(50) })(
    'any cut of a snapshot, with anything after it, is refused or restores exactly what it says',
    (at, tail) => {
      const text = snapshotOf(busy())
      const cut = text.slice(0, at % text.length) + tail
      const restored = noThrow(() => Manager.fromSnapshotText(cut))
      if (E.isRight(restored)) expect(snapshotOf(restored.right)).toBe(cut)
    },
  )

  it('refuses JSON that is not a snapshot as fromSnapshot does', () => {
    for (const text of ['null', '"snapshot"', '[]', '{}', '{"snapshotVersion":2}']) {
      const restored = Manager.fromSnapshotText(text)
      const expected = Manager.fromSnapshot(JSON.parse(text))
      expect(E.isLeft(restored)).toBe(true)
      expect(E.isLeft(restored) && restored.left.problems).toEqual(E.isLeft(expected) && expected.left.problems)
    }
  })

  it('refuses a text that is not a string as such, even one JSON.parse would read', () => {
    // JSON.parse would turn 42 and true into JSON text and parse them: the refusal must say it got no text.
    for (const [given, shown] of [
      [42, '42'],
      [true, 'true'],
      [null, 'null'],
      [{ snapshotVersion: 2 }, '{"snapshotVersion":2}'],
    ] as const) {
      const restored = Manager.fromSnapshotText(given as unknown as string)
      expect(E.isLeft(restored) && restored.left.problems).toEqual([
        { path: '<root>', message: `expected the snapshot's JSON text, got ${shown}` },
      ])
    }
  })

  it('never throws on a text that is not a string, or is hostile JSON', () => {
    for (const hostile of HOSTILE_VALUES.filter((v) => typeof v !== 'string')) {
      const restored = noThrow(() => Manager.fromSnapshotText(hostile as string))
      expect(E.isLeft(restored) && restored.left.problems[0]?.path).toBe('<root>')
    }
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    for (const text of [deep, '\uFEFF{}', '{"__proto__":{"snapshotVersion":2}}', '1e999']) {
      expect(E.isLeft(noThrow(() => Manager.fromSnapshotText(text)))).toBe(true)
    }
  })
})

// --- fromSnapshot with the host's message guard ---------------------------------------

describe("Manager.fromSnapshot with the host's message guard", () => {
  interface Mine {
    readonly type: 'JobRunning'
    readonly jobId: number
  }
  const isMine = (x: unknown): x is Mine =>
    typeof x === 'object' && x !== null && 'type' in x && x.type === 'JobRunning' && 'jobId' in x
  const queued = (messages: readonly unknown[]): Manager.Snapshot =>
    Manager.toSnapshot(Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [], messages }, T0))

  it("restores a Manager<M> when every queued host message passes the host's guard", () => {
    const mine: Mine[] = [
      { type: 'JobRunning', jobId: 1 },
      { type: 'JobRunning', jobId: 2 },
    ]
    const restored = Manager.fromSnapshot(queued(mine), isMine)
    if (E.isLeft(restored)) throw restored.left
    const typed: Manager.Manager<Mine> = restored.right
    expect(Manager.drain(typed, T0)[0]).toEqual(mine)
  })

  it('refuses each queued message the guard says no to, with its path', () => {
    const snapshot = queued([{ type: 'JobRunning', jobId: 1 }, 'junk', { type: 'Other' }])
    const restored = Manager.fromSnapshot(snapshot, isMine)
    expect(E.isLeft(restored) && restored.left.problems.map((p) => p.path)).toEqual(['outbox.host.1', 'outbox.host.2'])
    // Each problem says what refused the message: the host's own guard.
    for (const problem of E.isLeft(restored) ? restored.left.problems : []) {
      expect(problem.message).toBe("is not one of the host's messages (its guard says no)")
    }
    // Without a guard the same snapshot restores, as a Manager<unknown>.
    expect(E.isRight(Manager.fromSnapshot(snapshot))).toBe(true)
    expect(E.isLeft(Manager.fromSnapshotText(JSON.stringify(snapshot), isMine))).toBe(true)
  })

  it('refuses, never throws, when the guard throws', () => {
    const throwing = (x: unknown): x is Mine => {
      throw new Error(`cannot tell ${String(x)}`)
    }
    const restored = noThrow(() => Manager.fromSnapshot(queued(['a']), throwing))
    expect(E.isLeft(restored) && restored.left.problems.map((p) => p.path)).toEqual(['outbox.host.0'])
  })

  it('still refuses an unsound snapshot before asking the guard', () => {
    let asked = 0
    const counting = (x: unknown): x is Mine => {
      asked++
      return isMine(x)
    }
    expect(E.isLeft(Manager.fromSnapshot({ snapshotVersion: 2 }, counting))).toBe(true)
    expect(asked).toBe(0)
  })
})

// --- nextWakeUp ------------------------------------------------------------------------

describe('Manager.nextWakeUp', () => {
  const id = Ids.clusterId('fw1', 1, 1)
  // A launched task that says nothing: its reconciliation is due 30 s after the launch.
  const silent = (): Manager.Manager => Manager.startNextTask(scheduled(1), id, T0)[1]
  const checked = (state: Manager.Manager, now: number): Manager.Manager =>
    Manager.reduce(Manager.reduce(state, { type: 'TimeoutsChecked' }, now), { type: 'StarvationChecked' }, now)

  it('is none when nothing is due, and the deadline itself when it lies ahead', () => {
    expect(Manager.nextWakeUp(Manager.create(T0), T0)).toEqual(O.none)
    expect(Manager.nextWakeUp(silent(), T0)).toEqual(O.some(T0 + 30_001))
    expect(Manager.nextWakeUp(silent(), T0 + 30_000)).toEqual(O.some(T0 + 30_001))
  })

  it('waits `retry` after a pending reconciliation instead of waking at it (a host would spin)', () => {
    const now = T0 + 30_001
    const state = checked(silent(), now)
    expect(Manager.tasksToReconcile(state, now).map((t) => t.id)).toEqual([`${id}_pull`])
    expect(Manager.nextDeadline(state)).toEqual(O.some(now)) // not in the future: asking changes nothing
    expect(Manager.nextWakeUp(state, now)).toEqual(O.some(now + Manager.WAKE_UP_RETRY))
    expect(Manager.nextWakeUp(state, now + 5 * MINUTE, 2 * SECOND)).toEqual(O.some(now + 5 * MINUTE + 2 * SECOND))
    expect(Manager.WAKE_UP_RETRY).toBe(10 * SECOND)
  })

  it('takes the default for a retry that is not a positive safe integer', () => {
    const now = T0 + MINUTE
    const state = checked(silent(), now)
    for (const retry of [0, -1, 0.5, NaN, Infinity, -Infinity, 2 ** 60, '5' as unknown as number]) {
      expect(Manager.nextWakeUp(state, now, retry)).toEqual(O.some(now + Manager.WAKE_UP_RETRY))
    }
  })

  it('gives nextDeadline as it is for a now that is not a safe integer, and never passes the safe integers', () => {
    const state = silent()
    for (const now of [NaN, Infinity, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
      expect(Manager.nextWakeUp(state, now)).toEqual(Manager.nextDeadline(state))
    }
    const late = Number.MAX_SAFE_INTEGER - MINUTE
    const [, launched] = Manager.startNextTask(
      Manager.reduce(
        Manager.create(late),
        { type: 'Scheduled', executions: [{ ...spec(1), queued: late, started: late }] },
        late,
      ),
      id,
      late,
    )
    const now = Number.MAX_SAFE_INTEGER - 1
    expect(Manager.nextWakeUp(checked(launched, now), now)).toEqual(O.some(Number.MAX_SAFE_INTEGER))
  })

  it('lets a host that sleeps until it settle without spinning', () => {
    let state = silent()
    let now = T0
    let wakeups = 0
    // The cluster never answers: the host wakes every `retry` until the staging timeout, then the kill is due.
    for (let wake = Manager.nextWakeUp(state, now); O.isSome(wake) && now < T0 + 3 * MINUTE;) {
      expect(wake.value).toBeGreaterThan(now)
      now = wake.value
      state = checked(state, now)
      wakeups++
      wake = Manager.nextWakeUp(state, now)
    }
    expect(Manager.tasksToKill(state).map((t) => t.id)).toEqual([`${id}_pull`])
    expect(wakeups).toBeLessThan(30)
  })

  test.prop(
    [
      fc.oneof(eventStream({ maxLength: 80 }), hostileEventStream({ maxLength: 80 })),
      fc.nat(30 * MINUTE),
      fc.integer({ min: 1, max: MINUTE }),
    ],
    {
      numRuns: runs(80),
    },
  )(
    'after the checks, it is nextDeadline when ahead, else now + retry: never at or before now',
    (stream, later, retry) => {
      const now = (stream.events.at(-1)?.now ?? stream.start) + later
      const state = checked(runStream(stream), now)
      const wake = Manager.nextWakeUp(state, now, retry)
      const deadline = Manager.nextDeadline(state)
      if (O.isNone(deadline)) expect(wake).toEqual(O.none)
      else expect(wake).toEqual(O.some(deadline.value > now ? deadline.value : now + retry))
      if (O.isSome(wake)) expect(wake.value).toBeGreaterThan(now)
      // A deadline not ahead after the checks is a reconciliation the host was told about.
      if (O.isSome(deadline) && deadline.value <= now) expect(Manager.tasksToReconcile(state, now)).not.toEqual([])
    },
  )
})
