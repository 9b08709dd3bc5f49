/**
 * The rules of one task (contract §5), tested on the Task module directly.
 */
import { describe, expect, it } from 'vitest'
import { Errors, Execution, Task, type TaskUpdate } from '../src/index'
import { EXIT_CODE_ERRORS } from '../src/testing'

type Update = TaskUpdate.TaskUpdate

const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const T0 = Date.UTC(2026, 0, 1)
const CID = 'scale_job_fw1_42x3'
const JOB_TIMEOUT = 45 * MINUTE

const context = (overrides: Partial<Task.TaskContext> = {}): Task.TaskContext => ({
  clusterId: CID,
  isSystem: false,
  isLongRunning: false,
  timeout: JOB_TIMEOUT,
  settings: Execution.DEFAULT_SETTINGS,
  ...overrides,
})

const create = (type: Task.TaskType, overrides: Partial<Task.TaskContext> = {}): Task.Task =>
  Task.create(type, context(overrides))

const update = (
  taskId: string,
  status: TaskUpdate.TaskStatus,
  timestamp: number,
  extra: Partial<Update> = {},
): Update => ({ taskId, agentId: 'agent-1', status, timestamp, ...extra })

const launched = (task: Task.Task, at: number): Task.Task => Task.reduce(task, { type: 'Launched' }, at)
const updated = (task: Task.Task, u: Update, now = u.timestamp + 7): Task.Task =>
  Task.reduce(task, { type: 'Updated', update: u }, now)
/** Launched at `at`, RUNNING since `at + 1000`. */
const running = (task: Task.Task, at: number, extra: Partial<Update> = {}): Task.Task =>
  updated(launched(task, at), update(task.id, 'RUNNING', at + SECOND, extra))

describe('create', () => {
  it.each(Task.TASK_TYPES)('a %s task is not launched, with id {clusterId}_{type}', (type) => {
    const task = create(type)
    expect(task.id).toBe(`${CID}_${type}`)
    expect(task.baseId).toBe(`${CID}_${type}`)
    expect(task.type).toBe(type)
    expect(task.lostCount).toBe(0)
    expect(task.config.usesDocker).toBe(type !== 'pull')
    expect(task.launched).toBeUndefined()
    expect(task.started).toBeUndefined()
    expect(task.ended).toBeUndefined()
    expect(task.lastStatusUpdate).toBeUndefined()
    expect(task.timedOut).toBe(false)
    expect(task.forceReconciliation).toBe(false)
    expect(task.finalStatus).toBeUndefined()
    expect(task.exitCode).toBeUndefined()
    expect(task.containerName).toBeUndefined()
    expect(Task.isLaunched(task)).toBe(false)
    expect(Task.needsKill(task)).toBe(false)
    expect(Task.needsReconciliation(task, T0 + HOUR)).toBe(false)
  })

  it('the task types run in the order pull, pre, main, post', () => {
    expect(Task.TASK_TYPES).toEqual(['pull', 'pre', 'main', 'post'])
  })
})

describe('launch', () => {
  it('marks launched and sets the last update to when', () => {
    const task = launched(create('main'), T0)
    expect(task.launched).toBe(T0)
    expect(task.lastStatusUpdate).toBe(T0)
    expect(task.started).toBeUndefined()
    expect(Task.isLaunched(task)).toBe(true)
  })

  it('launching twice changes nothing', () => {
    const once = launched(create('main'), T0)
    const twice = launched(once, T0 + 5 * SECOND)
    expect(twice).toBe(once)
    expect(twice.launched).toBe(T0)
  })

  it('never changes its input', () => {
    const fresh = Object.freeze(create('pre'))
    const next = launched(fresh, T0)
    expect(fresh.launched).toBeUndefined()
    expect(next).not.toBe(fresh)
  })
})

