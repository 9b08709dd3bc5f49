/**
 * Scenario tests of the manager of running executions (contract §§6, 7, 10,
 * 11, 12), through the public API only.
 */
import fc from 'fast-check'
import * as O from 'fp-ts/Option'
import { describe, expect, it } from 'vitest'
import { Errors, Execution, Ids, Manager } from '../src/index'
import type { Task, TaskUpdate } from '../src/index'
import { nodeJson, type Rows, deepFreeze, runs } from './fixtures'
import { checkInvariants } from '../src/testing'

// --- fixtures -------------------------------------------------------------------

type State = Manager.Manager
type Event = Manager.ManagerEvent
type Spec = Execution.ExecutionSpec
type Update = TaskUpdate.TaskUpdate
type Status = TaskUpdate.TaskStatus
type TaskType = Task.TaskType
type EndRecord = Execution.EndRecord

/** 2026-01-01T00:00:00Z: a multiple of 5 minutes since the epoch. */
const BASE = Date.UTC(2026, 0, 1)
const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const FW = 'fw1'

const dataError: Errors.JobError = { name: 'bad-input', category: 'DATA', title: 'Bad input data' }
const algError: Errors.JobError = { name: 'alg-crash', category: 'ALGORITHM', title: 'Algorithm crashed' }
const nodeLost = Errors.BUILTIN['node-lost']

interface SpecInput {
  readonly id: number
  readonly jobId?: number
  readonly exeNum?: number
  readonly jobTypeId?: number
  readonly nodeId?: Ids.NodeId
  readonly taskTypes?: readonly TaskType[]
  readonly timeout?: number
  readonly isSystem?: boolean
  readonly isLongRunning?: boolean
}

const QUEUED = BASE - 20 * SECOND
const STARTED = BASE - 10 * SECOND

const makeSpec = (x: SpecInput): Spec => {
  const jobId = x.jobId ?? 1000 + x.id
  const exeNum = x.exeNum ?? 1
  const jobTypeId = x.jobTypeId ?? 1
  const nodeId = x.nodeId ?? 1
  return {
    id: x.id,
    clusterId: Ids.clusterId(FW, jobId, exeNum),
    jobId,
    exeNum,
    jobTypeId,
    nodeId,
    agentId: `agent-${String(nodeId)}`,
    queued: QUEUED,
    started: STARTED,
    taskTypes: x.taskTypes,
    jobType: {
      name: `type-${jobTypeId}`,
      isSystem: x.isSystem ?? false,
      isLongRunning: x.isLongRunning ?? false,
      timeout: x.timeout ?? HOUR,
      errorMapping: { 1: dataError, 2: algError },
    },
  }
}

const taskIdOf = (spec: Spec, type: TaskType): string => `${spec.clusterId}_${type}`

const upd = (taskId: string, status: Status, timestamp: number, extra: Partial<Update> = {}): Update => ({
  taskId,
  agentId: 'agent-1',
  status,
  timestamp,
  ...extra,
})

const iso = (instant: number): string => new Date(instant).toISOString()

const step = (state: State, event: Event, now: number): State =>
  Manager.reduce(deepFreeze(state), deepFreeze(event), now)

const drain = (state: State, now: number): readonly [readonly unknown[], State] => Manager.drain(deepFreeze(state), now)

const schedule = (specs: readonly Spec[], now = BASE, state: State = Manager.create(now)): State =>
  step(state, { type: 'Scheduled', executions: specs }, now)

const running = (state: State, spec: Spec): Execution.Execution => {
  const exe = Manager.runningExecution(state, spec.clusterId)
  if (exe === undefined) throw new Error(`${spec.clusterId} is not running`)
  return exe
}

const current = (state: State, spec: Spec): Task.Task => {
  const task = Execution.currentTask(running(state, spec))
  if (task === undefined) throw new Error(`${spec.clusterId} has no current task`)
  return task
}

/** Starts and launches the next task (of `type`) at `now`. */
const launch = (state: State, spec: Spec, type: TaskType, now: number): State => {
  const started = step(state, { type: 'NextTaskStarted', clusterId: spec.clusterId }, now)
  return step(started, { type: 'TaskLaunched', taskId: taskIdOf(spec, type) }, now)
}

/** Launches the task at `now` and reports it RUNNING at `now + 1`. */
const launchAndRun = (state: State, spec: Spec, type: TaskType, now: number): State =>
  step(
    launch(state, spec, type, now),
    { type: 'TaskUpdated', update: upd(taskIdOf(spec, type), 'RUNNING', now + 1) },
    now + 1,
  )

/** Runs one task to FINISHED: launched at `now`, RUNNING at `now + 1`, FINISHED at `now + 2`. */
const runTask = (state: State, spec: Spec, type: TaskType, now: number): State =>
  step(
    launchAndRun(state, spec, type, now),
    { type: 'TaskUpdated', update: upd(taskIdOf(spec, type), 'FINISHED', now + 2) },
    now + 2,
  )

// --- expected status JSON ---------------------------------------------------------

// --- messages -------------------------------------------------------------------

const isManagerMessage = (m: unknown): m is Manager.Message =>
  typeof m === 'object' &&
  m !== null &&
  'type' in m &&
  (m.type === 'JobExeEnd' || m.type === 'CompletedJobs' || m.type === 'FailedJobs')

const endRecordsOf = (messages: readonly unknown[]): readonly EndRecord[] =>
  messages.flatMap((m) => (isManagerMessage(m) && m.type === 'JobExeEnd' ? m.records : []))

const notLaunched = (spec: Spec, types: readonly TaskType[]) =>
  types.map((type) => ({ task_id: taskIdOf(spec, type), type, was_launched: false }))

const ALL_TYPES: readonly TaskType[] = ['pull', 'pre', 'main', 'post']

// ---------------------------------------------------------------------------------

describe('scheduling and the status JSON', () => {
  it('counts scheduled executions as running per node and job type, nodes in the given order', () => {
    const specs = [
      makeSpec({ id: 1, nodeId: 1, jobTypeId: 30 }),
      makeSpec({ id: 2, nodeId: 1, jobTypeId: 4 }),
      makeSpec({ id: 3, nodeId: 1, jobTypeId: 4 }),
      makeSpec({ id: 4, nodeId: 1, jobTypeId: 12 }),
      makeSpec({ id: 5, nodeId: 2, jobTypeId: 4 }),
    ]
    const state = schedule(specs)
    expect(Manager.runningExecutions(state)).toHaveLength(5)
    for (const spec of specs) {
      const exe = running(state, spec)
      expect(Execution.status(exe)).toBe('RUNNING')
      expect(Execution.currentTask(exe)).toBeUndefined()
      expect(Execution.nextTask(exe)?.id).toBe(taskIdOf(spec, 'pull'))
    }
    expect(Manager.statusJson(state, [2, 'edge', 1], BASE)).toStrictEqual([
      nodeJson(2, { running: [[4, 1]] }),
      nodeJson('edge'),
      // sorted by job type id ascending, numerically (4 < 12 < 30)
      nodeJson(1, {
        running: [
          [4, 2],
          [12, 1],
          [30, 1],
        ],
      }),
    ])
    expect(Manager.statusJson(state, [1], BASE)[0]?.job_executions.running.total).toBe(4)
    expect(Manager.statusJson(state, [], BASE)).toStrictEqual([])
  })

  it('gives a node with nothing zeros and empty lists', () => {
    expect(Manager.statusJson(Manager.create(BASE), [7], BASE)).toStrictEqual([
      {
        id: 7,
        job_executions: {
          running: { total: 0, by_job_type: [] },
          completed: { total: 0, by_job_type: [] },
          failed: {
            total: 0,
            algorithm: { total: 0, by_job_type: [] },
            data: { total: 0, by_job_type: [] },
            system: { total: 0, by_job_type: [] },
          },
        },
      },
    ])
  })

  it('accepts executions as well as specs', () => {
    const spec = makeSpec({ id: 1, jobTypeId: 9 })
    const exe = Execution.create(spec)
    const state = step(Manager.create(BASE), { type: 'Scheduled', executions: [exe] }, BASE)
    expect(Manager.runningExecution(state, spec.clusterId)).toEqual(exe)
    expect(Manager.statusJson(state, [1], BASE)).toStrictEqual([nodeJson(1, { running: [[9, 1]] })])
  })

  it('scheduling adds to what is already running', () => {
    const first = schedule([makeSpec({ id: 1, jobTypeId: 2 })])
    const second = schedule(
      [makeSpec({ id: 2, jobTypeId: 2 }), makeSpec({ id: 3, jobTypeId: 3, nodeId: 5 })],
      BASE + 1,
      first,
    )
    expect(
      Manager.runningExecutions(second)
        .map((e) => e.id)
        .sort(),
    ).toEqual([1, 2, 3])
    expect(Manager.statusJson(second, [1, 5], BASE + 1)).toStrictEqual([
      nodeJson(1, { running: [[2, 2]] }),
      nodeJson(5, { running: [[3, 1]] }),
    ])
  })
})

