// The reducers are total on events passed directly (a JavaScript host is not
// held to the types): one example per hostile shape that used to hang, throw,
// corrupt a state or miscount, and what each reducer does with it instead.
import * as O from 'fp-ts/Option'
import { describe, expect, it } from 'vitest'
import { Errors, EventLog, Execution, Manager, Metrics, Task } from '../src/index'
import type { TaskUpdate } from '../src/index'
import { checkInvariants } from '../src/testing'
import { deepFreeze, executionSpec, jobType } from './fixtures'

const T0 = Date.UTC(2026, 0, 1)
const CLUSTER = 'scale_job_fw_1x1'
const MAIN = `${CLUSTER}_main`

const spec = (changes: Record<string, unknown> = {}, clusterId = CLUSTER): Execution.ExecutionSpec => ({
  ...executionSpec(1, { clusterId, jobType: jobType(3_600_000, 'ingest') }),
  ...changes,
})

// An unchecked event or update: what a JavaScript host may pass.
const hostile = <T>(value: unknown): T => value as T

const update = (changes: Record<string, unknown>): TaskUpdate.TaskUpdate =>
  hostile({ taskId: MAIN, status: 'RUNNING', timestamp: T0 + 1_000, ...changes })

// A manager with one execution whose main task is launched.
const launched = (s: Execution.ExecutionSpec = spec()): Manager.Manager => {
  let state = Manager.create(T0)
  state = Manager.reduce(state, { type: 'Scheduled', executions: [s] }, T0)
  state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: s.clusterId }, T0)
  return Manager.reduce(state, { type: 'TaskLaunched', taskId: `${s.clusterId}_main` }, T0)
}

const endRecords = (state: Manager.Manager): Execution.EndRecord[] => Manager.endRecordsOf(Manager.drain(state, T0)[0])

describe('instants that are not safe integers', () => {
  it('a NaN timestamp is refused and never hangs the deadline index', () => {
    const state = deepFreeze(launched())
    const next = Manager.reduce(state, { type: 'TaskUpdated', update: update({ timestamp: NaN }) }, T0 + 1_000)
    expect(next).toBe(state)
    expect(checkInvariants(next)).toEqual([])
  })

  it('fractions and infinities in timestamps and in now are refused', () => {
    const state = deepFreeze(launched())
    for (const timestamp of [T0 + 0.5, Infinity, -Infinity, '5', null, undefined]) {
      expect(Manager.reduce(state, { type: 'TaskUpdated', update: update({ timestamp }) }, T0 + 1_000)).toBe(state)
    }
    for (const now of [T0 + 0.5, NaN, Infinity, -Infinity, 2 ** 53]) {
      expect(Manager.reduce(state, { type: 'TimeoutsChecked' }, now)).toBe(state)
      expect(Manager.reduce(state, { type: 'TaskUpdated', update: update({}) }, now)).toBe(state)
    }
  })

  it('a launch at a fractional now leaves no fractional deadline', () => {
    let state = Manager.create(T0)
    state = Manager.reduce(state, { type: 'Scheduled', executions: [spec()] }, T0)
    state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: CLUSTER }, T0)
    const ready = state
    state = Manager.reduce(state, { type: 'TaskLaunched', taskId: MAIN }, T0 + 0.5)
    expect(state).toBe(ready)
    expect(Manager.nextDeadline(state)).toEqual(O.none)
  })

  it('nextDeadline is none when the deadline is beyond the safe integers (no now can reach it)', () => {
    const state = launched()
    const late = Number.MAX_SAFE_INTEGER - 10
    const next = Manager.reduce(state, { type: 'TaskUpdated', update: update({ timestamp: late }) }, T0 + 1_000)
    expect(next).not.toBe(state)
    expect(Manager.nextDeadline(next)).toEqual(O.none)
  })

  it('Execution.reduce and Task.reduce refuse a now that is not a safe integer', () => {
    const exe = Execution.reduce(Execution.create(spec()), { type: 'NextTaskStarted' }, T0)
    expect(Execution.reduce(exe, { type: 'TaskLaunched' }, NaN)).toBe(exe)
    expect(Execution.reduce(exe, { type: 'TaskLaunched' }, T0 + 0.5)).toBe(exe)
    const task = Execution.nextTask(Execution.create(spec()))
    expect(task).toBeDefined()
    if (task !== undefined) expect(Task.reduce(task, { type: 'Launched' }, Infinity)).toBe(task)
  })
})