describe('updates', () => {
  it('an update for another id returns the very same task', () => {
    const task = running(create('main'), T0)
    for (const id of [`${CID}_pre`, `${CID}_main_lost-1`, 'scale_job_fw1_1x1_main', '']) {
      expect(updated(task, update(id, 'FAILED', T0 + MINUTE, { exitCode: 1 }))).toBe(task)
      expect(updated(task, update(id, 'LOST', T0 + MINUTE))).toBe(task)
    }
  })

  it('clears forced reconciliation and records the timestamp (not now) as last update', () => {
    const forced = Task.reduce(launched(create('main'), T0), { type: 'ReconciliationForced' }, T0 + 10)
    expect(forced.forceReconciliation).toBe(true)
    const next = updated(forced, update(forced.id, 'STAGING', T0 + 500), T0 + 900)
    expect(next.forceReconciliation).toBe(false)
    expect(next.lastStatusUpdate).toBe(T0 + 500)
    expect(next.started).toBeUndefined()
    const unknown = updated(next, update(forced.id, 'UNKNOWN', T0 + 600), T0 + 950)
    expect(unknown.lastStatusUpdate).toBe(T0 + 600)
    expect(unknown.started).toBeUndefined()
    expect(unknown.ended).toBeUndefined()
  })

  it('RUNNING marks started the first time only, with its timestamp and container name', () => {
    const first = running(create('main'), T0, { containerName: 'c-1' })
    expect(first.started).toBe(T0 + SECOND)
    expect(first.lastStatusUpdate).toBe(T0 + SECOND)
    expect(first.containerName).toBe('c-1')
    const again = updated(first, update(first.id, 'RUNNING', T0 + 5 * SECOND, { containerName: 'c-2' }))
    expect(again.started).toBe(T0 + SECOND)
    expect(again.containerName).toBe('c-1')
    expect(again.lastStatusUpdate).toBe(T0 + 5 * SECOND)
  })

  it('a RUNNING without a container name leaves none, and a later one does not add it', () => {
    const first = running(create('pre'), T0)
    const later = updated(first, update(first.id, 'RUNNING', T0 + 5 * SECOND, { containerName: 'late' }))
    expect(later.containerName).toBeUndefined()
  })

  it('a repeated update returns the very same task', () => {
    const task = running(create('main'), T0, { containerName: 'c-1' })
    const again = updated(task, update(task.id, 'RUNNING', T0 + SECOND, { containerName: 'c-1' }))
    expect(again).toBe(task)
    const ended = updated(task, update(task.id, 'FAILED', T0 + MINUTE, { exitCode: 3 }))
    expect(updated(ended, update(task.id, 'FAILED', T0 + MINUTE, { exitCode: 3 }))).toBe(ended)
  })

  it('FINISHED without an exit code has exit code 0', () => {
    const task = updated(running(create('main'), T0), update(`${CID}_main`, 'FINISHED', T0 + MINUTE))
    expect(task.ended).toBe(T0 + MINUTE)
    expect(task.finalStatus).toBe('FINISHED')
    expect(task.exitCode).toBe(0)
  })

  it.each([
    ['FINISHED', 4, 4],
    ['FAILED', 2, 2],
    ['FAILED', undefined, undefined],
    ['KILLED', undefined, undefined],
    ['KILLED', -9, -9],
  ] as const)('%s with exit code %s ends the task with exit code %s', (status, code, expected) => {
    const task = running(create('post'), T0)
    const ended = updated(
      task,
      update(task.id, status, T0 + MINUTE, code === undefined ? {} : { exitCode: code }),
      T0 + 2 * MINUTE,
    )
    expect(ended.ended).toBe(T0 + MINUTE)
    expect(ended.finalStatus).toBe(status)
    expect(ended.exitCode).toBe(expected)
    expect(ended.lastStatusUpdate).toBe(T0 + MINUTE)
    expect(Task.isEnded(ended)).toBe(true)
    expect(Task.isEnded(task)).toBe(false)
  })

  it('a terminal update before RUNNING ends a task that never started', () => {
    const task = launched(create('main'), T0)
    const ended = updated(task, update(task.id, 'FAILED', T0 + 100))
    expect(ended.ended).toBe(T0 + 100)
    expect(ended.started).toBeUndefined()
    expect(ended.finalStatus).toBe('FAILED')
  })

  it('an ended task only records the last update', () => {
    const base = running(create('main'), T0, { containerName: 'c-1' })
    const ended = updated(base, update(base.id, 'FINISHED', T0 + MINUTE, { exitCode: 0 }))
    const forced = Task.reduce(ended, { type: 'ReconciliationForced' }, T0 + 2 * MINUTE)
    for (const status of ['FAILED', 'KILLED', 'RUNNING', 'LOST', 'STAGING', 'FINISHED'] as const) {
      const after = updated(forced, update(base.id, status, T0 + 3 * MINUTE, { exitCode: 9, containerName: 'c-2' }))
      expect(after.lastStatusUpdate).toBe(T0 + 3 * MINUTE)
      expect(after.forceReconciliation).toBe(false)
      expect(after.ended).toBe(T0 + MINUTE)
      expect(after.finalStatus).toBe('FINISHED')
      expect(after.exitCode).toBe(0)
      expect(after.launched).toBe(T0)
      expect(after.started).toBe(T0 + SECOND)
      expect(after.containerName).toBe('c-1')
      expect(Task.isLaunched(after)).toBe(true)
    }
  })

  it('LOST resets the task to before launch', () => {
    const timedOut = Task.reduce(running(create('main'), T0, { containerName: 'c-1' }), { type: 'TimedOut' }, T0 + HOUR)
    expect(timedOut.timedOut).toBe(true)
    const lost = updated(timedOut, update(timedOut.id, 'LOST', T0 + HOUR + 5))
    expect(lost.launched).toBeUndefined()
    expect(lost.started).toBeUndefined()
    expect(lost.lastStatusUpdate).toBeUndefined()
    expect(lost.ended).toBeUndefined()
    expect(lost.timedOut).toBe(false)
    expect(lost.forceReconciliation).toBe(false)
    expect(Task.isLaunched(lost)).toBe(false)
    expect(Task.needsKill(lost)).toBe(false)
    expect(Task.needsReconciliation(lost, T0 + 10 * HOUR)).toBe(false)
    expect(Task.timeoutDeadline(lost)).toBeUndefined()
    // the id is unchanged by the update itself; it can be launched again
    expect(lost.id).toBe(`${CID}_main`)
    expect(launched(lost, T0 + 2 * HOUR).launched).toBe(T0 + 2 * HOUR)
  })

  it('LOST keeps the container name until the rerun reports a new one', () => {
    // Scale's cleanup removes containers by these names, so a lost run's name stays.
    const lost = updated(
      running(create('main'), T0, { containerName: 'c-1' }),
      update(`${CID}_main`, 'LOST', T0 + HOUR),
    )
    expect(lost.containerName).toBe('c-1')
    const rerun = Task.reduce(launched(lost, T0 + 2 * HOUR), { type: 'Renamed' }, T0 + 2 * HOUR)
    expect(updated(rerun, update(rerun.id, 'STAGING', T0 + 2 * HOUR + 1)).containerName).toBe('c-1')
    // a rerun RUNNING without a name keeps the old one; with one, takes it
    expect(updated(rerun, update(rerun.id, 'RUNNING', T0 + 2 * HOUR + 2)).containerName).toBe('c-1')
    const named = updated(rerun, update(rerun.id, 'RUNNING', T0 + 2 * HOUR + 2, { containerName: 'c-2' }))
    expect(named.containerName).toBe('c-2')
  })

  it('Renamed gives the next lost id, keeping the base id', () => {
    const task = create('pre')
    const once = Task.reduce(task, { type: 'Renamed' }, T0)
    const twice = Task.reduce(once, { type: 'Renamed' }, T0)
    expect(once.id).toBe(`${CID}_pre_lost-1`)
    expect(twice.id).toBe(`${CID}_pre_lost-2`)
    expect(twice.baseId).toBe(`${CID}_pre`)
    expect(twice.lostCount).toBe(2)
  })
})