describe('a full lifecycle driven through the manager', () => {
  it('runs pull, pre, main and post to a COMPLETED end record and a CompletedJobs message', () => {
    const spec = makeSpec({ id: 7, jobId: 42, exeNum: 3, jobTypeId: 5, nodeId: 2 })
    const cid = spec.clusterId
    let state = schedule([spec])
    const expectedTasks: object[] = []
    let t = BASE
    let last = BASE
    for (const [i, type] of ALL_TYPES.entries()) {
      t += MINUTE
      const id = taskIdOf(spec, type)
      state = step(state, { type: 'NextTaskStarted', clusterId: cid }, t)
      expect(current(state, spec).id).toBe(id)
      expect(current(state, spec).launched).toBeUndefined()

      state = step(state, { type: 'TaskLaunched', taskId: id }, t + 100)
      expect(current(state, spec).launched).toBe(t + 100)
      expect(current(state, spec).started).toBeUndefined()

      state = step(state, { type: 'TaskUpdated', update: upd(id, 'RUNNING', t + 150) }, t + 200)
      expect(current(state, spec).started).toBe(t + 150)
      expect(Execution.status(running(state, spec))).toBe('RUNNING')

      if (type === 'post') {
        // still running: counted as running until the last update
        expect(Manager.statusJson(state, [2], t + 200)).toStrictEqual([nodeJson(2, { running: [[5, 1]] })])
      }

      const finishedUpdate = upd(id, 'FINISHED', t + 250, type === 'main' ? { exitCode: 0 } : {})
      state = step(state, { type: 'TaskUpdated', update: finishedUpdate }, t + 300)
      last = t + 300
      if (type !== 'post') {
        const exe = running(state, spec)
        expect(Execution.status(exe)).toBe('RUNNING')
        expect(Execution.currentTask(exe)).toBeUndefined()
        expect(Execution.isNextTaskReady(exe)).toBe(true)
        expect(Execution.nextTask(exe)?.type).toBe(ALL_TYPES[i + 1])
      }
      expectedTasks.push({
        task_id: id,
        type,
        was_launched: true,
        launched: iso(t + 100),
        was_started: true,
        started: iso(t + 150),
        was_timed_out: false,
        ended: iso(t + 250),
        status: 'FINISHED',
        exit_code: 0,
      })
    }

    // the execution left the running set
    expect(Manager.runningExecution(state, cid)).toBeUndefined()
    expect(Manager.runningExecutions(state)).toEqual([])
    expect(Manager.tasksToKill(state)).toEqual([])
    expect(Manager.tasksToReconcile(state, last + HOUR)).toEqual([])
    // metrics moved from running to completed
    expect(Manager.statusJson(state, [2], last)).toStrictEqual([nodeJson(2, { completed: [[5, 1]] })])

    const drainedAt = last + 5 * SECOND
    const [messages, drained] = drain(state, drainedAt)
    const record = {
      id: 7,
      clusterId: cid,
      jobId: 42,
      exeNum: 3,
      jobTypeId: 5,
      nodeId: 2,
      status: 'COMPLETED',
      queued: QUEUED,
      started: STARTED,
      finished: last,
      taskResults: { version: '1.0', tasks: expectedTasks },
    }
    expect(messages).toEqual([
      { type: 'JobExeEnd', records: [record] },
      { type: 'CompletedJobs', jobs: [{ jobId: 42, exeNum: 3 }], when: drainedAt },
    ])
    expect(endRecordsOf(messages)[0]?.error).toBeUndefined()
    expect(drain(drained, drainedAt + 1)[0]).toEqual([])
  })

  it('ignores a repeated terminal update after the execution finished', () => {
    const spec = makeSpec({ id: 1, taskTypes: ['main'] })
    const done = runTask(schedule([spec]), spec, 'main', BASE + SECOND)
    expect(Manager.runningExecution(done, spec.clusterId)).toBeUndefined()
    const again = step(
      done,
      { type: 'TaskUpdated', update: upd(taskIdOf(spec, 'main'), 'FINISHED', BASE + 2 * SECOND + 2) },
      BASE + 5 * SECOND,
    )
    expect(again).toBe(done)
  })

  it('absorbs a repeated RUNNING update with no change', () => {
    const spec = makeSpec({ id: 1, taskTypes: ['main'] })
    const runningState = launchAndRun(schedule([spec]), spec, 'main', BASE + SECOND)
    const again = step(
      runningState,
      { type: 'TaskUpdated', update: upd(taskIdOf(spec, 'main'), 'RUNNING', BASE + SECOND + 1) },
      BASE + 2 * SECOND,
    )
    expect(again).toBe(runningState)
  })
})

describe('a failure', () => {
  it.each([
    [1, dataError, [] as Rows, [[5, 1]] as Rows],
    [2, algError, [[5, 1]] as Rows, [] as Rows],
    [77, Errors.BUILTIN['algorithm-unknown'], [[5, 1]] as Rows, [] as Rows],
  ])('main exiting with %i ends in FailedJobs with the mapped error', (exitCode, error, algorithm, data) => {
    const spec = makeSpec({ id: 3, jobId: 30, exeNum: 2, jobTypeId: 5, taskTypes: ['main'] })
    let state = launchAndRun(schedule([spec]), spec, 'main', BASE + SECOND)
    const failedAt = BASE + 10 * SECOND
    state = step(
      state,
      { type: 'TaskUpdated', update: upd(taskIdOf(spec, 'main'), 'FAILED', failedAt - 50, { exitCode }) },
      failedAt,
    )
    expect(Manager.runningExecution(state, spec.clusterId)).toBeUndefined()
    expect(Manager.statusJson(state, [1], failedAt)).toStrictEqual([nodeJson(1, { algorithm, data })])

    const [messages] = drain(state, failedAt + 7)
    expect(messages).toEqual([
      {
        type: 'JobExeEnd',
        records: [
          {
            id: 3,
            clusterId: spec.clusterId,
            jobId: 30,
            exeNum: 2,
            jobTypeId: 5,
            nodeId: 1,
            status: 'FAILED',
            error,
            queued: QUEUED,
            started: STARTED,
            finished: failedAt,
            taskResults: {
              version: '1.0',
              tasks: [
                {
                  task_id: taskIdOf(spec, 'main'),
                  type: 'main',
                  was_launched: true,
                  launched: iso(BASE + SECOND),
                  was_started: true,
                  started: iso(BASE + SECOND + 1),
                  was_timed_out: false,
                  ended: iso(failedAt - 50),
                  status: 'FAILED',
                  exit_code: exitCode,
                },
              ],
            },
          },
        ],
      },
      { type: 'FailedJobs', jobs: [{ jobId: 30, exeNum: 2, error }], when: failedAt + 7 },
    ])
  })
})

describe('a main task failing with no exit code, or 0', () => {
  // Scale's error mapping returns nothing for them (even with an entry for 0):
  // the general error, SYSTEM, counted as a system failure.
  it.each([
    [undefined, undefined, Errors.BUILTIN.unknown],
    [0, undefined, Errors.BUILTIN.unknown],
    [undefined, 'REASON_EXECUTOR_TERMINATED', Errors.BUILTIN['docker-terminated']],
    [0, 'REASON_EXECUTOR_TERMINATED', Errors.BUILTIN['docker-terminated']],
  ])('exit code %s, reason %s: FailedJobs with %o, a system failure', (exitCode, reason, error) => {
    const base = makeSpec({ id: 4, jobId: 40, jobTypeId: 5, taskTypes: ['main'] })
    const spec: Spec = { ...base, jobType: { ...base.jobType, errorMapping: { 0: algError, 2: algError } } }
    let state = launchAndRun(schedule([spec]), spec, 'main', BASE + SECOND)
    const failedAt = BASE + 10 * SECOND
    const extra: Partial<Update> = {
      ...(exitCode === undefined ? {} : { exitCode }),
      ...(reason === undefined ? {} : { reason }),
    }
    state = step(
      state,
      { type: 'TaskUpdated', update: upd(taskIdOf(spec, 'main'), 'FAILED', failedAt, extra) },
      failedAt,
    )
    expect(Manager.statusJson(state, [1], failedAt)).toStrictEqual([nodeJson(1, { system: [[5, 1]] })])
    const [messages] = drain(state, failedAt + 1)
    expect(messages.filter(Manager.isMessage).find((m) => m.type === 'FailedJobs')).toEqual({
      type: 'FailedJobs',
      jobs: [{ jobId: 40, exeNum: 1, error }],
      when: failedAt + 1,
    })
  })
})

describe('draining the outbox', () => {
  it('the second drain returns nothing and the very same state', () => {
    const spec = makeSpec({ id: 1, taskTypes: ['main'] })
    const done = runTask(schedule([spec]), spec, 'main', BASE + SECOND)
    const [first, once] = drain(done, BASE + MINUTE)
    expect(first).toHaveLength(2)
    const [second, twice] = drain(once, BASE + 2 * MINUTE)
    expect(second).toEqual([])
    expect(twice).toBe(once)
  })

  it('an empty manager drains to nothing and the very same state', () => {
    const state = Manager.create(BASE)
    const [messages, after] = drain(state, BASE)
    expect(messages).toEqual([])
    expect(after).toBe(state)
  })

  it('passes host messages through first, in order, then JobExeEnd, CompletedJobs, FailedJobs', () => {
    const a = makeSpec({ id: 1, jobId: 11, taskTypes: ['main'] })
    const b = makeSpec({ id: 2, jobId: 12, taskTypes: ['main'] })
    const c = makeSpec({ id: 3, jobId: 13, taskTypes: ['main'] })
    let state = step(
      Manager.create(BASE),
      { type: 'Scheduled', executions: [a], messages: ['m1', { kind: 'm2' }] },
      BASE,
    )
    state = runTask(state, a, 'main', BASE + SECOND)
    state = step(state, { type: 'Scheduled', executions: [b], messages: [] }, BASE + 2 * SECOND)
    state = step(state, { type: 'Scheduled', executions: [c], messages: ['m3'] }, BASE + 3 * SECOND)
    state = launchAndRun(state, b, 'main', BASE + 4 * SECOND)
    state = step(
      state,
      { type: 'TaskUpdated', update: upd(taskIdOf(b, 'main'), 'FAILED', BASE + 5 * SECOND, { exitCode: 2 }) },
      BASE + 5 * SECOND,
    )

    const [messages, drained] = drain(state, BASE + MINUTE)
    expect(messages.slice(0, 3)).toEqual(['m1', { kind: 'm2' }, 'm3'])
    expect(messages.slice(3).map((m) => (isManagerMessage(m) ? m.type : m))).toEqual([
      'JobExeEnd',
      'CompletedJobs',
      'FailedJobs',
    ])
    expect(endRecordsOf(messages).map((r) => [r.jobId, r.status])).toEqual([
      [11, 'COMPLETED'],
      [12, 'FAILED'],
    ])
    expect(messages[4]).toEqual({ type: 'CompletedJobs', jobs: [{ jobId: 11, exeNum: 1 }], when: BASE + MINUTE })
    expect(messages[5]).toEqual({
      type: 'FailedJobs',
      jobs: [{ jobId: 12, exeNum: 1, error: algError }],
      when: BASE + MINUTE,
    })
    // c is still running; nothing left in the outbox
    expect(Manager.runningExecution(drained, c.clusterId)).toBeDefined()
    expect(drain(drained, BASE + 2 * MINUTE)[0]).toEqual([])
  })

  it('omits empty messages: host messages alone, or a failure alone', () => {
    const a = makeSpec({ id: 1, taskTypes: ['main'] })
    const hostOnly = step(Manager.create(BASE), { type: 'Scheduled', executions: [a], messages: ['only'] }, BASE)
    expect(drain(hostOnly, BASE)[0]).toEqual(['only'])

    const messagesAlone = step(Manager.create(BASE), { type: 'Scheduled', executions: [], messages: ['x', 'y'] }, BASE)
    expect(Manager.runningExecutions(messagesAlone)).toEqual([])
    expect(drain(messagesAlone, BASE)[0]).toEqual(['x', 'y'])

    const noMessages = step(Manager.create(BASE), { type: 'Scheduled', executions: [a], messages: [] }, BASE)
    expect(drain(noMessages, BASE)[0]).toEqual([])

    let failed = launchAndRun(noMessages, a, 'main', BASE + SECOND)
    failed = step(
      failed,
      { type: 'TaskUpdated', update: upd(taskIdOf(a, 'main'), 'FAILED', BASE + 2 * SECOND, { exitCode: 1 }) },
      BASE + 2 * SECOND,
    )
    const [messages] = drain(failed, BASE + 3 * SECOND)
    expect(messages.map((m) => (isManagerMessage(m) ? m.type : m))).toEqual(['JobExeEnd', 'FailedJobs'])
  })
})