describe('events that do not have the shape of their type', () => {
  it('a status outside the enum leaves no undefined task slot (NodeLost still works)', () => {
    const state = launched()
    const next = Manager.reduce(state, { type: 'TaskUpdated', update: update({ status: 'BOGUS' }) }, T0 + 1_000)
    expect(next).toBe(state)
    const lost = Manager.reduce(next, { type: 'NodeLost', nodeId: 1 }, T0 + 2_000)
    expect(checkInvariants(lost)).toEqual([])
    const exe = Manager.runningExecution(state, CLUSTER)
    expect(exe).toBeDefined()
    if (exe === undefined) return
    expect(Execution.reduce(exe, { type: 'TaskUpdated', update: update({ status: 'BOGUS' }) }, T0 + 1_000)).toBe(exe)
  })

  it('null and mistyped optional update fields are refused', () => {
    const state = launched()
    for (const changes of [
      { exitCode: null },
      { exitCode: 1.5 },
      { containerName: null },
      { containerName: 7 },
      { reason: {} },
      { agentId: 3 },
      { message: [] },
      { source: null },
    ]) {
      expect(
        Manager.reduce(state, { type: 'TaskUpdated', update: update(changes) }, T0 + 1_000),
        JSON.stringify(changes),
      ).toBe(state)
    }
  })

  it('missing fields and non-object events are refused, never thrown on', () => {
    const state = deepFreeze(launched())
    for (const event of [
      { type: 'TaskUpdated' },
      { type: 'TaskUpdated', update: null },
      { type: 'TaskUpdated', update: { taskId: MAIN, timestamp: T0 } },
      { type: 'TaskLaunched' },
      { type: 'TaskTimedOut', taskId: 7 },
      { type: 'NextTaskStarted', clusterId: {} },
      { type: 'ExecutionsLost' },
      { type: 'ExecutionsLost', ids: 'scale_job_fw_1x1' },
      { type: 'NodeLost' },
      { type: 'NodeLost', nodeId: { id: 1 } },
      { type: 'NodeLost', nodeId: NaN },
      { type: 'JobsSynced', jobs: null },
      { type: 'JobsSynced' },
      { type: 'JobsSynced', jobs: [{ status: 'CANCELED', numExes: 2 }] },
      { type: 'CanceledOffQueue', records: null },
      { type: 'HistoryLoaded', records: {} },
      { type: 'Scheduled', executions: null },
      { type: 'Scheduled', executions: [spec({}, 'scale_job_fw_2x1')], messages: 'hello' },
      { type: 'constructor' },
      { type: '__proto__' },
      null,
      undefined,
      42,
    ]) {
      expect(Manager.reduce(state, hostile(event), T0 + 1_000), JSON.stringify(event)).toBe(state)
    }
  })

  it('Execution.reduce and Task.reduce refuse events they cannot apply', () => {
    const exe = Execution.reduce(Execution.create(spec()), { type: 'NextTaskStarted' }, T0)
    for (const event of [
      { type: 'TaskUpdated' },
      { type: 'TaskUpdated', update: { ...update({}), timestamp: NaN } },
      { type: 'TaskLaunched', taskId: 5 },
      { type: 'TaskTimedOut' },
      { type: 'Bogus' },
      null,
    ]) {
      expect(Execution.reduce(exe, hostile(event), T0 + 1_000), JSON.stringify(event)).toBe(exe)
    }
    const task = Execution.currentTask(exe)
    expect(task).toBeDefined()
    if (task === undefined) return
    for (const event of [
      { type: 'Updated' },
      { type: 'Updated', update: update({ status: 'BOGUS' }) },
      { type: 'X' },
      null,
    ]) {
      expect(Task.reduce(task, hostile(event), T0 + 1_000), JSON.stringify(event)).toBe(task)
    }
  })
})