describe('configuration', () => {
  it('is shared by the tasks of one settings object and context, and differs with them', () => {
    // Shared so that executions created with the same settings hold one configuration each.
    expect(create('main').config).toBe(create('main').config)
    expect(create('pull').config).toBe(create('pull').config)
    expect(create('main').config).not.toBe(create('pull').config)
    expect(create('main', { timeout: JOB_TIMEOUT + 1 }).config).not.toBe(create('main').config)
    const settings = { ...Execution.DEFAULT_SETTINGS }
    const other = create('main', { settings }).config
    expect(other).not.toBe(create('main').config)
    expect(other).toEqual(create('main').config)
    expect(create('main', { settings }).config).toBe(other)
    expect(Object.isFrozen(other)).toBe(true)
  })
})

describe('needs kill', () => {
  it('only while launched and not ended', () => {
    const fresh = create('main')
    expect(Task.needsKill(Task.reduce(fresh, { type: 'KillRequested' }, T0))).toBe(false)

    const staging = launched(fresh, T0)
    expect(Task.needsKill(staging)).toBe(false)
    expect(Task.needsKill(Task.reduce(staging, { type: 'KillRequested' }, T0 + 1))).toBe(true)

    const run = running(fresh, T0)
    const kill = Task.reduce(run, { type: 'KillRequested' }, T0 + 2 * SECOND)
    expect(Task.needsKill(kill)).toBe(true)
    expect(Task.needsKill(updated(kill, update(kill.id, 'KILLED', T0 + 3 * SECOND)))).toBe(false)
    expect(Task.needsKill(updated(kill, update(kill.id, 'FINISHED', T0 + 3 * SECOND)))).toBe(false)
    expect(Task.needsKill(updated(kill, update(kill.id, 'LOST', T0 + 3 * SECOND)))).toBe(false)
    // LOST resets the task to before launch: the kill was for the lost run, not its rerun
    const lost = updated(kill, update(kill.id, 'LOST', T0 + 3 * SECOND))
    expect(lost.killRequested).toBe(false)
    const rerun = Task.reduce(launched(lost, T0 + 4 * SECOND), { type: 'Renamed' }, T0 + 4 * SECOND)
    expect(Task.needsKill(updated(rerun, update(rerun.id, 'RUNNING', T0 + 5 * SECOND)))).toBe(false)
    // a non-terminal update keeps the need
    expect(Task.needsKill(updated(kill, update(kill.id, 'RUNNING', T0 + 3 * SECOND)))).toBe(true)
  })

  it('a timed-out task needs a kill', () => {
    const timedOut = Task.reduce(running(create('pre'), T0), { type: 'TimedOut' }, T0 + 2 * HOUR)
    expect(timedOut.timedOut).toBe(true)
    expect(Task.needsKill(timedOut)).toBe(true)
  })

  it('a kill request on an ended task is no kill', () => {
    const ended = updated(running(create('pre'), T0), update(`${CID}_pre`, 'FAILED', T0 + MINUTE))
    expect(Task.needsKill(Task.reduce(ended, { type: 'KillRequested' }, T0 + 2 * MINUTE))).toBe(false)
  })
})