describe('node loss', () => {
  it('an execution with a current task fails with node-lost, is reconciled as forced, and stays until its task reports', () => {
    const lost = makeSpec({ id: 1, jobId: 21, nodeId: 1, jobTypeId: 3 })
    const other = makeSpec({ id: 2, jobId: 22, nodeId: 2, jobTypeId: 3 })
    let state = schedule([lost, other])
    state = launchAndRun(state, lost, 'pull', BASE + SECOND)
    state = launchAndRun(state, other, 'pull', BASE + SECOND)
    const otherBefore = running(state, other)

    const lostAt = BASE + 10 * SECOND
    state = step(state, { type: 'NodeLost', nodeId: 1 }, lostAt)
    const exe = running(state, lost)
    expect(Execution.status(exe)).toBe('FAILED')
    expect(Execution.error(exe)).toEqual(nodeLost)
    expect(Execution.finished(exe)).toBe(lostAt)
    // forced: named at once, long before the 10-minute running delay
    const toReconcile = Manager.tasksToReconcile(state, lostAt)
    expect(toReconcile.map((t) => t.id)).toEqual([taskIdOf(lost, 'pull')])
    expect(toReconcile[0]?.forceReconciliation).toBe(true)
    // node loss asks for reconciliation, not a kill
    expect(Manager.tasksToKill(state)).toEqual([])
    // losing the node again changes nothing
    expect(step(state, { type: 'NodeLost', nodeId: 1 }, lostAt + 5)).toBe(state)
    // the other node is untouched
    expect(running(state, other)).toBe(otherBefore)
    // not finished yet: nothing to send, still counted as running
    expect(drain(state, lostAt)[0]).toEqual([])
    expect(Manager.statusJson(state, [1], lostAt)).toStrictEqual([nodeJson(1, { running: [[3, 1]] })])

    // the task's update ends it
    const reportAt = lostAt + 30 * SECOND
    state = step(state, { type: 'TaskUpdated', update: upd(taskIdOf(lost, 'pull'), 'LOST', reportAt - 10) }, reportAt)
    expect(Manager.runningExecution(state, lost.clusterId)).toBeUndefined()
    expect(Manager.tasksToReconcile(state, reportAt)).toEqual([])
    const [messages] = drain(state, reportAt + 1)
    const records = endRecordsOf(messages)
    expect(records).toHaveLength(1)
    expect(records[0]?.status).toBe('FAILED')
    expect(records[0]?.error).toEqual(nodeLost)
    expect(records[0]?.finished).toBe(lostAt)
    expect(messages[1]).toEqual({
      type: 'FailedJobs',
      jobs: [{ jobId: 21, exeNum: 1, error: nodeLost }],
      when: reportAt + 1,
    })
    expect(Manager.statusJson(state, [1, 2], reportAt)).toStrictEqual([
      nodeJson(1, { system: [[3, 1]] }),
      nodeJson(2, { running: [[3, 1]] }),
    ])
  })

  it('executions without a current task are finished at once', () => {
    const neverStarted = makeSpec({ id: 1, jobId: 31, nodeId: 4, jobTypeId: 8 })
    const betweenTasks = makeSpec({ id: 2, jobId: 32, nodeId: 4, jobTypeId: 8 })
    let state = schedule([neverStarted, betweenTasks])
    state = runTask(state, betweenTasks, 'pull', BASE + SECOND)
    const lostAt = BASE + MINUTE
    state = step(state, { type: 'NodeLost', nodeId: 4 }, lostAt)
    expect(Manager.runningExecutions(state)).toEqual([])
    expect(Manager.statusJson(state, [4], lostAt)).toStrictEqual([nodeJson(4, { system: [[8, 2]] })])

    const [messages] = drain(state, lostAt + 1)
    expect(messages).toHaveLength(2)
    const records = endRecordsOf(messages)
    expect(records.map((r) => [r.jobId, r.status, r.error?.name, r.finished])).toEqual([
      [31, 'FAILED', 'node-lost', lostAt],
      [32, 'FAILED', 'node-lost', lostAt],
    ])
    const never = records.find((r) => r.jobId === 31)
    expect(never?.taskResults).toEqual({ version: '1.0', tasks: notLaunched(neverStarted, ALL_TYPES) })
    expect(messages[1]).toEqual({
      type: 'FailedJobs',
      jobs: [
        { jobId: 31, exeNum: 1, error: nodeLost },
        { jobId: 32, exeNum: 1, error: nodeLost },
      ],
      when: lostAt + 1,
    })
  })

  it('accepts string node ids', () => {
    const spec = makeSpec({ id: 1, nodeId: 'agent-host-a', jobTypeId: 2 })
    const state = step(schedule([spec]), { type: 'NodeLost', nodeId: 'agent-host-a' }, BASE + 1)
    expect(Manager.runningExecutions(state)).toEqual([])
    expect(Manager.statusJson(state, ['agent-host-a'], BASE + 1)).toStrictEqual([
      nodeJson('agent-host-a', { system: [[2, 1]] }),
    ])
  })

  it("is one node however its id is spelt: '1' is node 1", () => {
    const onNumber = makeSpec({ id: 1, nodeId: 1, jobTypeId: 2 })
    const onString = makeSpec({ id: 2, nodeId: '1', jobTypeId: 2 })
    const elsewhere = makeSpec({ id: 3, nodeId: '01', jobTypeId: 2 })
    const scheduled = schedule([onNumber, onString, elsewhere])
    expect(Manager.statusJson(scheduled, [1, '1'], BASE)).toStrictEqual([
      nodeJson(1, { running: [[2, 2]] }),
      nodeJson('1', { running: [[2, 2]] }),
    ])
    expect(Manager.statusJson(scheduled, ['01'], BASE)).toStrictEqual([nodeJson('01', { running: [[2, 1]] })])
    // A string id loses the node of that number, and only it.
    const lost = step(scheduled, { type: 'NodeLost', nodeId: '1' }, BASE + 1)
    expect(Manager.runningExecutions(lost).map((x) => x.clusterId)).toEqual([elsewhere.clusterId])
    expect(Manager.statusJson(lost, [1], BASE + 1)).toStrictEqual([nodeJson(1, { system: [[2, 2]] })])
    // Each execution keeps the node id it was given, in its end record too.
    const [messages] = Manager.drain(lost, BASE + 1)
    const ends = messages.flatMap((m) => (Manager.isMessage(m) && m.type === 'JobExeEnd' ? m.records : []))
    expect(ends.map((r) => r.nodeId).sort()).toEqual([1, '1'])
    // And the number loses the executions scheduled with its spelling.
    const lostByNumber = step(scheduled, { type: 'NodeLost', nodeId: 1 }, BASE + 1)
    expect(Manager.runningExecutions(lostByNumber).map((x) => x.clusterId)).toEqual([elsewhere.clusterId])
    expect(checkInvariants(lostByNumber)).toEqual([])
  })
})

describe('lost tasks', () => {
  it('a LOST task is retried under its next lost id; the old id is stale', () => {
    const spec = makeSpec({ id: 1, jobId: 61, taskTypes: ['main'] })
    const main = taskIdOf(spec, 'main')
    const lostId = `${main}_lost-1`
    let state = launchAndRun(schedule([spec]), spec, 'main', BASE + SECOND)
    state = step(state, { type: 'TaskUpdated', update: upd(main, 'LOST', BASE + 2 * SECOND) }, BASE + 2 * SECOND)
    const exe = running(state, spec)
    expect(Execution.status(exe)).toBe('RUNNING')
    expect(Execution.currentTask(exe)).toBeUndefined()
    expect(Execution.nextTask(exe)?.id).toBe(lostId)
    expect(Execution.nextTask(exe)?.launched).toBeUndefined()
    expect(Manager.tasksToReconcile(state, BASE + HOUR)).toEqual([])

    state = step(state, { type: 'NextTaskStarted', clusterId: spec.clusterId }, BASE + 3 * SECOND)
    expect(current(state, spec).id).toBe(lostId)
    // launching under the old id is stale
    expect(step(state, { type: 'TaskLaunched', taskId: main }, BASE + 3 * SECOND)).toBe(state)
    state = step(state, { type: 'TaskLaunched', taskId: lostId }, BASE + 3 * SECOND)
    expect(current(state, spec).launched).toBe(BASE + 3 * SECOND)
    // an update for the old id is stale
    expect(
      step(state, { type: 'TaskUpdated', update: upd(main, 'FAILED', BASE + 4 * SECOND) }, BASE + 4 * SECOND),
    ).toBe(state)
    state = step(state, { type: 'TaskUpdated', update: upd(lostId, 'RUNNING', BASE + 5 * SECOND) }, BASE + 5 * SECOND)
    state = step(state, { type: 'TaskUpdated', update: upd(lostId, 'FINISHED', BASE + 6 * SECOND) }, BASE + 6 * SECOND)
    expect(Manager.runningExecution(state, spec.clusterId)).toBeUndefined()
    const [messages] = drain(state, BASE + 7 * SECOND)
    const record = endRecordsOf(messages)[0]
    expect(record?.status).toBe('COMPLETED')
    expect(record?.taskResults.tasks.map((t) => [t.task_id, t.status])).toEqual([[lostId, 'FINISHED']])
  })

  it('a lost task keeps its container name, for cleanup, until its rerun reports a new one', () => {
    const spec = makeSpec({ id: 1, jobId: 63, taskTypes: ['main'] })
    const main = taskIdOf(spec, 'main')
    const names = (state: State): readonly string[] => Execution.containerNames(running(state, spec))
    let state = launch(schedule([spec]), spec, 'main', BASE + SECOND)
    const runningAt = BASE + 2 * SECOND
    state = step(
      state,
      { type: 'TaskUpdated', update: upd(main, 'RUNNING', runningAt, { containerName: 'c-1' }) },
      runningAt,
    )
    state = step(state, { type: 'TaskUpdated', update: upd(main, 'LOST', BASE + 3 * SECOND) }, BASE + 3 * SECOND)
    expect(names(state)).toEqual(['c-1'])
    state = step(state, { type: 'NextTaskStarted', clusterId: spec.clusterId }, BASE + 4 * SECOND)
    state = step(state, { type: 'TaskLaunched', taskId: `${main}_lost-1` }, BASE + 4 * SECOND)
    expect(names(state)).toEqual(['c-1'])
    const rerunAt = BASE + 5 * SECOND
    state = step(
      state,
      { type: 'TaskUpdated', update: upd(`${main}_lost-1`, 'RUNNING', rerunAt, { containerName: 'c-2' }) },
      rerunAt,
    )
    expect(names(state)).toEqual(['c-2'])
  })

  it('with maxLostRetries 1 the second loss fails the execution with node-lost', () => {
    const spec = makeSpec({ id: 1, jobId: 62, taskTypes: ['main'] })
    const main = taskIdOf(spec, 'main')
    const exe = Execution.create(spec, { maxLostRetries: 1 })
    let state = step(Manager.create(BASE), { type: 'Scheduled', executions: [exe] }, BASE)
    state = launch(state, spec, 'main', BASE + SECOND)
    state = step(state, { type: 'TaskUpdated', update: upd(main, 'LOST', BASE + 2 * SECOND) }, BASE + 2 * SECOND)
    expect(Execution.nextTask(running(state, spec))?.id).toBe(`${main}_lost-1`)
    state = step(state, { type: 'NextTaskStarted', clusterId: spec.clusterId }, BASE + 3 * SECOND)
    state = step(state, { type: 'TaskLaunched', taskId: `${main}_lost-1` }, BASE + 3 * SECOND)
    const lostAgainAt = BASE + 4 * SECOND
    state = step(state, { type: 'TaskUpdated', update: upd(`${main}_lost-1`, 'LOST', lostAgainAt) }, lostAgainAt)
    expect(Manager.runningExecution(state, spec.clusterId)).toBeUndefined()
    const [messages] = drain(state, lostAgainAt)
    expect(endRecordsOf(messages).map((r) => [r.status, r.error, r.finished])).toEqual([
      ['FAILED', nodeLost, lostAgainAt],
    ])
    expect(messages[1]).toEqual({
      type: 'FailedJobs',
      jobs: [{ jobId: 62, exeNum: 1, error: nodeLost }],
      when: lostAgainAt,
    })
  })
})