describe('Scheduled refuses bad specs one by one', () => {
  const scheduled = (...executions: unknown[]): Manager.Manager =>
    Manager.reduce(Manager.create(T0), hostile({ type: 'Scheduled', executions }), T0)
  const running = (state: Manager.Manager): string[] => Manager.runningExecutions(state).map((x) => x.clusterId)
  const good = spec({}, 'scale_job_fw_9x1')

  it('null lookups are refused, the good spec beside them runs', () => {
    const state = scheduled(
      spec({ exitCodeErrors: null }, 'scale_job_fw_1x1'),
      spec({ jobType: { ...spec().jobType, errorMapping: null } }, 'scale_job_fw_2x1'),
      good,
    )
    expect(running(state)).toEqual([good.clusterId])
    expect(checkInvariants(state)).toEqual([])
  })

  it('lookups must hold job errors with a known category', () => {
    const weird = { 2: { name: 'x', category: 'constructor', title: 'X' } }
    const state = scheduled(
      spec({ exitCodeErrors: weird }, 'scale_job_fw_1x1'),
      spec({ jobType: { ...spec().jobType, errorMapping: { 2: 'oops' } } }, 'scale_job_fw_2x1'),
      spec({ exitCodeErrors: new Map() }, 'scale_job_fw_3x1'),
      good,
    )
    expect(running(state)).toEqual([good.clusterId])
  })

  it('taskTypes: [] (or unknown, duplicate, out-of-order types) never ends an execution as RUNNING', () => {
    const state = scheduled(
      spec({ taskTypes: [] }, 'scale_job_fw_1x1'),
      spec({ taskTypes: ['bogus'] }, 'scale_job_fw_2x1'),
      spec({ taskTypes: ['main', 'main'] }, 'scale_job_fw_3x1'),
      spec({ taskTypes: ['post', 'pre'] }, 'scale_job_fw_4x1'),
      spec({ taskTypes: 'main' }, 'scale_job_fw_5x1'),
      good,
    )
    expect(endRecords(state)).toEqual([])
    expect(running(state)).toEqual([good.clusterId])
  })

  it('missing or mistyped spec fields, and non-objects, are refused', () => {
    const { jobType: _jobType, ...noJobType } = spec({}, 'scale_job_fw_1x1')
    const state = scheduled(
      noJobType,
      spec({ started: NaN }, 'scale_job_fw_2x1'),
      spec({ id: '3' }, 'scale_job_fw_3x1'),
      spec({ nodeId: null }, 'scale_job_fw_4x1'),
      spec({ jobType: { ...spec().jobType, timeout: Infinity } }, 'scale_job_fw_5x1'),
      null,
      7,
      'scale_job_fw_6x1',
      good,
    )
    expect(running(state)).toEqual([good.clusterId])
    expect(checkInvariants(state)).toEqual([])
  })

  it('whole executions must be consistent: no empty task slot, indexes in range, not finished while RUNNING', () => {
    const exe = (clusterId: string): Execution.Execution => Execution.create(spec({}, clusterId))
    const a = exe('scale_job_fw_1x1')
    const b = exe('scale_job_fw_2x1')
    const c = exe('scale_job_fw_3x1')
    const d = exe('scale_job_fw_4x1')
    const e = Execution.reduce(exe('scale_job_fw_5x1'), { type: 'NextTaskStarted' }, T0)
    const state = scheduled(
      { ...a, tasks: [undefined] },
      { ...b, next: 5 },
      { ...c, tasks: [] },
      { ...d, next: 1 },
      { ...e, current: 3 },
      { ...exe('scale_job_fw_6x1'), settings: { ...Execution.DEFAULT_SETTINGS, stagingTimeout: NaN } },
      good,
    )
    expect(endRecords(state)).toEqual([])
    expect(running(state)).toEqual([good.clusterId])
    const lost = Manager.reduce(state, { type: 'NodeLost', nodeId: 1 }, T0 + 1)
    expect(checkInvariants(lost)).toEqual([])
  })

  it('Execution.create with taskTypes: [] gives an execution with no tasks, finished at once, still RUNNING', () => {
    const exe = Execution.create(spec({ taskTypes: [] }))
    expect(Execution.tasks(exe)).toEqual([])
    expect(Execution.isFinished(exe)).toBe(true)
    expect(Execution.status(exe)).toBe('RUNNING')
    expect(running(scheduled(exe))).toEqual([])
    expect(endRecords(scheduled(exe))).toEqual([])
  })
})