describe('needs reconciliation', () => {
  it('staging: after exactly 30 s no, 30 s + 1 ms yes', () => {
    const staging = launched(create('pull'), T0)
    expect(Task.needsReconciliation(staging, T0)).toBe(false)
    expect(Task.needsReconciliation(staging, T0 + 30 * SECOND)).toBe(false)
    expect(Task.needsReconciliation(staging, T0 + 30 * SECOND + 1)).toBe(true)
  })

  it('staging counts from the last update timestamp', () => {
    const staging = updated(launched(create('pre'), T0), update(`${CID}_pre`, 'STAGING', T0 + 20 * SECOND), T0 + HOUR)
    expect(Task.needsReconciliation(staging, T0 + 50 * SECOND)).toBe(false)
    expect(Task.needsReconciliation(staging, T0 + 50 * SECOND + 1)).toBe(true)
  })

  it('started: after exactly 10 min no, 10 min + 1 ms yes', () => {
    const run = running(create('main'), T0)
    const last = T0 + SECOND
    expect(run.lastStatusUpdate).toBe(last)
    expect(Task.needsReconciliation(run, last + 30 * SECOND + 1)).toBe(false)
    expect(Task.needsReconciliation(run, last + 10 * MINUTE)).toBe(false)
    expect(Task.needsReconciliation(run, last + 10 * MINUTE + 1)).toBe(true)
  })

  it('forced: at once, while launched and not ended', () => {
    const forced = Task.reduce(running(create('main'), T0), { type: 'ReconciliationForced' }, T0 + 2 * SECOND)
    expect(forced.forceReconciliation).toBe(true)
    expect(Task.needsReconciliation(forced, T0 + 2 * SECOND)).toBe(true)
    const forcedFresh = Task.reduce(create('main'), { type: 'ReconciliationForced' }, T0)
    expect(Task.needsReconciliation(forcedFresh, T0 + HOUR)).toBe(false)
    const answered = updated(forced, update(forced.id, 'RUNNING', T0 + 3 * SECOND))
    expect(Task.needsReconciliation(answered, T0 + 3 * SECOND)).toBe(false)
  })

  it('never once ended', () => {
    const ended = updated(running(create('main'), T0), update(`${CID}_main`, 'KILLED', T0 + MINUTE))
    expect(Task.needsReconciliation(ended, T0 + 10 * HOUR)).toBe(false)
    const forcedEnded = Task.reduce(ended, { type: 'ReconciliationForced' }, T0 + 2 * MINUTE)
    expect(Task.needsReconciliation(forcedEnded, T0 + 2 * MINUTE)).toBe(false)
  })

  it('follows the reconciliation delay settings', () => {
    const settings = Execution.withDefaults({ stagingReconcileDelay: 5, runningReconcileDelay: 50 })
    const staging = launched(create('pre', { settings }), T0)
    expect(Task.needsReconciliation(staging, T0 + 5)).toBe(false)
    expect(Task.needsReconciliation(staging, T0 + 6)).toBe(true)
    const run = running(create('pre', { settings }), T0)
    expect(Task.needsReconciliation(run, T0 + SECOND + 50)).toBe(false)
    expect(Task.needsReconciliation(run, T0 + SECOND + 51)).toBe(true)
  })
})