describe('executions lost by id', () => {
  it('fails named executions (by execution id or cluster id) with node-lost and asks to kill their current tasks', () => {
    const a = makeSpec({ id: 21, jobId: 121 })
    const b = makeSpec({ id: 22, jobId: 122 })
    const c = makeSpec({ id: 23, jobId: 123 })
    const d = makeSpec({ id: 24, jobId: 124 })
    let state = schedule([a, b, c, d])
    state = launch(state, a, 'pull', BASE + SECOND)
    state = launchAndRun(state, b, 'pull', BASE + SECOND)
    state = launch(state, d, 'pull', BASE + SECOND)
    const dBefore = running(state, d)

    // before any staging reconcile is due (30 s after launch)
    const lostAt = BASE + 20 * SECOND
    // 124 is d's job id, not its execution id: d stays
    state = step(state, { type: 'ExecutionsLost', ids: [21, b.clusterId, 23, 999, 124, 'scale_job_fw1_9x9'] }, lostAt)
    for (const spec of [a, b]) {
      const exe = running(state, spec)
      expect(Execution.status(exe)).toBe('FAILED')
      expect(Execution.error(exe)).toEqual(nodeLost)
      expect(Execution.finished(exe)).toBe(lostAt)
    }
    expect(running(state, d)).toBe(dBefore)
    expect(step(state, { type: 'ExecutionsLost', ids: [21, b.clusterId] }, lostAt + 5)).toBe(state)
    expect(
      Manager.tasksToKill(state)
        .map((t) => t.id)
        .sort(),
    ).toEqual([taskIdOf(a, 'pull'), taskIdOf(b, 'pull')])
    expect(
      Manager.tasksToReconcile(state, lostAt)
        .map((t) => t.id)
        .sort(),
    ).toEqual([taskIdOf(a, 'pull'), taskIdOf(b, 'pull')])

    // c had no current task: finished at once
    expect(Manager.runningExecution(state, c.clusterId)).toBeUndefined()
    let [messages] = drain(state, lostAt)
    expect(messages).toEqual([
      {
        type: 'JobExeEnd',
        records: [
          {
            id: 23,
            clusterId: c.clusterId,
            jobId: 123,
            exeNum: 1,
            jobTypeId: 1,
            nodeId: 1,
            status: 'FAILED',
            error: nodeLost,
            queued: QUEUED,
            started: STARTED,
            finished: lostAt,
            taskResults: { version: '1.0', tasks: notLaunched(c, ALL_TYPES) },
          },
        ],
      },
      { type: 'FailedJobs', jobs: [{ jobId: 123, exeNum: 1, error: nodeLost }], when: lostAt },
    ])
    state = drain(state, lostAt)[1]

    // the KILLED update ends a; its error stays node-lost
    state = step(state, { type: 'TaskUpdated', update: upd(taskIdOf(a, 'pull'), 'KILLED', lostAt + 5) }, lostAt + 10)
    expect(Manager.runningExecution(state, a.clusterId)).toBeUndefined()
    expect(Manager.tasksToKill(state).map((t) => t.id)).toEqual([taskIdOf(b, 'pull')])
    ;[messages] = drain(state, lostAt + 20)
    expect(endRecordsOf(messages).map((r) => [r.id, r.status, r.error, r.finished])).toEqual([
      [21, 'FAILED', nodeLost, lostAt],
    ])
    expect(messages[1]).toEqual({
      type: 'FailedJobs',
      jobs: [{ jobId: 121, exeNum: 1, error: nodeLost }],
      when: lostAt + 20,
    })
  })
})

describe('cancellation through JobsSynced', () => {
  const setUp = () => {
    const byStatus = makeSpec({ id: 1, jobId: 10, exeNum: 1, jobTypeId: 6 })
    const byNewer = makeSpec({ id: 2, jobId: 11, exeNum: 2, jobTypeId: 6 })
    const equal = makeSpec({ id: 3, jobId: 12, exeNum: 2, jobTypeId: 6 })
    const absent = makeSpec({ id: 4, jobId: 13, exeNum: 1, jobTypeId: 6 })
    let state = schedule([byStatus, byNewer, equal, absent])
    state = launchAndRun(state, byStatus, 'pull', BASE + SECOND)
    state = launch(state, equal, 'pull', BASE + SECOND)
    return { byStatus, byNewer, equal, absent, state }
  }

  it('cancels by status CANCELED and by a newer execution number; equal numbers and absent jobs are left alone', () => {
    const { byStatus, byNewer, equal, absent, state: before } = setUp()
    const equalBefore = running(before, equal)
    const absentBefore = running(before, absent)
    const syncedAt = BASE + MINUTE
    const state = step(
      before,
      {
        type: 'JobsSynced',
        jobs: {
          10: { status: 'CANCELED', numExes: 1 },
          11: { status: 'QUEUED', numExes: 3 },
          12: { status: 'RUNNING', numExes: 2 },
          999: { status: 'CANCELED', numExes: 5 },
        },
      },
      syncedAt,
    )
    // canceled with a launched current task: stays, its task needs a kill
    const canceled = running(state, byStatus)
    expect(Execution.status(canceled)).toBe('CANCELED')
    expect(Execution.finished(canceled)).toBe(syncedAt)
    expect(Execution.error(canceled)).toBeUndefined()
    expect(Manager.tasksToKill(state).map((t) => t.id)).toEqual([taskIdOf(byStatus, 'pull')])
    // syncing the same jobs again changes nothing
    expect(step(state, { type: 'JobsSynced', jobs: { 10: { status: 'CANCELED', numExes: 1 } } }, syncedAt + 5)).toBe(
      state,
    )
    // canceled without a current task: finished at once
    expect(Manager.runningExecution(state, byNewer.clusterId)).toBeUndefined()
    // left alone
    expect(running(state, equal)).toBe(equalBefore)
    expect(running(state, absent)).toBe(absentBefore)

    const [messages, drained] = drain(state, syncedAt + 1)
    expect(messages).toEqual([
      {
        type: 'JobExeEnd',
        records: [
          {
            id: 2,
            clusterId: byNewer.clusterId,
            jobId: 11,
            exeNum: 2,
            jobTypeId: 6,
            nodeId: 1,
            status: 'CANCELED',
            queued: QUEUED,
            started: STARTED,
            finished: syncedAt,
            taskResults: { version: '1.0', tasks: notLaunched(byNewer, ALL_TYPES) },
          },
        ],
      },
    ])
    // canceled executions are counted nowhere once finished
    expect(Manager.statusJson(drained, [1], syncedAt + 1)).toStrictEqual([nodeJson(1, { running: [[6, 3]] })])

    // the KILLED update ends it: CANCELED, no FailedJobs and no CompletedJobs
    const killedAt = syncedAt + 20 * SECOND
    const ended = step(
      drained,
      { type: 'TaskUpdated', update: upd(taskIdOf(byStatus, 'pull'), 'KILLED', killedAt - 3) },
      killedAt,
    )
    expect(Manager.runningExecution(ended, byStatus.clusterId)).toBeUndefined()
    expect(Manager.tasksToKill(ended)).toEqual([])
    const [after] = drain(ended, killedAt + 1)
    expect(after).toHaveLength(1)
    const records = endRecordsOf(after)
    expect(records.map((r) => [r.id, r.status, r.error, r.finished])).toEqual([[1, 'CANCELED', undefined, syncedAt]])
    expect(records[0]?.taskResults.tasks[0]).toEqual({
      task_id: taskIdOf(byStatus, 'pull'),
      type: 'pull',
      was_launched: true,
      launched: iso(BASE + SECOND),
      was_started: true,
      started: iso(BASE + SECOND + 1),
      was_timed_out: false,
      ended: iso(killedAt - 3),
      status: 'KILLED',
    })
    expect(Manager.statusJson(ended, [1], killedAt)).toStrictEqual([nodeJson(1, { running: [[6, 2]] })])
  })

  it('changes nothing when no synced job calls for a cancel', () => {
    const { state } = setUp()
    const jobs: Record<number, Manager.SyncedJob> = {
      10: { status: 'RUNNING', numExes: 1 },
      11: { status: 'RUNNING', numExes: 1 }, // fewer than its exe number 2
      12: { status: 'RUNNING', numExes: 2 },
      777: { status: 'CANCELED', numExes: 9 },
    }
    expect(step(state, { type: 'JobsSynced', jobs }, BASE + MINUTE)).toBe(state)
    expect(step(state, { type: 'JobsSynced', jobs: {} }, BASE + MINUTE)).toBe(state)
  })
})

describe('JobsSynced keys and Scheduled executions that no state holds', () => {
  it('a job key names the job whose number it spells, as JSON writes it', () => {
    const spec = makeSpec({ id: 1, jobId: 12, exeNum: 1, jobTypeId: 6 })
    const state = schedule([spec])
    for (const key of ['012', '12.0', '+12', ' 12', '1.2e1', '0x0c']) {
      expect(
        step(state, { type: 'JobsSynced', jobs: { [key]: { status: 'CANCELED', numExes: 1 } } }, BASE + MINUTE),
      ).toBe(state)
    }
    const canceled = step(
      state,
      { type: 'JobsSynced', jobs: { '12': { status: 'CANCELED', numExes: 1 } } },
      BASE + MINUTE,
    )
    expect(Manager.runningExecution(canceled, spec.clusterId)).toBeUndefined()
    expect(drain(canceled, BASE + MINUTE)[0][0]).toMatchObject({ type: 'JobExeEnd', records: [{ status: 'CANCELED' }] })
  })

  it('refuses a FAILED execution without its error, and an error on any other status', () => {
    const spec = makeSpec({ id: 1, jobId: 12, exeNum: 1, jobTypeId: 6 })
    const canceled = Execution.reduce(Execution.create(spec), { type: 'Canceled' }, BASE)
    const failed = Execution.reduce(Execution.create(spec), { type: 'NodeLost' }, BASE)
    const error = Execution.error(failed)
    expect(error).toBeDefined()
    const empty = Manager.create(BASE)
    for (const wrong of [
      { ...canceled, status: 'FAILED' as const },
      { ...canceled, error },
      { ...failed, status: 'COMPLETED' as const },
      { ...Execution.create(spec), error },
    ]) {
      expect(step(empty, { type: 'Scheduled', executions: [wrong] }, BASE)).toBe(empty)
    }
    // the same executions as they are, accepted: a failure with its error is a failed job
    const [messages] = drain(step(empty, { type: 'Scheduled', executions: [failed] }, BASE), BASE)
    expect(messages).toMatchObject([{ type: 'JobExeEnd' }, { type: 'FailedJobs', jobs: [{ error }] }])
  })
})