describe('list events keep their good elements', () => {
  it('JobsSynced skips malformed jobs and still cancels by the good ones', () => {
    const state = launched()
    const jobs = JSON.parse('{"__proto__": {"status": "CANCELED", "numExes": 1}, "7": null}') as Record<string, unknown>
    const bad = Manager.reduce(
      state,
      hostile({ type: 'JobsSynced', jobs: { ...jobs, 1: { status: 5, numExes: 9 } } }),
      T0 + 1,
    )
    expect(bad).toBe(state)
    const mixed = Manager.reduce(
      state,
      hostile({ type: 'JobsSynced', jobs: { 2: { status: 'CANCELED' }, 1: { status: 'CANCELED', numExes: 1 } } }),
      T0 + 1,
    )
    expect(Execution.status(Manager.runningExecution(mixed, CLUSTER) ?? Execution.create(spec()))).toBe('CANCELED')
  })

  it("JobsSynced statuses are Scale's job statuses: a misspelt one is a type error, refused at run time and in logs", () => {
    // @ts-expect-error 'cancelled' is not a JobStatus
    const misspelt: Manager.SyncedJob = { status: 'cancelled', numExes: 1 }
    const state = launched()
    expect(Manager.reduce(state, { type: 'JobsSynced', jobs: { 1: misspelt } }, T0 + 1)).toBe(state)
    for (const status of Manager.JOB_STATUSES) {
      const next = Manager.reduce(state, { type: 'JobsSynced', jobs: { 1: { status, numExes: 1 } } }, T0 + 1)
      const execution = Manager.runningExecution(next, CLUSTER)
      expect(execution === undefined ? 'gone' : Execution.status(execution)).toBe(
        status === 'CANCELED' ? 'CANCELED' : 'RUNNING',
      )
    }
    const line = EventLog.decodeLine(
      '{"now":1,"event":{"type":"JobsSynced","jobs":{"1":{"status":"cancelled","numExes":1}}}}',
    )
    expect(line._tag === 'Left' && line.left).toContain('jobs.1.status')
  })

  it('ExecutionsLost skips ids that are neither integers nor strings', () => {
    const state = launched()
    const next = Manager.reduce(state, hostile({ type: 'ExecutionsLost', ids: [NaN, null, {}, 1.5, CLUSTER] }), T0 + 1)
    expect(Execution.status(Manager.runningExecution(next, CLUSTER) ?? Execution.create(spec()))).toBe('FAILED')
    expect(checkInvariants(next)).toEqual([])
  })

  it('HistoryLoaded ignores malformed records: no block at Infinity, no category from Object.prototype', () => {
    const state = Manager.create(T0)
    const record = { nodeId: 1, jobTypeId: 1, status: 'FAILED', finished: T0 }
    const next = Manager.reduce(
      state,
      hostile({
        type: 'HistoryLoaded',
        records: [
          { ...record, finished: Infinity, status: 'COMPLETED' },
          { ...record, finished: T0 + 0.5, status: 'COMPLETED' },
          { ...record, error: { category: 'constructor' } },
          { ...record, error: { category: '__proto__' } },
          { ...record, error: null },
          null,
          { ...record, error: { category: 'DATA' } },
        ],
      }),
      T0,
    )
    expect(checkInvariants(next)).toEqual([])
    const [node] = Manager.statusJson(next, [1], T0)
    expect(node?.job_executions.completed.total).toBe(0)
    expect(node?.job_executions.failed.data.total).toBe(1)
    expect(node?.job_executions.failed.total).toBe(1)
  })

  it('CanceledOffQueue passes on the well-formed records only', () => {
    const state = Manager.create(T0)
    const record: Execution.EndRecord = {
      id: 3,
      clusterId: 'scale_job_fw_3x1',
      jobId: 3,
      exeNum: 1,
      jobTypeId: 1,
      nodeId: 1,
      status: 'CANCELED',
      queued: T0,
      started: T0,
      taskResults: { version: '1.0', tasks: [] },
    }
    const next = Manager.reduce(
      state,
      hostile({ type: 'CanceledOffQueue', records: [record, null, { ...record, id: NaN }] }),
      T0,
    )
    expect(endRecords(next)).toEqual([record])
    expect(Manager.reduce(state, hostile({ type: 'CanceledOffQueue', records: [null] }), T0)).toBe(state)
  })
})