describe('timeouts', () => {
  it('staging longer than 2 minutes times out (boundary)', () => {
    for (const type of Task.TASK_TYPES) {
      const staging = launched(create(type), T0)
      expect(Task.hasTimedOut(staging, T0 + 2 * MINUTE)).toBe(false)
      expect(Task.hasTimedOut(staging, T0 + 2 * MINUTE + 1)).toBe(true)
      expect(Task.timeoutError(staging)).toEqual(Errors.BUILTIN['launch-timeout'])
    }
  })

  it.each([
    ['pull', 30 * MINUTE],
    ['pre', HOUR],
    ['post', HOUR],
    ['main', JOB_TIMEOUT],
  ] as const)('a started %s task times out after running longer than %d ms', (type, threshold) => {
    const run = running(create(type), T0)
    const started = T0 + SECOND
    expect(run.config.runningTimeout).toBe(threshold)
    expect(Task.hasTimedOut(run, started + 2 * MINUTE + 1)).toBe(false)
    expect(Task.hasTimedOut(run, started + threshold)).toBe(false)
    expect(Task.hasTimedOut(run, started + threshold + 1)).toBe(true)
    expect(Task.timeoutDeadline(run)).toBe(started + threshold + 1)
  })

  it('the main task of a long-running job type has no running timeout', () => {
    const run = running(create('main', { isLongRunning: true }), T0)
    expect(run.config.runningTimeout).toBeUndefined()
    expect(Task.timeoutDeadline(run)).toBeUndefined()
    expect(Task.hasTimedOut(run, T0 + 365 * 24 * HOUR)).toBe(false)
    // but it still has a staging timeout
    const staging = launched(create('main', { isLongRunning: true }), T0)
    expect(Task.hasTimedOut(staging, T0 + 2 * MINUTE + 1)).toBe(true)
    // and its other tasks keep theirs
    expect(create('pre', { isLongRunning: true }).config.runningTimeout).toBe(HOUR)
  })

  it('a task that is not launched, has ended, or has already timed out does not time out', () => {
    expect(Task.hasTimedOut(create('main'), T0 + 10 * HOUR)).toBe(false)
    const ended = updated(running(create('main'), T0), update(`${CID}_main`, 'FINISHED', T0 + MINUTE))
    expect(Task.hasTimedOut(ended, T0 + 10 * HOUR)).toBe(false)
    const timedOut = Task.reduce(running(create('main'), T0), { type: 'TimedOut' }, T0 + HOUR)
    expect(Task.hasTimedOut(timedOut, T0 + 10 * HOUR)).toBe(false)
    expect(Task.reduce(timedOut, { type: 'TimedOut' }, T0 + 2 * HOUR)).toBe(timedOut)
  })

  it('TimedOut on a task that is not launched or has ended changes nothing', () => {
    const fresh = create('pre')
    expect(Task.reduce(fresh, { type: 'TimedOut' }, T0)).toBe(fresh)
    const ended = updated(running(create('pre'), T0), update(`${CID}_pre`, 'FINISHED', T0 + MINUTE))
    expect(Task.reduce(ended, { type: 'TimedOut' }, T0 + HOUR)).toBe(ended)
  })

  it.each([
    ['pull', false, 'pull-timeout'],
    ['pre', false, 'pre-timeout'],
    ['post', false, 'post-timeout'],
    ['main', false, 'timeout'],
    ['main', true, 'system-timeout'],
    ['pre', true, 'pre-timeout'],
  ] as const)('a started %s task (system: %s) has timeout error %s', (type, isSystem, name) => {
    const run = running(create(type, { isSystem }), T0)
    expect(Task.timeoutError(run)).toEqual(Errors.BUILTIN[name])
    expect(Task.timeoutError(launched(create(type, { isSystem }), T0))).toEqual(Errors.BUILTIN['launch-timeout'])
  })

  it('follows the timeout settings', () => {
    const settings = Execution.withDefaults({ stagingTimeout: 10, pullTimeout: 20, preTimeout: 30, postTimeout: 40 })
    expect(Task.hasTimedOut(launched(create('main', { settings }), T0), T0 + 11)).toBe(true)
    expect(Task.hasTimedOut(launched(create('main', { settings }), T0), T0 + 10)).toBe(false)
    expect(create('pull', { settings }).config.runningTimeout).toBe(20)
    expect(create('pre', { settings }).config.runningTimeout).toBe(30)
    expect(create('post', { settings }).config.runningTimeout).toBe(40)
    expect(create('main', { settings }).config.runningTimeout).toBe(JOB_TIMEOUT)
  })
})