describe('timeouts', () => {
  it('a staging task times out with launch-timeout after 2 minutes, not at exactly 2 minutes', () => {
    const spec = makeSpec({ id: 1, jobId: 40, jobTypeId: 2 })
    const launchedAt = BASE + SECOND
    const state = launch(schedule([spec]), spec, 'pull', launchedAt)

    expect(step(state, { type: 'TimeoutsChecked' }, launchedAt + 2 * MINUTE)).toBe(state)

    const timedOutAt = launchedAt + 2 * MINUTE + 1
    let after = step(state, { type: 'TimeoutsChecked' }, timedOutAt)
    const exe = running(after, spec)
    expect(Execution.status(exe)).toBe('FAILED')
    expect(Execution.error(exe)).toEqual(Errors.BUILTIN['launch-timeout'])
    expect(Execution.finished(exe)).toBe(timedOutAt)
    expect(current(after, spec).timedOut).toBe(true)
    expect(Manager.tasksToKill(after).map((t) => t.id)).toEqual([taskIdOf(spec, 'pull')])
    // once timed out, a later check changes nothing
    expect(step(after, { type: 'TimeoutsChecked' }, timedOutAt + HOUR)).toBe(after)
    expect(drain(after, timedOutAt)[0]).toEqual([])

    // removed only on the task's final update; the first error sticks
    after = step(
      after,
      { type: 'TaskUpdated', update: upd(taskIdOf(spec, 'pull'), 'KILLED', timedOutAt + 100) },
      timedOutAt + 200,
    )
    expect(Manager.runningExecution(after, spec.clusterId)).toBeUndefined()
    expect(Manager.tasksToKill(after)).toEqual([])
    const [messages] = drain(after, timedOutAt + 300)
    const record = endRecordsOf(messages)[0]
    expect(record?.status).toBe('FAILED')
    expect(record?.error).toEqual(Errors.BUILTIN['launch-timeout'])
    expect(record?.finished).toBe(timedOutAt)
    expect(record?.taskResults.tasks[0]).toEqual({
      task_id: taskIdOf(spec, 'pull'),
      type: 'pull',
      was_launched: true,
      launched: iso(launchedAt),
      was_started: false,
    })
    expect(messages[1]).toEqual({
      type: 'FailedJobs',
      jobs: [{ jobId: 40, exeNum: 1, error: Errors.BUILTIN['launch-timeout'] }],
      when: timedOutAt + 300,
    })
    expect(Manager.statusJson(after, [1], timedOutAt + 300)).toStrictEqual([nodeJson(1, { system: [[2, 1]] })])
  })

  it('a running main task times out after the job timeout with timeout (ALGORITHM)', () => {
    const spec = makeSpec({ id: 1, jobId: 41, jobTypeId: 2, taskTypes: ['main'], timeout: 10 * MINUTE })
    const startedAt = BASE + SECOND + 1
    const state = launchAndRun(schedule([spec]), spec, 'main', BASE + SECOND)
    expect(current(state, spec).started).toBe(startedAt)

    expect(step(state, { type: 'TimeoutsChecked' }, startedAt + 10 * MINUTE)).toBe(state)
    const timedOutAt = startedAt + 10 * MINUTE + 1
    let after = step(state, { type: 'TimeoutsChecked' }, timedOutAt)
    expect(Execution.status(running(after, spec))).toBe('FAILED')
    expect(Execution.error(running(after, spec))).toEqual(Errors.BUILTIN.timeout)
    expect(Execution.errorCategory(running(after, spec))).toBe('ALGORITHM')
    expect(Manager.tasksToKill(after).map((t) => [t.id, t.timedOut])).toEqual([[taskIdOf(spec, 'main'), true]])

    // a FAILED update with exit code 1 (mapped to a DATA error) does not replace the timeout
    after = step(
      after,
      { type: 'TaskUpdated', update: upd(taskIdOf(spec, 'main'), 'FAILED', timedOutAt + 5, { exitCode: 1 }) },
      timedOutAt + 10,
    )
    expect(Manager.runningExecution(after, spec.clusterId)).toBeUndefined()
    const [messages] = drain(after, timedOutAt + 20)
    expect(messages[1]).toEqual({
      type: 'FailedJobs',
      jobs: [{ jobId: 41, exeNum: 1, error: Errors.BUILTIN.timeout }],
      when: timedOutAt + 20,
    })
    expect(endRecordsOf(messages)[0]?.taskResults.tasks[0]?.was_timed_out).toBe(true)
    expect(Manager.statusJson(after, [1], timedOutAt + 20)).toStrictEqual([nodeJson(1, { algorithm: [[2, 1]] })])
  })

  it('a long-running job type never times out in main', () => {
    const spec = makeSpec({ id: 1, taskTypes: ['main'], isLongRunning: true, timeout: MINUTE })
    const state = launchAndRun(schedule([spec]), spec, 'main', BASE + SECOND)
    expect(step(state, { type: 'TimeoutsChecked' }, BASE + 1000 * HOUR)).toBe(state)
  })

  it('times out only the tasks that are due', () => {
    const early = makeSpec({ id: 1, jobId: 51 })
    const late = makeSpec({ id: 2, jobId: 52 })
    let state = launch(schedule([early, late]), early, 'pull', BASE + SECOND)
    state = launch(state, late, 'pull', BASE + MINUTE)
    const after = step(state, { type: 'TimeoutsChecked' }, BASE + SECOND + 2 * MINUTE + 1)
    expect(Execution.status(running(after, early))).toBe('FAILED')
    expect(running(after, late)).toBe(running(state, late))
    expect(Manager.tasksToKill(after).map((t) => t.id)).toEqual([taskIdOf(early, 'pull')])
  })
})

describe('a final status between NextTaskStarted and TaskLaunched', () => {
  const STAGING = Execution.DEFAULT_SETTINGS.stagingTimeout
  const spec = makeSpec({ id: 9, jobId: 90, exeNum: 2, jobTypeId: 4, nodeId: 3, taskTypes: ['pre', 'main'] })
  const pre = taskIdOf(spec, 'pre')
  const cases: ReadonlyArray<{
    readonly name: string
    readonly event: Event
    readonly status: Execution.FinalStatus
    readonly error?: Errors.JobError
  }> = [
    {
      name: 'JobsSynced (job canceled)',
      event: { type: 'JobsSynced', jobs: { 90: { status: 'CANCELED', numExes: 2 } } },
      status: 'CANCELED',
    },
    {
      name: 'JobsSynced (a newer execution)',
      event: { type: 'JobsSynced', jobs: { 90: { status: 'RUNNING', numExes: 3 } } },
      status: 'CANCELED',
    },
    { name: 'NodeLost', event: { type: 'NodeLost', nodeId: 3 }, status: 'FAILED', error: nodeLost },
    { name: 'ExecutionsLost (by id)', event: { type: 'ExecutionsLost', ids: [9] }, status: 'FAILED', error: nodeLost },
    {
      name: 'ExecutionsLost (by cluster id)',
      event: { type: 'ExecutionsLost', ids: [spec.clusterId] },
      status: 'FAILED',
      error: nodeLost,
    },
    {
      name: 'TaskTimedOut',
      event: { type: 'TaskTimedOut', taskId: pre },
      status: 'FAILED',
      error: Errors.BUILTIN['launch-timeout'],
    },
  ]
  const startedAt = BASE + SECOND
  const finalAt = BASE + 2 * SECOND
  const deadline = finalAt + STAGING + 1
  const finalBeforeLaunch = (event: Event): State => {
    const started = step(schedule([spec]), { type: 'NextTaskStarted', clusterId: spec.clusterId }, startedAt)
    return step(started, event, finalAt)
  }

  describe.each(cases)('$name', ({ event, status, error }) => {
    it('keeps the execution running with its current task, and nextDeadline names the drop', () => {
      const state = finalBeforeLaunch(event)
      const exe = running(state, spec)
      expect(Execution.status(exe)).toBe(status)
      expect(Execution.finished(exe)).toBe(finalAt)
      expect(current(state, spec).id).toBe(pre)
      expect(Manager.tasksToKill(state)).toEqual([])
      expect(Manager.nextDeadline(state)).toEqual(O.some(deadline))
      expect(drain(state, finalAt)[0]).toEqual([])
    })

    it('launched afterwards, tasksToKill names the task until a terminal update ends it', () => {
      let state = finalBeforeLaunch(event)
      state = step(state, { type: 'TaskLaunched', taskId: pre }, finalAt + 10)
      expect(Manager.tasksToKill(state).map((t) => t.id)).toEqual([pre])
      expect(step(state, { type: 'TimeoutsChecked' }, deadline)).toBe(state)
      state = step(state, { type: 'TaskUpdated', update: upd(pre, 'RUNNING', finalAt + 20) }, finalAt + 20)
      expect(Manager.tasksToKill(state).map((t) => t.id)).toEqual([pre])
      state = step(state, { type: 'TaskUpdated', update: upd(pre, 'KILLED', finalAt + 30) }, finalAt + 30)
      expect(Manager.tasksToKill(state)).toEqual([])
      expect(Manager.runningExecution(state, spec.clusterId)).toBeUndefined()
      const records = endRecordsOf(drain(state, finalAt + 40)[0])
      expect(records.map((r) => [r.status, r.error, r.finished])).toEqual([[status, error, finalAt]])
    })

    it('never launched: TimeoutsChecked finishes it exactly at nextDeadline, not a millisecond before', () => {
      const state = finalBeforeLaunch(event)
      expect(Manager.runningExecution(state, spec.clusterId)).toBeDefined()
      expect(step(state, { type: 'TimeoutsChecked' }, deadline - 1)).toBe(state)
      expect(step(state, { type: 'StarvationChecked' }, deadline)).toBe(state)
      expect(Manager.tasksToReconcile(state, deadline)).toEqual([])
      const done = step(state, { type: 'TimeoutsChecked' }, deadline)
      expect(Manager.runningExecution(done, spec.clusterId)).toBeUndefined()
      expect(Manager.nextDeadline(done)).toEqual(O.none)
      expect(Manager.statusJson(done, [3], deadline)).toStrictEqual([
        nodeJson(3, status === 'FAILED' ? { system: [[4, 1]] } : {}),
      ])
      const [messages] = drain(done, deadline + 5)
      const records = endRecordsOf(messages)
      expect(records.map((r) => [r.clusterId, r.status, r.error, r.finished])).toEqual([
        [spec.clusterId, status, error, finalAt],
      ])
      expect(records[0]?.taskResults.tasks).toEqual([
        { task_id: pre, type: 'pre', was_launched: false },
        { task_id: taskIdOf(spec, 'main'), type: 'main', was_launched: false },
      ])
      const own = messages.filter(Manager.isMessage)
      expect(own.filter((m) => m.type === 'FailedJobs')).toEqual(
        error === undefined
          ? []
          : [{ type: 'FailedJobs', jobs: [{ jobId: 90, exeNum: 2, error }], when: deadline + 5 }],
      )
      expect(own.filter((m) => m.type === 'CompletedJobs')).toEqual([])
      // a launch after the drop changes nothing
      expect(step(done, { type: 'TaskLaunched', taskId: pre }, deadline + 1)).toBe(done)
    })
  })

  it('survives a snapshot: restored, it keeps its deadline and finishes at it', () => {
    const state = finalBeforeLaunch({ type: 'NodeLost', nodeId: 3 })
    const restored = Manager.fromSnapshot(JSON.parse(JSON.stringify(Manager.toSnapshot(state))))
    if (restored._tag === 'Left') throw restored.left
    expect(Manager.nextDeadline(restored.right)).toEqual(O.some(deadline))
    expect(step(restored.right, { type: 'TimeoutsChecked' }, deadline - 1)).toBe(restored.right)
    const done = step(restored.right, { type: 'TimeoutsChecked' }, deadline)
    expect(Manager.runningExecution(done, spec.clusterId)).toBeUndefined()
    const relaunched = step(restored.right, { type: 'TaskLaunched', taskId: pre }, finalAt + 10)
    expect(Manager.tasksToKill(relaunched).map((t) => t.id)).toEqual([pre])
  })

  it('the deadline is the earliest of all executions, and only the due one finishes', () => {
    const other = makeSpec({ id: 10, jobId: 91, nodeId: 3, taskTypes: ['main'], isLongRunning: true })
    let state = schedule([spec, other])
    state = launchAndRun(state, other, 'main', BASE)
    state = step(state, { type: 'NextTaskStarted', clusterId: spec.clusterId }, startedAt)
    state = step(state, { type: 'NodeLost', nodeId: 3 }, finalAt)
    // the other execution's task is launched: it stays, forced to reconcile, until its update
    expect(Manager.nextDeadline(state)).toEqual(O.some(deadline))
    state = step(state, { type: 'TimeoutsChecked' }, deadline)
    expect(Manager.runningExecutions(state).map((x) => x.clusterId)).toEqual([other.clusterId])
    expect(Manager.tasksToReconcile(state, deadline).map((t) => t.id)).toEqual([taskIdOf(other, 'main')])
  })
})