describe('error categories are read as own properties only', () => {
  it('Metrics.finishedKind counts no category named after an Object.prototype key', () => {
    for (const category of ['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty']) {
      expect(Metrics.finishedKind(hostile({ status: 'FAILED', error: { category } })), category).toBeUndefined()
    }
    expect(Metrics.finishedKind({ nodeId: 1, jobTypeId: 1, status: 'FAILED', error: { category: 'SYSTEM' } })).toBe(
      'system',
    )
  })

  it('Metrics.finishedKind counts no category that is not a string, even one that spells a category', () => {
    // A property lookup would turn these into 'DATA' or 'SYSTEM'; only the strings are categories.
    for (const category of [['DATA'], new String('SYSTEM'), { toString: () => 'ALGORITHM' }]) {
      expect(Metrics.finishedKind(hostile({ status: 'FAILED', error: { category } })), String(category)).toBeUndefined()
    }
  })

  it('Metrics.finishedKind counts a FAILED execution whose error is null as no kind', () => {
    expect(Metrics.finishedKind(hostile({ nodeId: 1, jobTypeId: 1, status: 'FAILED', error: null }))).toBeUndefined()
  })

  it('Metrics.addFinished does not count a FAILED execution with such a category as COMPLETED', () => {
    const metrics = Metrics.addFinished(
      Metrics.create(T0),
      hostile({ nodeId: 1, jobTypeId: 1, status: 'FAILED', error: { category: 'constructor' }, finished: T0 }),
    )
    expect(Metrics.statusJson(metrics, [1], T0)[0]?.job_executions.completed.total).toBe(0)
    expect(Metrics.total(metrics.finished)).toBe(0)
  })

  it('Errors.forExitCode never throws on a null lookup and returns only job errors', () => {
    expect(Errors.forExitCode(hostile(null), 2)).toBeUndefined()
    expect(Errors.forExitCode(hostile({ 2: 'oops' }), 2)).toBeUndefined()
    expect(Errors.forExitCode(hostile({ 2: { name: 'x', category: 'valueOf', title: 'X' } }), 2)).toBeUndefined()
    expect(Errors.forExitCode({}, hostile('constructor'))).toBeUndefined()
  })

  it('a directly created execution with a null errorMapping fails with algorithm-unknown, not a throw', () => {
    let exe = Execution.create(spec({ jobType: { ...spec().jobType, errorMapping: null } }))
    exe = Execution.reduce(exe, { type: 'NextTaskStarted' }, T0)
    exe = Execution.reduce(exe, { type: 'TaskLaunched' }, T0)
    exe = Execution.reduce(exe, { type: 'TaskUpdated', update: update({}) }, T0 + 1)
    exe = Execution.reduce(exe, { type: 'TaskUpdated', update: update({ status: 'FAILED', exitCode: 2 }) }, T0 + 2)
    expect(Execution.error(exe)?.name).toBe('algorithm-unknown')
  })
})

describe('message counts by host-supplied type', () => {
  it('EventLog.countMessages counts types named after Object.prototype keys like any other', () => {
    const counts = EventLog.countMessages([
      { type: 'constructor' },
      { type: '__proto__' },
      { type: '__proto__' },
      { type: 'toString' },
    ])
    expect(Object.getPrototypeOf(counts)).toBe(Object.prototype)
    expect(Object.entries(counts)).toEqual([
      ['constructor', 1],
      ['__proto__', 2],
      ['toString', 1],
    ])
  })
})

describe('the manager functions beside reduce are total too', () => {
  it('route sends what reduce would refuse nowhere, and drops a list element it cannot route', () => {
    expect(Manager.route(hostile({ type: 'TaskUpdated' }), 4)).toEqual([])
    expect(Manager.route(hostile({ type: 'NextTaskStarted', clusterId: 7 }), 4)).toEqual([])
    expect(Manager.route(hostile(null), 4)).toEqual([])
    const routed = Manager.route(hostile({ type: 'Scheduled', executions: [spec(), { clusterId: 5 }] }), 4)
    expect(routed).toEqual([[Manager.shardOf(CLUSTER, 4), { type: 'Scheduled', executions: [spec()] }]])
  })

  it('shardOf puts what is not a string on shard 0 instead of throwing', () => {
    expect(Manager.shardOf(5 as unknown as string, 4)).toBe(0)
  })

  it('drain at a now that is not a safe integer drains nothing, and the messages stay queued', () => {
    const state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [], messages: ['m'] }, T0)
    for (const now of [Number.NaN, 1.5, Number.POSITIVE_INFINITY])
      expect(Manager.drain(state, now)).toEqual([[], state])
    expect(Manager.drain(state, T0)[0]).toEqual(['m'])
  })

  it('logged lines and logged updates refuse fractional instants (the reducers would)', () => {
    expect(EventLog.decodeLine('{"now":1.5,"event":{"type":"TimeoutsChecked"}}')._tag).toBe('Left')
    const update = '{"taskId":"scale_job_fw_1x1_main","status":"RUNNING","timestamp":2.5}'
    expect(EventLog.decodeLine(`{"now":1,"event":{"type":"TaskUpdated","update":${update}}}`)._tag).toBe('Left')
  })
})
