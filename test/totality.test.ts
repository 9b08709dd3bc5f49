// The reducers are total on events passed directly (a JavaScript host is not
// held to the types): one example per hostile shape that used to hang, throw,
// corrupt a state or miscount, and what each reducer does with it instead.
import { describe, expect, it } from 'vitest'
import { Errors, Execution, Metrics } from '../src/index'
import type { TaskUpdate } from '../src/index'

const T0 = Date.UTC(2026, 0, 1)
const CLUSTER = 'scale_job_fw_1x1'
const MAIN = `${CLUSTER}_main`

const spec = (changes: Record<string, unknown> = {}, clusterId = CLUSTER): Execution.ExecutionSpec => ({
  id: 1,
  clusterId,
  jobId: 1,
  exeNum: 1,
  jobTypeId: 1,
  nodeId: 1,
  agentId: 'agent-1',
  queued: T0,
  started: T0,
  taskTypes: ['main'],
  jobType: { name: 'ingest', isSystem: false, isLongRunning: false, timeout: 3_600_000 },
  ...changes,
})

// An unchecked event or update: what a JavaScript host may pass.
const hostile = <T>(value: unknown): T => value as T

const update = (changes: Record<string, unknown>): TaskUpdate.TaskUpdate =>
  hostile({ taskId: MAIN, status: 'RUNNING', timestamp: T0 + 1_000, ...changes })

describe('error categories are read as own properties only', () => {
  it('Metrics.finishedKind counts no category named after an Object.prototype key', () => {
    for (const category of ['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty']) {
      expect(Metrics.finishedKind(hostile({ status: 'FAILED', error: { category } })), category).toBeUndefined()
    }
    expect(Metrics.finishedKind({ nodeId: 1, jobTypeId: 1, status: 'FAILED', error: { category: 'SYSTEM' } })).toBe(
      'system',
    )
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