describe('TaskTimedOut', () => {
  it.each([
    ['pull', false, 'pull-timeout'],
    ['pre', false, 'pre-timeout'],
    ['main', false, 'timeout'],
    ['main', true, 'system-timeout'],
    ['post', false, 'post-timeout'],
  ] as const)('a started %s task (system: %s) fails its execution with %s', (type, isSystem, name) => {
    const spec = makeSpec({ id: 1, jobId: 60, taskTypes: [type], isSystem })
    const state = launchAndRun(schedule([spec]), spec, type, BASE + SECOND)
    const at = BASE + MINUTE
    const after = step(state, { type: 'TaskTimedOut', taskId: taskIdOf(spec, type) }, at)
    const exe = running(after, spec)
    expect(Execution.status(exe)).toBe('FAILED')
    expect(Execution.error(exe)).toEqual(Errors.BUILTIN[name])
    expect(Execution.finished(exe)).toBe(at)
    expect(Manager.tasksToKill(after).map((t) => [t.id, t.timedOut])).toEqual([[taskIdOf(spec, type), true]])
    expect(drain(after, at)[0]).toEqual([])
  })

  it('a task that never started fails with launch-timeout; other task ids change nothing', () => {
    const spec = makeSpec({ id: 1 })
    const state = launch(schedule([spec]), spec, 'pull', BASE + SECOND)
    expect(step(state, { type: 'TaskTimedOut', taskId: taskIdOf(spec, 'main') }, BASE + MINUTE)).toBe(state)
    expect(step(state, { type: 'TaskTimedOut', taskId: 'scale_job_fw1_999x1_pull' }, BASE + MINUTE)).toBe(state)
    const after = step(state, { type: 'TaskTimedOut', taskId: taskIdOf(spec, 'pull') }, BASE + MINUTE)
    expect(Execution.error(running(after, spec))).toEqual(Errors.BUILTIN['launch-timeout'])
    expect(Manager.tasksToKill(after).map((t) => t.id)).toEqual([taskIdOf(spec, 'pull')])
  })
})

describe('reconciliation timing', () => {
  it('a staging task after 30 s, a running one after 10 min; each update resets the clock', () => {
    const spec = makeSpec({ id: 1 })
    const pull = taskIdOf(spec, 'pull')
    const t0 = BASE + SECOND
    let state = launch(schedule([spec]), spec, 'pull', t0)
    expect(Manager.tasksToReconcile(state, t0)).toEqual([])
    expect(Manager.tasksToReconcile(state, t0 + 30_000)).toEqual([])
    expect(Manager.tasksToReconcile(state, t0 + 30_001).map((t) => t.id)).toEqual([pull])

    // a STAGING update resets the staging clock to its timestamp
    const t1 = t0 + 20_000
    state = step(state, { type: 'TaskUpdated', update: upd(pull, 'STAGING', t1) }, t1)
    expect(Manager.tasksToReconcile(state, t0 + 30_001)).toEqual([])
    expect(Manager.tasksToReconcile(state, t1 + 30_000)).toEqual([])
    expect(Manager.tasksToReconcile(state, t1 + 30_001).map((t) => t.id)).toEqual([pull])

    // RUNNING: the running delay counts from the update's timestamp
    const t2 = t1 + 5_000
    state = step(state, { type: 'TaskUpdated', update: upd(pull, 'RUNNING', t2) }, t2 + 2_000)
    expect(Manager.tasksToReconcile(state, t2 + 30_001)).toEqual([])
    expect(Manager.tasksToReconcile(state, t2 + 10 * MINUTE)).toEqual([])
    expect(Manager.tasksToReconcile(state, t2 + 10 * MINUTE + 1).map((t) => t.id)).toEqual([pull])

    const t3 = t2 + 9 * MINUTE
    state = step(state, { type: 'TaskUpdated', update: upd(pull, 'RUNNING', t3) }, t3)
    expect(Manager.tasksToReconcile(state, t2 + 10 * MINUTE + 1)).toEqual([])
    expect(Manager.tasksToReconcile(state, t3 + 10 * MINUTE)).toEqual([])
    expect(Manager.tasksToReconcile(state, t3 + 10 * MINUTE + 1).map((t) => t.id)).toEqual([pull])

    // ended tasks are never named
    state = step(state, { type: 'TaskUpdated', update: upd(pull, 'FINISHED', t3 + 1) }, t3 + 1)
    expect(Manager.tasksToReconcile(state, t3 + 100 * HOUR)).toEqual([])
  })

  it('a node loss forces reconciliation at once; the next update clears it', () => {
    const spec = makeSpec({ id: 1, nodeId: 3 })
    const pull = taskIdOf(spec, 'pull')
    const t0 = BASE + SECOND
    let state = launchAndRun(schedule([spec]), spec, 'pull', t0)
    expect(Manager.tasksToReconcile(state, t0 + MINUTE)).toEqual([])
    state = step(state, { type: 'NodeLost', nodeId: 3 }, t0 + MINUTE)
    expect(Manager.tasksToReconcile(state, t0 + MINUTE).map((t) => t.id)).toEqual([pull])
    state = step(state, { type: 'TaskUpdated', update: upd(pull, 'RUNNING', t0 + 2 * MINUTE) }, t0 + 2 * MINUTE)
    expect(Manager.tasksToReconcile(state, t0 + 2 * MINUTE)).toEqual([])
    expect(Manager.tasksToReconcile(state, t0 + 12 * MINUTE + 1).map((t) => t.id)).toEqual([pull])
  })

  it('tasks not launched are never named', () => {
    const spec = makeSpec({ id: 1 })
    const state = step(schedule([spec]), { type: 'NextTaskStarted', clusterId: spec.clusterId }, BASE)
    expect(Manager.tasksToReconcile(state, BASE + 100 * HOUR)).toEqual([])
  })
})

describe('starvation', () => {
  it('fails an execution waiting more than 10 minutes for its next task with resource-starvation', () => {
    const spec = makeSpec({ id: 1, jobId: 70, jobTypeId: 4 })
    const t0 = BASE + SECOND
    const state = runTask(schedule([spec]), spec, 'pull', t0)
    const finishedAt = t0 + 2
    expect(step(state, { type: 'StarvationChecked' }, finishedAt + 5 * MINUTE)).toBe(state)
    expect(step(state, { type: 'StarvationChecked' }, finishedAt + 10 * MINUTE)).toBe(state)

    const starvedAt = finishedAt + 10 * MINUTE + 1
    const after = step(state, { type: 'StarvationChecked' }, starvedAt)
    expect(Manager.runningExecution(after, spec.clusterId)).toBeUndefined()
    const starvation = Errors.BUILTIN['resource-starvation']
    const [messages] = drain(after, starvedAt + 1)
    expect(endRecordsOf(messages).map((r) => [r.status, r.error, r.finished])).toEqual([
      ['FAILED', starvation, starvedAt],
    ])
    expect(messages[1]).toEqual({
      type: 'FailedJobs',
      jobs: [{ jobId: 70, exeNum: 1, error: starvation }],
      when: starvedAt + 1,
    })
    expect(Manager.statusJson(after, [1], starvedAt)).toStrictEqual([nodeJson(1, { system: [[4, 1]] })])
  })

  it('fails starved executions in the order of their deadlines, whatever order their tasks were launched in', () => {
    // X stays staging, so its reconciliation deadline is the first of all; B
    // launches before C but finishes its task after C, so C starves first.
    const x = makeSpec({ id: 1, taskTypes: ['main'] })
    const b = makeSpec({ id: 2 })
    const c = makeSpec({ id: 3 })
    let state = launch(schedule([x, b, c]), x, 'main', BASE)
    state = launch(state, b, 'pull', BASE + SECOND)
    state = runTask(state, c, 'pull', BASE + 3 * SECOND)
    state = step(
      state,
      { type: 'TaskUpdated', update: upd(taskIdOf(b, 'pull'), 'RUNNING', BASE + 4 * SECOND) },
      BASE + 4 * SECOND,
    )
    state = step(
      state,
      { type: 'TaskUpdated', update: upd(taskIdOf(b, 'pull'), 'FINISHED', BASE + 5 * SECOND) },
      BASE + 5 * SECOND,
    )
    const starved = BASE + 5 * SECOND + 10 * MINUTE + 1
    const order = (from: State): string[] => {
      const [messages] = drain(step(from, { type: 'StarvationChecked' }, starved), starved)
      return endRecordsOf(messages).map((r) => r.clusterId)
    }
    expect(order(state)).toEqual([c.clusterId, b.clusterId])
    const restored = Manager.fromSnapshot(JSON.parse(JSON.stringify(Manager.toSnapshot(state))))
    if (restored._tag === 'Left') throw restored.left
    expect(order(restored.right)).toEqual([c.clusterId, b.clusterId])
  })

  it('does not starve an execution that has a current task or has started its next one', () => {
    const spec = makeSpec({ id: 1 })
    let state = runTask(schedule([spec]), spec, 'pull', BASE)
    state = step(state, { type: 'NextTaskStarted', clusterId: spec.clusterId }, BASE + MINUTE)
    expect(step(state, { type: 'StarvationChecked' }, BASE + 100 * HOUR)).toBe(state)
  })
})

