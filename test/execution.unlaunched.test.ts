// Behaviour this library adds where Scale's would leave an execution stuck: a
// final status keeps a current task that was never launched (as Scale does, so
// that it can be killed once the host launches it), but finishes the execution
// once the staging timeout has passed since the final status if the host never
// launches it.
import * as O from 'fp-ts/Option'
import { describe, expect, it } from 'vitest'
import { Execution, Manager, Task } from '../src/index'
import { executionSpec, jobType } from './fixtures'

// Every task type: the first task is pull.
const spec = executionSpec(1, { queued: 0, started: 0, taskTypes: undefined, jobType: jobType(60_000) })

const STAGING = Execution.DEFAULT_SETTINGS.stagingTimeout

describe('a final status keeps a current task that was never launched', () => {
  for (const event of [{ type: 'Canceled' }, { type: 'NodeLost' }] as const) {
    it(`${event.type} before the launch keeps the task; launched later, it needs a kill`, () => {
      let exe = Execution.reduce(Execution.create(spec), { type: 'NextTaskStarted' }, 5)
      exe = Execution.reduce(exe, event, 10)
      expect(Execution.currentTask(exe)?.id).toBe('scale_job_fw_1x1_pull')
      expect(Execution.isFinished(exe)).toBe(false)
      const launched = Execution.reduce(exe, { type: 'TaskLaunched' }, 11)
      const task = Execution.currentTask(launched)
      expect(task?.launched).toBe(11)
      expect(task !== undefined && Task.needsKill(task)).toBe(true)
    })

    it(`${event.type} before the launch: never launched, TimeoutsChecked finishes it after the staging timeout`, () => {
      let exe = Execution.reduce(Execution.create(spec), { type: 'NextTaskStarted' }, 5)
      exe = Execution.reduce(exe, event, 10)
      expect(Execution.unlaunchedDeadline(exe)).toBe(10 + STAGING + 1)
      expect(Execution.reduce(exe, { type: 'TimeoutsChecked' }, 10 + STAGING)).toBe(exe)
      const dropped = Execution.reduce(exe, { type: 'TimeoutsChecked' }, 10 + STAGING + 1)
      expect(Execution.isFinished(dropped)).toBe(true)
      expect(Execution.finished(dropped)).toBe(10)
    })

    it(`${event.type} after the launch keeps the current task until its update`, () => {
      let exe = Execution.reduce(Execution.create(spec), { type: 'NextTaskStarted' }, 5)
      exe = Execution.reduce(exe, { type: 'TaskLaunched' }, 6)
      exe = Execution.reduce(exe, event, 10)
      expect(Execution.currentTask(exe)?.id).toBe('scale_job_fw_1x1_pull')
      expect(Execution.isFinished(exe)).toBe(false)
      expect(Execution.unlaunchedDeadline(exe)).toBeUndefined()
    })
  }

  it('the manager keeps such an execution until the staging timeout has passed, then finishes it', () => {
    let state = Manager.reduce(Manager.create(0), { type: 'Scheduled', executions: [spec] }, 0)
    state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: spec.clusterId }, 1)
    state = Manager.reduce(state, { type: 'JobsSynced', jobs: { 1: { status: 'CANCELED', numExes: 1 } } }, 2)
    expect(Manager.runningExecutions(state).map((x) => x.clusterId)).toEqual([spec.clusterId])
    expect(Manager.nextDeadline(state)).toEqual(O.some(2 + STAGING + 1))
    expect(Manager.reduce(state, { type: 'TimeoutsChecked' }, 2 + STAGING)).toBe(state)
    state = Manager.reduce(state, { type: 'TimeoutsChecked' }, 2 + STAGING + 1)
    expect(Manager.runningExecutions(state)).toEqual([])
    const records = Manager.endRecordsOf(Manager.drain(state, 3 + STAGING)[0])
    expect(records.map((r) => [r.clusterId, r.status, r.finished])).toEqual([['scale_job_fw_1x1', 'CANCELED', 2]])
  })
})

describe('a TaskTimedOut before the launch', () => {
  const TID = 'scale_job_fw_1x1_pull'
  const timedOutBeforeLaunch = (): Execution.Execution => {
    const exe = Execution.reduce(Execution.create(spec), { type: 'NextTaskStarted' }, 5)
    return Execution.reduce(exe, { type: 'TaskTimedOut', taskId: TID }, 10)
  }

  it('fails the execution with launch-timeout and leaves the task as it was (it has no launch to time out)', () => {
    const exe = timedOutBeforeLaunch()
    expect([Execution.status(exe), Execution.error(exe)?.name, Execution.finished(exe)]).toEqual([
      'FAILED',
      'launch-timeout',
      10,
    ])
    expect(Execution.currentTask(exe)?.timedOut).toBe(false)
    const task = Execution.currentTask(Execution.reduce(exe, { type: 'TaskLaunched' }, 11))
    expect(task !== undefined && Task.needsKill(task)).toBe(true)
  })

  it('comes again after the launch and changes nothing: the end record still says was_timed_out false', () => {
    const launched = Execution.reduce(timedOutBeforeLaunch(), { type: 'TaskLaunched' }, 11)
    expect(Execution.reduce(launched, { type: 'TaskTimedOut', taskId: TID }, 12)).toBe(launched)
    const running = { taskId: TID, status: 'RUNNING' as const, timestamp: 13 }
    const started = Execution.reduce(launched, { type: 'TaskUpdated', update: running }, 13)
    expect(Execution.reduce(started, { type: 'TaskTimedOut', taskId: TID }, 14)).toBe(started)
  })

  it('does not stop TimeoutsChecked from timing the launched task out once its own staging timeout passes', () => {
    const launched = Execution.reduce(timedOutBeforeLaunch(), { type: 'TaskLaunched' }, 11)
    expect(Execution.reduce(launched, { type: 'TimeoutsChecked' }, 11 + STAGING)).toBe(launched)
    const checked = Execution.reduce(launched, { type: 'TimeoutsChecked' }, 11 + STAGING + 1)
    expect(Execution.currentTask(checked)?.timedOut).toBe(true)
    expect(Execution.error(checked)?.name).toBe('launch-timeout')
    expect(Execution.finished(checked)).toBe(10)
  })

  it('a first TaskTimedOut of a task launched after a cancel still marks it timed out', () => {
    let exe = Execution.reduce(Execution.create(spec), { type: 'NextTaskStarted' }, 5)
    exe = Execution.reduce(exe, { type: 'Canceled' }, 10)
    exe = Execution.reduce(exe, { type: 'TaskLaunched' }, 11)
    const timedOut = Execution.reduce(exe, { type: 'TaskTimedOut', taskId: TID }, 12)
    expect(Execution.currentTask(timedOut)?.timedOut).toBe(true)
    expect(Execution.status(timedOut)).toBe('CANCELED')
  })
})