describe('failureError', () => {
  const OOM: Errors.JobError = { name: 'oom', category: 'SYSTEM', title: 'Out of memory' }
  const ZERO: Errors.JobError = { name: 'zero', category: 'SYSTEM', title: 'Zero' }
  const CRASH: Errors.JobError = { name: 'crash', category: 'ALGORITHM', title: 'Crash' }
  const BAD_DATA: Errors.JobError = { name: 'bad-data', category: 'DATA', title: 'Bad data' }
  const lookups: Task.ErrorLookups = {
    exitCodeErrors: { 0: ZERO, 137: OOM },
    errorMapping: { 0: CRASH, 2: CRASH, 3: BAD_DATA },
  }
  const TERMINATED = 'REASON_EXECUTOR_TERMINATED'

  /** The error of a task failed with `code`/`reason`, read after the task took the update. */
  const errorOf = (
    type: Task.TaskType,
    opts: { started: boolean; code?: number; reason?: string; isSystem?: boolean; status?: 'FAILED' | 'KILLED' },
  ): string => {
    const base = launched(create(type, { isSystem: opts.isSystem ?? false }), T0)
    const task = opts.started ? updated(base, update(base.id, 'RUNNING', T0 + SECOND)) : base
    const u = update(base.id, opts.status ?? 'FAILED', T0 + MINUTE, {
      ...(opts.code === undefined ? {} : { exitCode: opts.code }),
      ...(opts.reason === undefined ? {} : { reason: opts.reason }),
    })
    return Task.failureError(updated(task, u), u, lookups).name
  }

  it.each([
    // pull: always pull
    ['pull', { started: false }, 'pull'],
    ['pull', { started: true }, 'pull'],
    ['pull', { started: true, code: 137 }, 'pull'],
    ['pull', { started: true, reason: TERMINATED }, 'pull'],
    ['pull', { started: true, status: 'KILLED' }, 'pull'],
    // pre and post: registry for a started non-zero code
    ['pre', { started: true, code: 137 }, 'oom'],
    ['pre', { started: true, code: 5 }, 'unknown'],
    ['pre', { started: true, code: 0 }, 'unknown'],
    ['pre', { started: true }, 'unknown'],
    ['pre', { started: true, status: 'KILLED' }, 'unknown'],
    ['pre', { started: false, code: 137 }, 'docker-task-launch'],
    ['pre', { started: false }, 'docker-task-launch'],
    ['pre', { started: true, reason: TERMINATED }, 'docker-terminated'],
    ['pre', { started: true, reason: TERMINATED, code: 5 }, 'docker-terminated'],
    ['pre', { started: true, reason: TERMINATED, code: 137 }, 'oom'],
    ['post', { started: true, code: 137 }, 'oom'],
    ['post', { started: true, code: 2 }, 'unknown'],
    ['post', { started: false }, 'docker-task-launch'],
    ['post', { started: true, reason: TERMINATED }, 'docker-terminated'],
    // main of a non-system job: the job type's mapping once started
    ['main', { started: true, code: 2 }, 'crash'],
    ['main', { started: true, code: 3 }, 'bad-data'],
    ['main', { started: true, code: 137 }, 'algorithm-unknown'],
    ['main', { started: true, code: 137, reason: TERMINATED }, 'algorithm-unknown'],
    // no exit code, or 0, is never looked up (not even the mapping's entry for 0):
    // the general error, as Scale's mapping returns nothing for them
    ['main', { started: true, code: 0 }, 'unknown'],
    ['main', { started: true }, 'unknown'],
    ['main', { started: true, status: 'KILLED' }, 'unknown'],
    ['main', { started: true, reason: TERMINATED }, 'docker-terminated'],
    ['main', { started: true, reason: TERMINATED, code: 0 }, 'docker-terminated'],
    ['main', { started: false, code: 2 }, 'docker-task-launch'],
    ['main', { started: false }, 'docker-task-launch'],
    // main of a system job: the registry for a non-zero code
    ['main', { isSystem: true, started: true, code: 137 }, 'oom'],
    ['main', { isSystem: true, started: false, code: 137 }, 'oom'],
    ['main', { isSystem: true, started: true, code: 0 }, 'unknown'],
    ['main', { isSystem: true, started: true, code: 2 }, 'unknown'],
    ['main', { isSystem: true, started: false }, 'docker-task-launch'],
    ['main', { isSystem: true, started: true, reason: TERMINATED }, 'docker-terminated'],
  ] as const)('%s %j -> %s', (type, opts, expected) => {
    expect(errorOf(type, opts)).toBe(expected)
  })

  it('a main task without docker that fails with no exit code, or 0, gets unknown even when its executor terminated', () => {
    for (const code of [undefined, 0]) {
      const base = running(create('main'), T0)
      const task: Task.Task = { ...base, config: { ...base.config, usesDocker: false } }
      const u = update(task.id, 'FAILED', T0 + MINUTE, {
        reason: TERMINATED,
        ...(code === undefined ? {} : { exitCode: code }),
      })
      const failed = updated(task, u)
      expect(failed.exitCode).toBe(code)
      expect(Task.failureError(failed, u, lookups)).toEqual(Errors.BUILTIN.unknown)
      expect(Task.failureError(failed, u, lookups).category).toBe('SYSTEM')
    }
  })

  it('without lookups, falls back to the builtin errors', () => {
    const task = updated(running(create('main'), T0), update(`${CID}_main`, 'FAILED', T0 + MINUTE, { exitCode: 2 }))
    const u = update(task.id, 'FAILED', T0 + MINUTE, { exitCode: 2 })
    expect(Task.failureError(task, u, {})).toEqual(Errors.BUILTIN['algorithm-unknown'])
    const pre = updated(running(create('pre'), T0), update(`${CID}_pre`, 'FAILED', T0 + MINUTE, { exitCode: 137 }))
    expect(Task.failureError(pre, update(pre.id, 'FAILED', T0 + MINUTE, { exitCode: 137 }), {})).toEqual(
      Errors.BUILTIN.unknown,
    )
  })
})

describe("Scale's registry of system exit codes (Errors.SCALE_EXIT_CODES, the test kit's)", () => {
  it("is Scale's: the codes Scale registers, with their errors", () => {
    expect(EXIT_CODE_ERRORS).toBe(Errors.SCALE_EXIT_CODES)
    // error/apps.py registers 2-4, job/apps.py 5-7 and 10 (see the comment of Errors.SCALE_EXIT_CODES)
    expect(Object.entries(Errors.SCALE_EXIT_CODES).map(([code, error]) => [Number(code), error])).toEqual([
      [2, Errors.BUILTIN.database],
      [3, Errors.BUILTIN['database-operation']],
      [4, Errors.BUILTIN['filesystem-io']],
      [5, Errors.BUILTIN['invalid-results-manifest']],
      [6, Errors.BUILTIN['missing-setting']],
      [7, Errors.BUILTIN['missing-required-output']],
      [10, Errors.BUILTIN['missing-mount']],
    ])
  })
})