describe('canceled off the queue', () => {
  const record = (id: number, jobId: number): EndRecord => {
    const spec = makeSpec({ id, jobId, jobTypeId: 9 })
    return {
      id,
      clusterId: spec.clusterId,
      jobId,
      exeNum: 1,
      jobTypeId: 9,
      nodeId: 1,
      status: 'CANCELED',
      queued: QUEUED,
      started: STARTED,
      finished: BASE,
      taskResults: { version: '1.0', tasks: notLaunched(spec, ALL_TYPES) },
    }
  }

  it('sends the records straight to the outbox, after what was already there', () => {
    const live = makeSpec({ id: 1, jobId: 81, taskTypes: ['main'] })
    const r1 = record(2, 82)
    const r2 = record(3, 83)
    let state = runTask(schedule([live]), live, 'main', BASE + SECOND)
    state = step(state, { type: 'CanceledOffQueue', records: [r1, r2] }, BASE + MINUTE)
    expect(Manager.runningExecutions(state)).toEqual([])
    const [messages] = drain(state, BASE + 2 * MINUTE)
    expect(messages).toHaveLength(2)
    expect(endRecordsOf(messages).map((r) => r.jobId)).toEqual([81, 82, 83])
    expect(endRecordsOf(messages).slice(1)).toEqual([r1, r2])
    expect(messages[1]).toEqual({ type: 'CompletedJobs', jobs: [{ jobId: 81, exeNum: 1 }], when: BASE + 2 * MINUTE })
    // not counted in the metrics
    expect(Manager.statusJson(state, [1], BASE + MINUTE)).toStrictEqual([nodeJson(1, { completed: [[1, 1]] })])
  })

  it('alone gives just a JobExeEnd', () => {
    const r1 = record(2, 82)
    const state = step(Manager.create(BASE), { type: 'CanceledOffQueue', records: [r1] }, BASE)
    expect(drain(state, BASE)[0]).toEqual([{ type: 'JobExeEnd', records: [r1] }])
  })
})

describe('history loading', () => {
  const rec = (
    id: number,
    nodeId: Ids.NodeId,
    jobTypeId: number,
    status: Execution.ExecutionStatus,
    finished: number,
    error?: Errors.JobError,
  ): EndRecord => ({
    id,
    clusterId: Ids.clusterId(FW, 500 + id, 1),
    jobId: 500 + id,
    exeNum: 1,
    jobTypeId,
    nodeId,
    status,
    error,
    queued: finished - HOUR,
    started: finished - 30 * MINUTE,
    finished,
    taskResults: { version: '1.0', tasks: [] },
  })

  it('counts recent records by category as if live and ignores older ones', () => {
    // the block [BASE, BASE + 5 min) ends at exactly now - 3h: still in the window
    const now = BASE + 5 * MINUTE + 3 * HOUR
    const records = [
      rec(1, 1, 3, 'COMPLETED', BASE),
      rec(2, 1, 3, 'COMPLETED', BASE + 3 * HOUR),
      rec(3, 1, 2, 'FAILED', BASE + HOUR, algError),
      rec(4, 1, 3, 'FAILED', BASE + HOUR, dataError),
      rec(5, 2, 3, 'FAILED', BASE + 2 * HOUR, nodeLost),
      rec(6, 2, 3, 'CANCELED', BASE + 2 * HOUR),
      // block [BASE - 5 min, BASE) ends before now - 3h: ignored
      rec(7, 1, 3, 'COMPLETED', BASE - 1),
      rec(8, 2, 3, 'FAILED', BASE - 1, dataError),
    ]
    const state = step(Manager.create(now), { type: 'HistoryLoaded', records }, now)
    expect(Manager.runningExecutions(state)).toEqual([])
    expect(drain(state, now)[0]).toEqual([])
    expect(Manager.statusJson(state, [1, 2], now)).toStrictEqual([
      nodeJson(1, { completed: [[3, 2]], algorithm: [[2, 1]], data: [[3, 1]] }),
      nodeJson(2, { system: [[3, 1]] }),
    ])
    // one millisecond later the first block leaves the window
    expect(Manager.statusJson(state, [1, 2], now + 1)).toStrictEqual([
      nodeJson(1, { completed: [[3, 1]], algorithm: [[2, 1]], data: [[3, 1]] }),
      nodeJson(2, { system: [[3, 1]] }),
    ])
  })

  it('history gives the same status JSON as the same executions finished live', () => {
    const specs = [
      makeSpec({ id: 1, nodeId: 1, jobTypeId: 2, taskTypes: ['main'] }),
      makeSpec({ id: 2, nodeId: 1, jobTypeId: 3, taskTypes: ['main'] }),
      makeSpec({ id: 3, nodeId: 2, jobTypeId: 2, taskTypes: ['main'] }),
      makeSpec({ id: 4, nodeId: 2, jobTypeId: 3, taskTypes: ['main'] }),
      makeSpec({ id: 5, nodeId: 2, jobTypeId: 3, taskTypes: ['main'] }),
    ]
    let live = schedule(specs)
    const [s1, s2, s3, s4, s5] = specs
    if (s1 === undefined || s2 === undefined || s3 === undefined || s4 === undefined || s5 === undefined)
      throw new Error('fixture')
    live = runTask(live, s1, 'main', BASE + MINUTE)
    live = launchAndRun(live, s2, 'main', BASE + 7 * MINUTE)
    live = step(
      live,
      { type: 'TaskUpdated', update: upd(taskIdOf(s2, 'main'), 'FAILED', BASE + 8 * MINUTE, { exitCode: 1 }) },
      BASE + 8 * MINUTE,
    )
    live = launchAndRun(live, s3, 'main', BASE + 20 * MINUTE)
    live = step(
      live,
      { type: 'TaskUpdated', update: upd(taskIdOf(s3, 'main'), 'FAILED', BASE + 21 * MINUTE, { exitCode: 2 }) },
      BASE + 21 * MINUTE,
    )
    live = step(live, { type: 'NodeLost', nodeId: 2 }, BASE + HOUR)
    expect(Manager.runningExecutions(live)).toEqual([])
    const [messages] = drain(live, BASE + HOUR)
    const records = endRecordsOf(messages)
    expect(records).toHaveLength(5)

    const at = BASE + 2 * HOUR
    const history = step(Manager.create(at), { type: 'HistoryLoaded', records }, at)
    for (const now of [
      at,
      BASE + 3 * HOUR + 5 * MINUTE,
      BASE + 3 * HOUR + 5 * MINUTE + 1,
      BASE + 3 * HOUR + 10 * MINUTE + 1,
      BASE + 5 * HOUR,
    ]) {
      expect(Manager.statusJson(history, [1, 2], now)).toStrictEqual(Manager.statusJson(live, [1, 2], now))
    }
    expect(Manager.statusJson(history, [1, 2], at)).toStrictEqual([
      nodeJson(1, { completed: [[2, 1]], data: [[3, 1]] }),
      nodeJson(2, { algorithm: [[2, 1]], system: [[3, 2]] }),
    ])
  })
})

describe('events that change nothing return the very same state', () => {
  const setUp = () => {
    const a = makeSpec({ id: 1, jobId: 91, nodeId: 1 })
    const b = makeSpec({ id: 2, jobId: 92, nodeId: 1 })
    let state = launchAndRun(schedule([a, b]), a, 'pull', BASE + SECOND)
    state = drain(state, BASE + SECOND)[1]
    return { a, b, state }
  }

  it.each<[string, (a: Spec) => Event]>([
    [
      'an update for a task id without the job prefix',
      () => ({ type: 'TaskUpdated', update: upd('cleanup_7', 'FAILED', BASE) }),
    ],
    [
      'an update for a non-job id embedding a job id',
      (a) => ({ type: 'TaskUpdated', update: upd(`x${taskIdOf(a, 'pull')}`, 'FAILED', BASE) }),
    ],
    [
      'an update for an unknown execution',
      () => ({ type: 'TaskUpdated', update: upd('scale_job_fw1_999x1_pull', 'FAILED', BASE) }),
    ],
    [
      'an update for a malformed job task id',
      () => ({ type: 'TaskUpdated', update: upd('scale_job', 'FAILED', BASE) }),
    ],
    [
      'an update for a task that is not current',
      (a) => ({ type: 'TaskUpdated', update: upd(taskIdOf(a, 'main'), 'FAILED', BASE) }),
    ],
    [
      'an update for a lost id the task does not have',
      (a) => ({ type: 'TaskUpdated', update: upd(`${taskIdOf(a, 'pull')}_lost-1`, 'FAILED', BASE) }),
    ],
    [
      'NextTaskStarted for an unknown cluster id',
      () => ({ type: 'NextTaskStarted', clusterId: 'scale_job_fw1_999x1' }),
    ],
    ['NextTaskStarted while a task is current', (a) => ({ type: 'NextTaskStarted', clusterId: a.clusterId })],
    ['TaskLaunched for an unknown task', () => ({ type: 'TaskLaunched', taskId: 'scale_job_fw1_999x1_pull' })],
    ['TaskLaunched again', (a) => ({ type: 'TaskLaunched', taskId: taskIdOf(a, 'pull') })],
    ['TaskTimedOut for an unknown task', () => ({ type: 'TaskTimedOut', taskId: 'scale_job_fw1_999x1_pull' })],
    ['NodeLost for an unknown node', () => ({ type: 'NodeLost', nodeId: 99 })],
    ['NodeLost for a node id spelt as a name, not as the number (01)', () => ({ type: 'NodeLost', nodeId: '01' })],
    ['ExecutionsLost for unknown ids', () => ({ type: 'ExecutionsLost', ids: [999, 'scale_job_fw1_999x1'] })],
    ['ExecutionsLost with no ids', () => ({ type: 'ExecutionsLost', ids: [] })],
    [
      'JobsSynced for an unknown job',
      () => ({ type: 'JobsSynced', jobs: { 12345: { status: 'CANCELED', numExes: 3 } } }),
    ],
    ['StarvationChecked with nothing due', () => ({ type: 'StarvationChecked' })],
    ['TimeoutsChecked with nothing due', () => ({ type: 'TimeoutsChecked' })],
    ['CanceledOffQueue with no records', () => ({ type: 'CanceledOffQueue', records: [] })],
    ['HistoryLoaded with no records', () => ({ type: 'HistoryLoaded', records: [] })],
    ['Scheduled with nothing', () => ({ type: 'Scheduled', executions: [], messages: [] })],
  ])('%s', (_name, event) => {
    const { a, state } = setUp()
    expect(step(state, event(a), BASE + 10 * SECOND)).toBe(state)
  })
})

describe('Manager.nextDeadline', () => {
  it('is none on an empty manager and for executions with nothing launched', () => {
    expect(Manager.nextDeadline(Manager.create(BASE))).toEqual(O.none)
    const spec = makeSpec({ id: 1 })
    const scheduled = schedule([spec])
    expect(Manager.nextDeadline(scheduled)).toEqual(O.none)
    const started = step(scheduled, { type: 'NextTaskStarted', clusterId: spec.clusterId }, BASE)
    expect(Manager.nextDeadline(started)).toEqual(O.none)
  })

  it('follows the staging reconcile, the running reconcile and starvation', () => {
    const spec = makeSpec({ id: 1 })
    const pull = taskIdOf(spec, 'pull')
    const t0 = BASE + SECOND
    let state = launch(schedule([spec]), spec, 'pull', t0)
    expect(Manager.nextDeadline(state)).toEqual(O.some(t0 + 30_000 + 1))
    expect(Manager.tasksToReconcile(state, t0 + 30_000)).toEqual([])
    expect(Manager.tasksToReconcile(state, t0 + 30_001)).toHaveLength(1)

    const t1 = t0 + 10 * SECOND
    state = step(state, { type: 'TaskUpdated', update: upd(pull, 'RUNNING', t1) }, t1)
    // running reconcile (10 min) comes before the pull timeout (30 min)
    expect(Manager.nextDeadline(state)).toEqual(O.some(t1 + 10 * MINUTE + 1))

    const t2 = t1 + MINUTE
    state = step(state, { type: 'TaskUpdated', update: upd(pull, 'FINISHED', t2 - 5) }, t2)
    expect(Manager.nextDeadline(state)).toEqual(O.some(t2 + 10 * MINUTE + 1))
    expect(step(state, { type: 'StarvationChecked' }, t2 + 10 * MINUTE)).toBe(state)
    expect(step(state, { type: 'StarvationChecked' }, t2 + 10 * MINUTE + 1)).not.toBe(state)

    // the next task staging: its reconcile deadline replaces starvation
    const t3 = t2 + MINUTE
    state = launch(state, spec, 'pre', t3)
    expect(Manager.nextDeadline(state)).toEqual(O.some(t3 + 30_001))
  })

  it('uses the execution settings, and the earliest deadline of all executions', () => {
    const fast = makeSpec({ id: 1, jobId: 1 })
    const slow = makeSpec({ id: 2, jobId: 2 })
    const t0 = BASE + SECOND
    const exe = Execution.create(fast, { stagingTimeout: 3_000, stagingReconcileDelay: 5_000 })
    let state = step(Manager.create(BASE), { type: 'Scheduled', executions: [exe, slow] }, BASE)
    state = launch(state, slow, 'pull', t0 - 500)
    expect(Manager.nextDeadline(state)).toEqual(O.some(t0 - 500 + 30_001))
    state = launch(state, fast, 'pull', t0)
    expect(Manager.nextDeadline(state)).toEqual(O.some(t0 + 3_001))
    expect(step(state, { type: 'TimeoutsChecked' }, t0 + 3_000)).toBe(state)
    const after = step(state, { type: 'TimeoutsChecked' }, t0 + 3_001)
    expect(Execution.error(running(after, fast))).toEqual(Errors.BUILTIN['launch-timeout'])
    // the fast task timed out: next is its reconcile (5 s after launch)
    expect(Manager.nextDeadline(after)).toEqual(O.some(t0 + 5_001))
  })

  it('ignores force-reconciled tasks but keeps their timeouts', () => {
    const longRunning = makeSpec({ id: 1, nodeId: 1, taskTypes: ['main'], isLongRunning: true })
    let state = launchAndRun(schedule([longRunning]), longRunning, 'main', BASE)
    expect(Manager.nextDeadline(state)).toEqual(O.some(BASE + 1 + 10 * MINUTE + 1))
    state = step(state, { type: 'NodeLost', nodeId: 1 }, BASE + MINUTE)
    // only a forced reconciliation remains: no deadline
    expect(Manager.nextDeadline(state)).toEqual(O.none)
    expect(Manager.tasksToReconcile(state, BASE + MINUTE)).toHaveLength(1)

    const staging = makeSpec({ id: 2, nodeId: 2 })
    let other = launch(schedule([staging]), staging, 'pull', BASE)
    other = step(other, { type: 'NodeLost', nodeId: 2 }, BASE + 10 * SECOND)
    // the staging timeout would still mark the task timed out and needing a kill
    expect(Manager.nextDeadline(other)).toEqual(O.some(BASE + 2 * MINUTE + 1))
    expect(step(other, { type: 'TimeoutsChecked' }, BASE + 2 * MINUTE)).toBe(other)
    const timedOut = step(other, { type: 'TimeoutsChecked' }, BASE + 2 * MINUTE + 1)
    expect(Manager.tasksToKill(timedOut).map((t) => [t.id, t.timedOut])).toEqual([[taskIdOf(staging, 'pull'), true]])
  })

  it('is exactly the first instant at which a check or a non-forced reconciliation acts (generated streams)', () => {
    const specs = [
      makeSpec({ id: 1, nodeId: 1, timeout: 5 * MINUTE }),
      makeSpec({ id: 2, nodeId: 2, taskTypes: ['pre', 'main'], timeout: 20 * MINUTE }),
      makeSpec({ id: 3, nodeId: 1, taskTypes: ['main', 'post'], isLongRunning: true }),
      makeSpec({ id: 4, nodeId: 2, taskTypes: ['main'], isSystem: true, timeout: 90 * SECOND }),
    ]
    const statuses: readonly Status[] = [
      'STAGING',
      'RUNNING',
      'RUNNING',
      'FINISHED',
      'FINISHED',
      'FAILED',
      'KILLED',
      'LOST',
    ]
    const command = fc.record({
      kind: fc.constantFrom(
        'next',
        'launch',
        'update',
        'update',
        'update',
        'timeouts',
        'starvation',
        'nodeLost',
        'lost',
        'cancel',
      ),
      exe: fc.integer({ min: 0, max: specs.length - 1 }),
      status: fc.constantFrom(...statuses),
      dt: fc.oneof(fc.integer({ min: 0, max: 20 * SECOND }), fc.integer({ min: 0, max: 15 * MINUTE })),
    })
    const noForced = (tasks: readonly Task.Task[]): boolean => tasks.every((t) => t.forceReconciliation)
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        let now = BASE
        let state = schedule(specs, now)
        for (const c of commands) {
          now += c.dt
          const spec = specs[c.exe]
          if (spec === undefined) continue
          const exe = Manager.runningExecution(state, spec.clusterId)
          const task = exe === undefined ? undefined : (Execution.currentTask(exe) ?? Execution.nextTask(exe))
          const taskId = task?.id ?? `${spec.clusterId}_main`
          const event: Event =
            c.kind === 'next'
              ? { type: 'NextTaskStarted', clusterId: spec.clusterId }
              : c.kind === 'launch'
                ? { type: 'TaskLaunched', taskId }
                : c.kind === 'update'
                  ? {
                      type: 'TaskUpdated',
                      update: upd(taskId, c.status, now, { exitCode: c.status === 'FAILED' ? 1 : undefined }),
                    }
                  : c.kind === 'timeouts'
                    ? { type: 'TimeoutsChecked' }
                    : c.kind === 'starvation'
                      ? { type: 'StarvationChecked' }
                      : c.kind === 'nodeLost'
                        ? { type: 'NodeLost', nodeId: spec.nodeId }
                        : c.kind === 'lost'
                          ? { type: 'ExecutionsLost', ids: [spec.id] }
                          : { type: 'JobsSynced', jobs: { [spec.jobId]: { status: 'CANCELED', numExes: 1 } } }
          state = step(state, event, now)
        }
        const deadline = Manager.nextDeadline(state)
        if (O.isNone(deadline)) {
          const far = now + 1000 * HOUR
          expect(step(state, { type: 'TimeoutsChecked' }, far)).toBe(state)
          expect(step(state, { type: 'StarvationChecked' }, far)).toBe(state)
          expect(noForced(Manager.tasksToReconcile(state, far))).toBe(true)
          return
        }
        const d = deadline.value
        expect(Number.isInteger(d)).toBe(true)
        expect(step(state, { type: 'TimeoutsChecked' }, d - 1)).toBe(state)
        expect(step(state, { type: 'StarvationChecked' }, d - 1)).toBe(state)
        expect(noForced(Manager.tasksToReconcile(state, d - 1))).toBe(true)
        const acts =
          step(state, { type: 'TimeoutsChecked' }, d) !== state ||
          step(state, { type: 'StarvationChecked' }, d) !== state ||
          !noForced(Manager.tasksToReconcile(state, d))
        expect(acts).toBe(true)
      }),
      { numRuns: runs(300) },
    )
  })

  it('is none once everything is finished', () => {
    const spec = makeSpec({ id: 1, taskTypes: ['main'] })
    const done = runTask(schedule([spec]), spec, 'main', BASE)
    expect(Manager.nextDeadline(done)).toEqual(O.none)
  })
})

describe('Manager.shardOf', () => {
  it('is stable and within 0..k-1', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (id, k) => {
        const shard = Manager.shardOf(id, k)
        expect(Number.isInteger(shard)).toBe(true)
        expect(shard).toBeGreaterThanOrEqual(0)
        expect(shard).toBeLessThan(k)
        expect(Manager.shardOf(id, k)).toBe(shard)
      }),
    )
  })

  it('puts everything in shard 0 of 1 and spreads cluster ids over all shards', () => {
    const ids = Array.from({ length: 200 }, (_, i) => Ids.clusterId(FW, i + 1, 1))
    expect(new Set(ids.map((id) => Manager.shardOf(id, 1)))).toEqual(new Set([0]))
    expect(new Set(ids.map((id) => Manager.shardOf(id, 4)))).toEqual(new Set([0, 1, 2, 3]))
  })
})
