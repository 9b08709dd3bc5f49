/**
 * Scenario tests of one running execution (contract §§4-6, 8, 11, 12),
 * driven only through the public API.
 */
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { Container, Errors, Execution, Ids, Task, TaskResults, TaskUpdate } from '../src/index'

// ---------------------------------------------------------------------------
// helpers

type Exe = Execution.Execution
type Update = TaskUpdate.TaskUpdate
type TaskType = Task.TaskType

const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const T0 = Date.UTC(2026, 0, 1) // 2026-01-01T00:00:00.000Z
const CID = Ids.clusterId('fw1', 42, 3)
const ORDER: readonly TaskType[] = ['pull', 'pre', 'main', 'post']

const tid = (type: TaskType, lost = 0): string => (lost === 0 ? `${CID}_${type}` : `${CID}_${type}_lost-${lost}`)
const iso = (ms: number): string => new Date(ms).toISOString()

const OOM: Errors.JobError = { name: 'oom', category: 'SYSTEM', title: 'Out of memory' }
const ALGO_CRASH: Errors.JobError = { name: 'algo-crash', category: 'ALGORITHM', title: 'Algorithm crashed' }
const BAD_INPUT: Errors.JobError = { name: 'bad-input', category: 'DATA', title: 'Bad input data' }

const jobType = (overrides: Partial<Execution.JobType> = {}): Execution.JobType => ({
  name: 'ingest',
  isSystem: false,
  isLongRunning: false,
  timeout: 2 * HOUR,
  errorMapping: { 2: ALGO_CRASH, 3: BAD_INPUT },
  ...overrides,
})

const spec = (overrides: Partial<Execution.ExecutionSpec> = {}): Execution.ExecutionSpec => ({
  id: 7,
  clusterId: CID,
  jobId: 42,
  exeNum: 3,
  jobTypeId: 5,
  nodeId: 1,
  agentId: 'agent-1',
  queued: T0 - 5 * MINUTE,
  started: T0 - SECOND,
  jobType: jobType(),
  exitCodeErrors: { 137: OOM },
  ...overrides,
})

const update = (
  taskId: string,
  status: TaskUpdate.TaskStatus,
  timestamp: number,
  extra: Partial<Update> = {},
): Update => ({ taskId, agentId: 'agent-1', status, timestamp, ...extra })

const reduce = (exe: Exe, event: Execution.ExecutionEvent, now: number): Exe => Execution.reduce(exe, event, now)
const updated = (exe: Exe, u: Update, now: number): Exe => reduce(exe, { type: 'TaskUpdated', update: u }, now)
const launchNext = (exe: Exe, now: number): Exe =>
  reduce(reduce(exe, { type: 'NextTaskStarted' }, now), { type: 'TaskLaunched' }, now)

const current = (exe: Exe): Task.Task => {
  const task = Execution.currentTask(exe)
  if (task === undefined) throw new Error('expected a current task')
  return task
}
const next = (exe: Exe): Task.Task => {
  const task = Execution.nextTask(exe)
  if (task === undefined) throw new Error('expected a next task')
  return task
}
const taskOf = (exe: Exe, type: TaskType): Task.Task => {
  const task = Execution.tasks(exe).find((t) => t.type === type)
  if (task === undefined) throw new Error(`expected a ${type} task`)
  return task
}

/**
 * The execution with the task of type `type` current and launched at `now`
 * (and RUNNING since `now + 1000` when `run`), all earlier tasks finished.
 * Returns the execution and the reducer time of the last event.
 */
const atTask = (
  type: TaskType,
  options: { run: boolean; spec?: Partial<Execution.ExecutionSpec>; settings?: Partial<Execution.Settings> },
): { exe: Exe; now: number } => {
  let exe = Execution.create(spec(options.spec), options.settings)
  let now = T0
  for (const t of ORDER) {
    if (t === type) break
    exe = launchNext(exe, now)
    exe = updated(exe, update(tid(t), 'RUNNING', now + SECOND), now + SECOND)
    exe = updated(exe, update(tid(t), 'FINISHED', now + 2 * SECOND), now + 2 * SECOND)
    now += 10 * SECOND
  }
  exe = launchNext(exe, now)
  expect(current(exe).id).toBe(tid(type))
  if (!options.run) return { exe, now }
  exe = updated(exe, update(tid(type), 'RUNNING', now + SECOND), now + SECOND)
  return { exe, now: now + SECOND }
}

const expectFinal = (exe: Exe, status: Execution.ExecutionStatus, when: number, error?: Errors.JobError): void => {
  expect(Execution.status(exe)).toBe(status)
  expect(Execution.finished(exe)).toBe(when)
  expect(Execution.error(exe)).toEqual(error)
  expect(Execution.errorCategory(exe)).toBe(error?.category)
}

// ---------------------------------------------------------------------------

describe('happy path: pull, pre, main, post', () => {
  // reducer times ("now") and update timestamps deliberately differ, so that a
  // mix-up of the two shows.
  const P = { launch: T0, run: T0 + 1_000, runNow: T0 + 1_050, end: T0 + 20_000, endNow: T0 + 20_100 }
  const R = { launch: T0 + 21_000, run: T0 + 22_000, runNow: T0 + 22_070, end: T0 + 40_000, endNow: T0 + 40_300 }
  const M = {
    launch: T0 + 41_000,
    run: T0 + 43_000,
    runNow: T0 + 43_010,
    end: T0 + 10 * MINUTE,
    endNow: T0 + 10 * MINUTE + 500,
  }
  const O = {
    launch: T0 + 11 * MINUTE,
    run: T0 + 11 * MINUTE + 900,
    runNow: T0 + 11 * MINUTE + 950,
    end: T0 + 12 * MINUTE,
    endNow: T0 + 12 * MINUTE + 77,
  }
  const TIMES: Readonly<Record<TaskType, typeof P>> = { pull: P, pre: R, main: M, post: O }
  const NAMES: Readonly<Record<TaskType, string | undefined>> = {
    pull: undefined,
    pre: 'mesos-pre',
    main: 'mesos-main',
    post: 'mesos-post',
  }

  const EVENTS: ReadonlyArray<readonly [Execution.ExecutionEvent, number]> = ORDER.flatMap((type) => {
    const t = TIMES[type]
    const name = NAMES[type]
    const running = update(tid(type), 'RUNNING', t.run, name === undefined ? {} : { containerName: name })
    const finished = update(tid(type), 'FINISHED', t.end, { exitCode: 0 })
    return [
      [{ type: 'NextTaskStarted' }, t.launch],
      [{ type: 'TaskLaunched' }, t.launch],
      [{ type: 'TaskUpdated', update: running }, t.runNow],
      [{ type: 'TaskUpdated', update: finished }, t.endNow],
    ] as const
  })

  const run = (before: (exe: Exe) => void = () => undefined): { steps: Exe[]; exe: Exe } => {
    let exe = Execution.create(spec())
    const steps: Exe[] = [exe]
    for (const [event, now] of EVENTS) {
      before(exe)
      exe = reduce(exe, event, now)
      steps.push(exe)
    }
    return { steps, exe }
  }

  const deepFreeze = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }

  it('starts RUNNING with all four tasks remaining and nothing current', () => {
    const exe = Execution.create(spec())
    expect(Execution.status(exe)).toBe('RUNNING')
    expect(Execution.error(exe)).toBeUndefined()
    expect(Execution.errorCategory(exe)).toBeUndefined()
    expect(Execution.finished(exe)).toBeUndefined()
    expect(Execution.currentTask(exe)).toBeUndefined()
    expect(next(exe).id).toBe(tid('pull'))
    expect(Execution.isNextTaskReady(exe)).toBe(true)
    expect(Execution.isFinished(exe)).toBe(false)
    expect(Execution.tasks(exe).map((t) => t.id)).toEqual(ORDER.map((t) => tid(t)))
    expect(Execution.containerNames(exe)).toEqual([])
  })

  it('moves through every task in order, RUNNING until the last FINISHED', () => {
    const { steps } = run()
    // 1 initial state + 4 steps per task
    expect(steps).toHaveLength(17)
    ORDER.forEach((type, i) => {
      const startedNext = steps[1 + 4 * i]
      const launched = steps[2 + 4 * i]
      const running = steps[3 + 4 * i]
      const finished = steps[4 + 4 * i]
      if (startedNext === undefined || launched === undefined || running === undefined || finished === undefined) {
        throw new Error('missing step')
      }
      const t = TIMES[type]
      // NextTaskStarted: the task is current, not launched
      expect(current(startedNext).id).toBe(tid(type))
      expect(current(startedNext).launched).toBeUndefined()
      expect(Execution.isNextTaskReady(startedNext)).toBe(false)
      // TaskLaunched
      expect(current(launched).launched).toBe(t.launch)
      expect(current(launched).started).toBeUndefined()
      // RUNNING: started at the update's timestamp
      expect(current(running).started).toBe(t.run)
      expect(current(running).containerName).toBe(NAMES[type])
      expect(Execution.status(running)).toBe('RUNNING')
      // FINISHED: current cleared, task ended
      expect(Execution.currentTask(finished)).toBeUndefined()
      const done = taskOf(finished, type)
      expect(done.ended).toBe(t.end)
      expect(done.finalStatus).toBe('FINISHED')
      expect(done.exitCode).toBe(0)
      expect(finished.lastTaskFinished).toBe(t.endNow)
      if (type !== 'post') {
        expect(Execution.status(finished)).toBe('RUNNING')
        expect(Execution.finished(finished)).toBeUndefined()
        expect(Execution.isFinished(finished)).toBe(false)
        expect(Execution.isNextTaskReady(finished)).toBe(true)
        const following = ORDER[i + 1]
        if (following === undefined) throw new Error('no following type')
        expect(next(finished).id).toBe(tid(following))
      }
    })
  })

  it('completes at the reducer now of the last FINISHED', () => {
    const { exe } = run()
    expectFinal(exe, 'COMPLETED', O.endNow, undefined)
    expect(Execution.isFinished(exe)).toBe(true)
    expect(Execution.isNextTaskReady(exe)).toBe(false)
    expect(Execution.currentTask(exe)).toBeUndefined()
    expect(Execution.nextTask(exe)).toBeUndefined()
    expect(Execution.containerNames(exe)).toEqual(['mesos-pre', 'mesos-main', 'mesos-post'])
  })

  it('yields the exact task results, also in the end record', () => {
    const { exe } = run()
    const expected: TaskResults.TaskResults = {
      version: '1.0',
      tasks: ORDER.map((type) => ({
        task_id: tid(type),
        type,
        was_launched: true,
        launched: iso(TIMES[type].launch),
        was_started: true,
        started: iso(TIMES[type].run),
        was_timed_out: false,
        ended: iso(TIMES[type].end),
        status: 'FINISHED',
        exit_code: 0,
      })),
    }
    const results = TaskResults.fromExecution(exe)
    expect(results).toEqual(expected)
    expect(results.tasks[2]).toEqual({
      task_id: 'scale_job_fw1_42x3_main',
      type: 'main',
      was_launched: true,
      launched: '2026-01-01T00:00:41.000Z',
      was_started: true,
      started: '2026-01-01T00:00:43.000Z',
      was_timed_out: false,
      ended: '2026-01-01T00:10:00.000Z',
      status: 'FINISHED',
      exit_code: 0,
    })
    expect(TaskResults.taskRunLength(results, 'main')).toBe(M.end - M.run)

    const record = Execution.endRecord(exe)
    expect(record).toEqual({
      id: 7,
      clusterId: CID,
      jobId: 42,
      exeNum: 3,
      jobTypeId: 5,
      nodeId: 1,
      status: 'COMPLETED',
      error: undefined,
      queued: T0 - 5 * MINUTE,
      started: T0 - SECOND,
      finished: O.endNow,
      taskResults: expected,
    })
    // the task results survive their own codec
    expect(TaskResults.decode(JSON.parse(JSON.stringify(record.taskResults)))).toEqual(E.right(expected))
  })

  it('never changes its input states', () => {
    const plain = run().exe
    // every state is deeply frozen before the next event: a mutation would throw
    const frozen = run(deepFreeze).exe
    expect(frozen).toEqual(plain)
  })

  it('names its container volumes after its cluster id', () => {
    const exe = Execution.create(spec())
    expect(Container.inputVolumeName(exe)).toEqual(E.right('scale_job_fw1_42x3_input_data'))
    expect(Container.outputVolumeName(exe)).toEqual(E.right('scale_job_fw1_42x3_output_data'))
    expect(Container.mountVolumeName(exe, 'dem')).toEqual(E.right('scale_job_fw1_42x3_mount_dem'))
    expect(Container.workspaceVolumeName(exe, 'raw')).toEqual(E.right('scale_job_fw1_42x3_wksp_raw'))
  })

  it('is driven just as well by updates decoded from Mesos JSON', () => {
    const data = btoa(JSON.stringify([{ Config: { Env: ['A=1', 'MESOS_CONTAINER_NAME=mesos-from-data'] } }]))
    const mesos = (taskId: string, state: string, seconds: number, extra: Record<string, unknown> = {}): Update => {
      const decoded = TaskUpdate.fromMesos({
        task_id: { value: taskId },
        agent_id: { value: 'agent-1' },
        state,
        timestamp: seconds,
        uuid: 'AAAA',
        ...extra,
      })
      if (E.isLeft(decoded)) throw new Error(decoded.left.message)
      return decoded.right
    }
    let exe = Execution.create(spec({ taskTypes: ['main'] }))
    exe = launchNext(exe, T0)
    exe = updated(exe, mesos(tid('main'), 'TASK_STARTING', T0 / 1000 + 0.5), T0 + 600)
    expect(current(exe).started).toBeUndefined()
    expect(current(exe).lastStatusUpdate).toBe(T0 + 500)
    exe = updated(exe, mesos(tid('main'), 'TASK_RUNNING', T0 / 1000 + 1.25, { data }), T0 + 1_300)
    expect(current(exe).started).toBe(T0 + 1_250)
    expect(Execution.containerNames(exe)).toEqual(['mesos-from-data'])
    exe = updated(exe, mesos(tid('main'), 'TASK_FINISHED', T0 / 1000 + 30), T0 + 30_500)
    expectFinal(exe, 'COMPLETED', T0 + 30_500, undefined)
    expect(TaskResults.fromExecution(exe).tasks).toEqual([
      {
        task_id: tid('main'),
        type: 'main',
        was_launched: true,
        launched: iso(T0),
        was_started: true,
        started: iso(T0 + 1_250),
        was_timed_out: false,
        ended: iso(T0 + 30_000),
        status: 'FINISHED',
        exit_code: 0,
      },
    ])
  })

  it('runs a subset of the task types, in order', () => {
    let exe = Execution.create(spec({ taskTypes: ['pre', 'main'] }))
    expect(Execution.tasks(exe).map((t) => t.type)).toEqual(['pre', 'main'])
    exe = launchNext(exe, T0)
    exe = updated(exe, update(tid('pre'), 'FINISHED', T0 + 100), T0 + 200)
    expect(Execution.status(exe)).toBe('RUNNING')
    exe = launchNext(exe, T0 + 300)
    exe = updated(exe, update(tid('main'), 'FINISHED', T0 + 400), T0 + 500)
    expectFinal(exe, 'COMPLETED', T0 + 500, undefined)
    expect(Execution.isFinished(exe)).toBe(true)
  })
})

describe('failures of a pre task', () => {
  it('with a non-zero exit code not in the registry: unknown', () => {
    const { exe, now } = atTask('pre', { run: true })
    const failed = updated(exe, update(tid('pre'), 'FAILED', now + 5_000, { exitCode: 5 }), now + 5_100)
    expectFinal(failed, 'FAILED', now + 5_100, Errors.BUILTIN.unknown)
    expect(Execution.errorCategory(failed)).toBe('SYSTEM')
    expect(Execution.currentTask(failed)).toBeUndefined()
    expect(Execution.nextTask(failed)).toBeUndefined()
    expect(Execution.isFinished(failed)).toBe(true)
    expect(taskOf(failed, 'pre').exitCode).toBe(5)
    expect(taskOf(failed, 'pre').finalStatus).toBe('FAILED')
  })

  it('with a non-zero exit code in the registry: the registry error', () => {
    const { exe, now } = atTask('pre', { run: true })
    const failed = updated(exe, update(tid('pre'), 'FAILED', now + 5_000, { exitCode: 137 }), now + 5_100)
    expectFinal(failed, 'FAILED', now + 5_100, OOM)
    expect(Execution.isFinished(failed)).toBe(true)
  })

  it('with exit code 0, even if the registry maps 0: unknown', () => {
    const { exe, now } = atTask('pre', { run: true, spec: { exitCodeErrors: { 0: OOM, 137: OOM } } })
    const failed = updated(exe, update(tid('pre'), 'FAILED', now + 5_000, { exitCode: 0 }), now + 5_100)
    expectFinal(failed, 'FAILED', now + 5_100, Errors.BUILTIN.unknown)
  })

  it('failing before it started, even with an exit code the registry maps: docker-task-launch', () => {
    const { exe, now } = atTask('pre', { run: false })
    const failed = updated(exe, update(tid('pre'), 'FAILED', now + 5_000, { exitCode: 137 }), now + 5_100)
    expectFinal(failed, 'FAILED', now + 5_100, Errors.BUILTIN['docker-task-launch'])
  })

  it('a system main task failing with exit code 0, even if the registry maps 0: unknown', () => {
    const system = { jobType: jobType({ isSystem: true }), exitCodeErrors: { 0: OOM } }
    const { exe, now } = atTask('main', { run: true, spec: system })
    const failed = updated(exe, update(tid('main'), 'FAILED', now + 5_000, { exitCode: 0 }), now + 5_100)
    expectFinal(failed, 'FAILED', now + 5_100, Errors.BUILTIN.unknown)
  })

  it('an UNKNOWN update of the current task only records when it was heard of', () => {
    const { exe, now } = atTask('pre', { run: true })
    const heard = updated(exe, update(tid('pre'), 'UNKNOWN', now + 5_000), now + 5_100)
    expect(Execution.status(heard)).toBe('RUNNING')
    expect(current(heard).id).toBe(tid('pre'))
    expect(current(heard).lastStatusUpdate).toBe(now + 5_000)
    expect(current(heard).ended).toBeUndefined()
  })

  it('killed while running, with no exit code: unknown', () => {
    const { exe, now } = atTask('pre', { run: true })
    const killed = updated(exe, update(tid('pre'), 'KILLED', now + 5_000), now + 5_100)
    expectFinal(killed, 'FAILED', now + 5_100, Errors.BUILTIN.unknown)
    expect(taskOf(killed, 'pre').finalStatus).toBe('KILLED')
    expect(Execution.isFinished(killed)).toBe(true)
  })

  it('the same failure for the post task uses the registry too', () => {
    const { exe, now } = atTask('post', { run: true })
    const failed = updated(exe, update(tid('post'), 'FAILED', now + 5_000, { exitCode: 137 }), now + 5_100)
    expectFinal(failed, 'FAILED', now + 5_100, OOM)
    const other = updated(exe, update(tid('post'), 'FAILED', now + 5_000, { exitCode: 1 }), now + 5_100)
    expectFinal(other, 'FAILED', now + 5_100, Errors.BUILTIN.unknown)
  })
})

describe('timeouts', () => {
  it('a task timed out before RUNNING fails with launch-timeout', () => {
    const { exe, now } = atTask('main', { run: false })
    const when = now + 2 * MINUTE + 1
    const timedOut = reduce(exe, { type: 'TaskTimedOut', taskId: tid('main') }, when)
    expectFinal(timedOut, 'FAILED', when, Errors.BUILTIN['launch-timeout'])
    expect(current(timedOut).timedOut).toBe(true)
    expect(Task.needsKill(current(timedOut))).toBe(true)
    expect(Execution.isFinished(timedOut)).toBe(false)
    expect(Execution.nextTask(timedOut)).toBeUndefined()
  })

  it('a launch timeout of the pull task is a launch-timeout too', () => {
    const { exe, now } = atTask('pull', { run: false })
    const timedOut = reduce(exe, { type: 'TaskTimedOut', taskId: tid('pull') }, now + 3 * MINUTE)
    expectFinal(timedOut, 'FAILED', now + 3 * MINUTE, Errors.BUILTIN['launch-timeout'])
  })

  const cases: ReadonlyArray<{ type: TaskType; isSystem: boolean; error: Errors.JobError }> = [
    { type: 'pull', isSystem: false, error: Errors.BUILTIN['pull-timeout'] },
    { type: 'pre', isSystem: false, error: Errors.BUILTIN['pre-timeout'] },
    { type: 'main', isSystem: false, error: Errors.BUILTIN.timeout },
    { type: 'main', isSystem: true, error: Errors.BUILTIN['system-timeout'] },
    { type: 'post', isSystem: false, error: Errors.BUILTIN['post-timeout'] },
  ]

  it.each(cases)('a started $type task (system: $isSystem) times out with $error.name', ({ type, isSystem, error }) => {
    const { exe, now } = atTask(type, { run: true, spec: { jobType: jobType({ isSystem }) } })
    const when = now + 3 * HOUR
    const timedOut = reduce(exe, { type: 'TaskTimedOut', taskId: tid(type) }, when)
    expectFinal(timedOut, 'FAILED', when, error)
    const task = current(timedOut)
    expect(task.id).toBe(tid(type))
    expect(task.timedOut).toBe(true)
    expect(Task.needsKill(task)).toBe(true)
    // the current task stays until its final update: not finished yet
    expect(Execution.isFinished(timedOut)).toBe(false)
    expect(Execution.nextTask(timedOut)).toBeUndefined()
    expect(TaskResults.fromExecution(timedOut).tasks.find((t) => t.type === type)?.was_timed_out).toBe(true)

    // the KILLED update ends it; the timeout error sticks
    const killed = updated(timedOut, update(tid(type), 'KILLED', when + 2_000), when + 2_100)
    expect(Execution.currentTask(killed)).toBeUndefined()
    expect(Execution.isFinished(killed)).toBe(true)
    expectFinal(killed, 'FAILED', when, error)
    expect(Task.needsKill(taskOf(killed, type))).toBe(false)
    expect(taskOf(killed, type).finalStatus).toBe('KILLED')
  })

  it('the timeout categories follow the builtin errors', () => {
    expect(Errors.BUILTIN.timeout.category).toBe('ALGORITHM')
    expect(Errors.BUILTIN['system-timeout'].category).toBe('SYSTEM')
    expect(Errors.BUILTIN['launch-timeout'].category).toBe('SYSTEM')
  })

  it('a timeout for a task id that is not current changes nothing', () => {
    const { exe, now } = atTask('main', { run: true })
    expect(reduce(exe, { type: 'TaskTimedOut', taskId: tid('pre') }, now + HOUR)).toBe(exe)
    expect(reduce(exe, { type: 'TaskTimedOut', taskId: tid('post') }, now + HOUR)).toBe(exe)
    expect(reduce(exe, { type: 'TaskTimedOut', taskId: 'scale_job_fw1_1x1_main' }, now + HOUR)).toBe(exe)
  })
})

describe('a lost node', () => {
  it('fails with node-lost at when and forces the current task to reconcile', () => {
    const { exe, now } = atTask('main', { run: true })
    const when = now + 7_000
    const lost = reduce(exe, { type: 'NodeLost' }, when)
    expectFinal(lost, 'FAILED', when, Errors.BUILTIN['node-lost'])
    expect(Execution.errorCategory(lost)).toBe('SYSTEM')
    const task = current(lost)
    expect(task.id).toBe(tid('main'))
    expect(task.forceReconciliation).toBe(true)
    expect(Task.needsReconciliation(task, when)).toBe(true)
    expect(Execution.isFinished(lost)).toBe(false)
    expect(Execution.nextTask(lost)).toBeUndefined()

    // a non-terminal update clears the forced reconciliation, still not finished
    const stillRunning = updated(lost, update(tid('main'), 'RUNNING', when + 1_000), when + 1_100)
    expect(current(stillRunning).forceReconciliation).toBe(false)
    expect(Execution.isFinished(stillRunning)).toBe(false)

    // an update that loses the task ends the execution, without a retry
    const gone = updated(stillRunning, update(tid('main'), 'LOST', when + 2_000), when + 2_100)
    expect(Execution.currentTask(gone)).toBeUndefined()
    expect(Execution.isFinished(gone)).toBe(true)
    expect(Execution.nextTask(gone)).toBeUndefined()
    expect(taskOf(gone, 'main').id).toBe(tid('main'))
    expectFinal(gone, 'FAILED', when, Errors.BUILTIN['node-lost'])
  })

  it('an update that ends the task finishes it; node-lost sticks', () => {
    const { exe, now } = atTask('pre', { run: true })
    const lost = reduce(exe, { type: 'NodeLost' }, now + 1_000)
    const failed = updated(lost, update(tid('pre'), 'FAILED', now + 2_000, { exitCode: 137 }), now + 2_100)
    expect(Execution.isFinished(failed)).toBe(true)
    expectFinal(failed, 'FAILED', now + 1_000, Errors.BUILTIN['node-lost'])
  })

  it('with no current task, finishes at once', () => {
    const exe = Execution.create(spec())
    const lost = reduce(exe, { type: 'NodeLost' }, T0)
    expectFinal(lost, 'FAILED', T0, Errors.BUILTIN['node-lost'])
    expect(Execution.isFinished(lost)).toBe(true)
  })
})

describe('a lost task is retried under its next lost id', () => {
  it('_lost-1, then _lost-2, then completes', () => {
    let { exe, now } = atTask('main', { run: true })
    // first loss
    const lostAt = now + 5_000
    const lost1 = updated(exe, update(tid('main'), 'LOST', lostAt - 100), lostAt)
    expect(Execution.status(lost1)).toBe('RUNNING')
    expect(Execution.currentTask(lost1)).toBeUndefined()
    expect(lost1.lastTaskFinished).toBe(lostAt)
    expect(Execution.isNextTaskReady(lost1)).toBe(true)
    expect(Execution.isFinished(lost1)).toBe(false)
    const retry1 = next(lost1)
    expect(retry1.id).toBe(tid('main', 1))
    expect(retry1.type).toBe('main')
    expect(retry1.launched).toBeUndefined()
    expect(retry1.started).toBeUndefined()
    expect(retry1.lastStatusUpdate).toBeUndefined()
    expect(Task.needsKill(retry1)).toBe(false)
    // updates for the old id change nothing
    expect(updated(lost1, update(tid('main'), 'RUNNING', lostAt + 100), lostAt + 200)).toBe(lost1)
    expect(updated(lost1, update(tid('main'), 'FAILED', lostAt + 100, { exitCode: 2 }), lostAt + 200)).toBe(lost1)
    expect(updated(lost1, update(tid('main'), 'LOST', lostAt + 100), lostAt + 200)).toBe(lost1)

    // retry 1 runs, and is lost again (a partition-aware host's TASK_UNREACHABLE)
    now = lostAt + 1_000
    exe = launchNext(lost1, now)
    expect(current(exe).id).toBe(tid('main', 1))
    exe = updated(exe, update(tid('main', 1), 'RUNNING', now + 500), now + 600)
    const unreachable = TaskUpdate.fromMesos({
      task_id: { value: tid('main', 1) },
      state: 'TASK_UNREACHABLE',
      timestamp: (now + 2_000) / 1000,
      unreachable_time: { nanoseconds: 1 },
    })
    if (E.isLeft(unreachable)) throw new Error(unreachable.left.message)
    const lost2 = updated(exe, unreachable.right, now + 2_100)
    expect(Execution.currentTask(lost2)).toBeUndefined()
    expect(next(lost2).id).toBe(tid('main', 2))
    expect(lost2.lastTaskFinished).toBe(now + 2_100)
    expect(updated(lost2, update(tid('main', 1), 'FINISHED', now + 2_200), now + 2_300)).toBe(lost2)
    expect(updated(lost2, update(tid('main'), 'FINISHED', now + 2_200), now + 2_300)).toBe(lost2)

    // retry 2 finishes, then post
    now += 10_000
    exe = launchNext(lost2, now)
    exe = updated(exe, update(tid('main', 2), 'RUNNING', now + 100), now + 100)
    exe = updated(exe, update(tid('main', 2), 'FINISHED', now + 200), now + 200)
    expect(next(exe).id).toBe(tid('post'))
    exe = launchNext(exe, now + 300)
    exe = updated(exe, update(tid('post'), 'FINISHED', now + 400), now + 500)
    expectFinal(exe, 'COMPLETED', now + 500, undefined)
    expect(TaskResults.fromExecution(exe).tasks.map((t) => t.task_id)).toEqual([
      tid('pull'),
      tid('pre'),
      tid('main', 2),
      tid('post'),
    ])
  })

  it('a lost staging task (never RUNNING) is retried too, first in line before the rest', () => {
    const { exe, now } = atTask('pre', { run: false })
    const lost = updated(exe, update(tid('pre'), 'LOST', now + 100), now + 200)
    expect(next(lost).id).toBe(tid('pre', 1))
    expect(Execution.tasks(lost).map((t) => t.id)).toEqual([tid('pull'), tid('pre', 1), tid('main'), tid('post')])
  })

  it('without maxLostRetries, retries are unbounded', () => {
    let exe = Execution.create(spec({ taskTypes: ['main'] }))
    let now = T0
    for (let n = 1; n <= 5; n++) {
      exe = launchNext(exe, now)
      exe = updated(exe, update(tid('main', n - 1), 'LOST', now + 100), now + 200)
      expect(Execution.status(exe)).toBe('RUNNING')
      expect(next(exe).id).toBe(tid('main', n))
      now += 1_000
    }
  })
})

describe('maxLostRetries', () => {
  it('with 2: lost twice retried, the third loss fails with node-lost', () => {
    let exe = Execution.create(spec({ taskTypes: ['pre', 'main'] }), { maxLostRetries: 2 })
    expect(exe.settings.maxLostRetries).toBe(2)
    exe = launchNext(exe, T0)
    exe = updated(exe, update(tid('pre'), 'FINISHED', T0 + 100), T0 + 200)
    let now = T0 + 1_000
    for (const n of [1, 2]) {
      exe = launchNext(exe, now)
      exe = updated(exe, update(tid('main', n - 1), 'RUNNING', now + 100), now + 100)
      exe = updated(exe, update(tid('main', n - 1), 'LOST', now + 200), now + 300)
      expect(Execution.status(exe)).toBe('RUNNING')
      expect(next(exe).id).toBe(tid('main', n))
      now += 1_000
    }
    exe = launchNext(exe, now)
    exe = updated(exe, update(tid('main', 2), 'RUNNING', now + 100), now + 100)
    const failed = updated(exe, update(tid('main', 2), 'LOST', now + 200), now + 300)
    expectFinal(failed, 'FAILED', now + 300, Errors.BUILTIN['node-lost'])
    expect(Execution.currentTask(failed)).toBeUndefined()
    expect(Execution.nextTask(failed)).toBeUndefined()
    expect(Execution.isFinished(failed)).toBe(true)
    const main = taskOf(failed, 'main')
    expect(main.id).toBe(tid('main', 2))
    expect(Task.needsKill(main)).toBe(false)
    expect(main.launched).toBeUndefined()
  })

  it('with 0: the first loss fails', () => {
    let exe = Execution.create(spec({ taskTypes: ['main'] }), { maxLostRetries: 0 })
    exe = launchNext(exe, T0)
    const failed = updated(exe, update(tid('main'), 'LOST', T0 + 100), T0 + 200)
    expectFinal(failed, 'FAILED', T0 + 200, Errors.BUILTIN['node-lost'])
    expect(Execution.isFinished(failed)).toBe(true)
    expect(taskOf(failed, 'main').id).toBe(tid('main'))
  })
})

describe('cancellation', () => {
  it('CANCELED at when, the current task needs a kill; the KILLED update finishes it', () => {
    const { exe, now } = atTask('pre', { run: true })
    const when = now + 3_000
    const canceled = reduce(exe, { type: 'Canceled' }, when)
    expectFinal(canceled, 'CANCELED', when, undefined)
    expect(Task.needsKill(current(canceled))).toBe(true)
    expect(current(canceled).id).toBe(tid('pre'))
    expect(Execution.nextTask(canceled)).toBeUndefined()
    expect(Execution.isNextTaskReady(canceled)).toBe(false)
    expect(Execution.isFinished(canceled)).toBe(false)

    const killed = updated(canceled, update(tid('pre'), 'KILLED', when + 1_000), when + 1_500)
    expect(Execution.currentTask(killed)).toBeUndefined()
    expect(Execution.isFinished(killed)).toBe(true)
    expectFinal(killed, 'CANCELED', when, undefined)
    expect(Task.needsKill(taskOf(killed, 'pre'))).toBe(false)
    expect(taskOf(killed, 'pre').finalStatus).toBe('KILLED')
  })

  it('a staging task needs a kill too', () => {
    const { exe, now } = atTask('main', { run: false })
    const canceled = reduce(exe, { type: 'Canceled' }, now + 1)
    expect(Task.needsKill(current(canceled))).toBe(true)
  })

  it('a LOST update after the cancel finishes it without a retry', () => {
    const { exe, now } = atTask('main', { run: true })
    const canceled = reduce(exe, { type: 'Canceled' }, now + 1_000)
    const lost = updated(canceled, update(tid('main'), 'LOST', now + 2_000), now + 2_100)
    expect(Execution.isFinished(lost)).toBe(true)
    expect(Execution.nextTask(lost)).toBeUndefined()
    expect(taskOf(lost, 'main').id).toBe(tid('main'))
    expectFinal(lost, 'CANCELED', now + 1_000, undefined)
  })

  it('with no current task, finishes at once', () => {
    const canceled = reduce(Execution.create(spec()), { type: 'Canceled' }, T0 + 5)
    expectFinal(canceled, 'CANCELED', T0 + 5, undefined)
    expect(Execution.isFinished(canceled)).toBe(true)
    expect(Execution.nextTask(canceled)).toBeUndefined()
    expect(reduce(canceled, { type: 'NextTaskStarted' }, T0 + 6)).toBe(canceled)
  })
})

describe('a final status between NextTaskStarted and TaskLaunched', () => {
  const STAGING = Execution.DEFAULT_SETTINGS.stagingTimeout
  const cases: ReadonlyArray<{
    readonly name: string
    readonly events: readonly Execution.ExecutionEvent[]
    readonly status: Execution.FinalStatus
    readonly error?: Errors.JobError
  }> = [
    { name: 'Canceled', events: [{ type: 'Canceled' }], status: 'CANCELED' },
    { name: 'NodeLost', events: [{ type: 'NodeLost' }], status: 'FAILED', error: Errors.BUILTIN['node-lost'] },
    {
      name: 'NodeLost + KillRequested (ExecutionsLost)',
      events: [{ type: 'NodeLost' }, { type: 'KillRequested' }],
      status: 'FAILED',
      error: Errors.BUILTIN['node-lost'],
    },
    {
      name: 'TaskTimedOut',
      events: [{ type: 'TaskTimedOut', taskId: tid('pre') }],
      status: 'FAILED',
      error: Errors.BUILTIN['launch-timeout'],
    },
  ]
  const startedAt = T0 + SECOND
  const finalAt = T0 + 2 * SECOND
  /** `pre` started (not launched) at `startedAt`, then the final status at `finalAt`. */
  const finalBeforeLaunch = (events: readonly Execution.ExecutionEvent[], settings?: Partial<Execution.Settings>) => {
    let exe = reduce(
      Execution.create(spec({ taskTypes: ['pre', 'main'] }), settings),
      { type: 'NextTaskStarted' },
      startedAt,
    )
    for (const event of events) exe = reduce(exe, event, finalAt)
    return exe
  }

  describe.each(cases)('$name', ({ events, status, error }) => {
    it('the final status sticks, the remaining tasks go, the current task stays (not launched, no kill yet)', () => {
      const exe = finalBeforeLaunch(events)
      expectFinal(exe, status, finalAt, error)
      expect(current(exe).id).toBe(tid('pre'))
      expect(Task.isLaunched(current(exe))).toBe(false)
      expect(Task.needsKill(current(exe))).toBe(false)
      expect(Execution.nextTask(exe)).toBeUndefined()
      expect(Execution.isFinished(exe)).toBe(false)
      expect(Execution.unlaunchedDeadline(exe)).toBe(finalAt + STAGING + 1)
    })

    it('launched afterwards, it needs a kill at once, until an update ends it', () => {
      const exe = finalBeforeLaunch(events)
      const launched = reduce(exe, { type: 'TaskLaunched' }, finalAt + 10)
      expect(current(launched).launched).toBe(finalAt + 10)
      expect(Task.needsKill(current(launched))).toBe(true)
      expect(Execution.unlaunchedDeadline(launched)).toBeUndefined()
      // its old deadline is gone: only the launched task's own timeouts apply now
      expect(reduce(launched, { type: 'TimeoutsChecked' }, finalAt + STAGING + 1)).toBe(launched)
      const stillRunning = updated(launched, update(tid('pre'), 'RUNNING', finalAt + 20), finalAt + 20)
      expect(Task.needsKill(current(stillRunning))).toBe(true)
      const killed = updated(stillRunning, update(tid('pre'), 'KILLED', finalAt + 30), finalAt + 30)
      expect(Execution.isFinished(killed)).toBe(true)
      expect(Task.needsKill(taskOf(killed, 'pre'))).toBe(false)
      expectFinal(killed, status, finalAt, error)
    })

    it('reported by the cluster without a launch (an update under its id), it needs a kill too', () => {
      const exe = finalBeforeLaunch(events)
      for (const reported of ['STAGING', 'RUNNING'] as const) {
        const after = updated(exe, update(tid('pre'), reported, finalAt + 10), finalAt + 10)
        expect(Task.needsKill(current(after))).toBe(true)
        expect(Execution.unlaunchedDeadline(after)).toBeUndefined()
      }
    })

    it('never launched: TimeoutsChecked finishes it exactly at the deadline, not a millisecond before', () => {
      const exe = finalBeforeLaunch(events)
      const deadline = finalAt + STAGING + 1
      expect(reduce(exe, { type: 'TimeoutsChecked' }, deadline - 1)).toBe(exe)
      expect(reduce(exe, { type: 'StarvationChecked' }, deadline + HOUR)).toBe(exe)
      const done = reduce(exe, { type: 'TimeoutsChecked' }, deadline)
      expect(Execution.isFinished(done)).toBe(true)
      expect(Execution.currentTask(done)).toBeUndefined()
      expectFinal(done, status, finalAt, error)
      expect(Execution.unlaunchedDeadline(done)).toBeUndefined()
      expect(reduce(done, { type: 'TimeoutsChecked' }, deadline + 1)).toBe(done)
      expect(reduce(done, { type: 'TaskLaunched' }, deadline + 1)).toBe(done)
      const record = Execution.endRecord(done)
      expect(record.finished).toBe(finalAt)
      expect(record.taskResults.tasks).toEqual([
        { task_id: tid('pre'), type: 'pre', was_launched: false },
        { task_id: tid('main'), type: 'main', was_launched: false },
      ])
    })

    it('follows the stagingTimeout setting', () => {
      const exe = finalBeforeLaunch(events, { stagingTimeout: 500 })
      expect(Execution.unlaunchedDeadline(exe)).toBe(finalAt + 501)
      expect(reduce(exe, { type: 'TimeoutsChecked' }, finalAt + 500)).toBe(exe)
      expect(Execution.isFinished(reduce(exe, { type: 'TimeoutsChecked' }, finalAt + 501))).toBe(true)
    })
  })

  it('a task launched before the final status gets no kill from a repeated launch', () => {
    let exe = launchNext(Execution.create(spec()), T0)
    exe = reduce(exe, { type: 'NodeLost' }, T0 + 10)
    expect(Task.needsKill(current(exe))).toBe(false)
    expect(reduce(exe, { type: 'TaskLaunched' }, T0 + 20)).toBe(exe)
    expect(Execution.unlaunchedDeadline(exe)).toBeUndefined()
  })

  it('while running, an unlaunched current task has no such deadline and needs no kill when launched', () => {
    const started = reduce(Execution.create(spec()), { type: 'NextTaskStarted' }, T0)
    expect(Execution.unlaunchedDeadline(started)).toBeUndefined()
    expect(reduce(started, { type: 'TimeoutsChecked' }, T0 + 10 * HOUR)).toBe(started)
    expect(Task.needsKill(current(reduce(started, { type: 'TaskLaunched' }, T0 + 1)))).toBe(false)
  })

  it('TimeoutsChecked times out a launched task as TaskTimedOut does', () => {
    const exe = launchNext(Execution.create(spec()), T0)
    const deadline = T0 + STAGING + 1
    expect(reduce(exe, { type: 'TimeoutsChecked' }, deadline - 1)).toBe(exe)
    const checked = reduce(exe, { type: 'TimeoutsChecked' }, deadline)
    expect(checked).toEqual(reduce(exe, { type: 'TaskTimedOut', taskId: tid('pull') }, deadline))
    expectFinal(checked, 'FAILED', deadline, Errors.BUILTIN['launch-timeout'])
    expect(Task.needsKill(current(checked))).toBe(true)
  })
})

describe('launch failures (FAILED before RUNNING)', () => {
  const cases: ReadonlyArray<{ type: TaskType; error: Errors.JobError }> = [
    { type: 'pull', error: Errors.BUILTIN.pull },
    { type: 'pre', error: Errors.BUILTIN['docker-task-launch'] },
    { type: 'main', error: Errors.BUILTIN['docker-task-launch'] },
    { type: 'post', error: Errors.BUILTIN['docker-task-launch'] },
  ]
  it.each(cases)('of $type: $error.name', ({ type, error }) => {
    const { exe, now } = atTask(type, { run: false })
    const failed = updated(
      exe,
      update(tid(type), 'FAILED', now + 500, {
        message: 'Failed to launch container',
        reason: 'REASON_CONTAINER_LAUNCH_FAILED',
      }),
      now + 600,
    )
    expectFinal(failed, 'FAILED', now + 600, error)
    expect(Execution.isFinished(failed)).toBe(true)
    const task = taskOf(failed, type)
    expect(task.started).toBeUndefined()
    expect(task.finalStatus).toBe('FAILED')
    // launched but never started: results name the launch only
    expect(TaskResults.fromExecution(failed).tasks.find((t) => t.type === type)).toEqual({
      task_id: tid(type),
      type,
      was_launched: true,
      launched: iso(now),
      was_started: false,
    })
  })

  it('a pre task that fails to launch with a registry exit code is still docker-task-launch', () => {
    const { exe, now } = atTask('pre', { run: false })
    const failed = updated(exe, update(tid('pre'), 'FAILED', now + 500, { exitCode: 137 }), now + 600)
    expectFinal(failed, 'FAILED', now + 600, Errors.BUILTIN['docker-task-launch'])
  })

  it('a main task that fails to launch with a mapped exit code is still docker-task-launch', () => {
    const { exe, now } = atTask('main', { run: false })
    const failed = updated(exe, update(tid('main'), 'FAILED', now + 500, { exitCode: 2 }), now + 600)
    expectFinal(failed, 'FAILED', now + 600, Errors.BUILTIN['docker-task-launch'])
  })

  it('a pull that fails after RUNNING is pull, whatever its code or reason', () => {
    const { exe, now } = atTask('pull', { run: true })
    const failed = updated(
      exe,
      update(tid('pull'), 'FAILED', now + 500, { exitCode: 137, reason: 'REASON_EXECUTOR_TERMINATED' }),
      now + 600,
    )
    expectFinal(failed, 'FAILED', now + 600, Errors.BUILTIN.pull)
    expect(Execution.isFinished(failed)).toBe(true)
  })
})

describe('main task failures', () => {
  const failMain = (
    code: number | undefined,
    options: { isSystem?: boolean; reason?: string } = {},
  ): { failed: Exe; when: number } => {
    const { exe, now } = atTask('main', {
      run: true,
      spec: { jobType: jobType({ isSystem: options.isSystem ?? false }) },
    })
    const failed = updated(
      exe,
      update(tid('main'), 'FAILED', now + 5_000, {
        ...(code === undefined ? {} : { exitCode: code }),
        ...(options.reason === undefined ? {} : { reason: options.reason }),
      }),
      now + 5_050,
    )
    return { failed, when: now + 5_050 }
  }

  it('an exit code the job type maps: its error (ALGORITHM)', () => {
    const { failed, when } = failMain(2)
    expectFinal(failed, 'FAILED', when, ALGO_CRASH)
    expect(Execution.errorCategory(failed)).toBe('ALGORITHM')
  })

  it('an exit code mapped to a DATA error: DATA category', () => {
    const { failed, when } = failMain(3)
    expectFinal(failed, 'FAILED', when, BAD_INPUT)
    expect(Execution.errorCategory(failed)).toBe('DATA')
  })

  it('an unmapped exit code: algorithm-unknown', () => {
    const { failed, when } = failMain(99)
    expectFinal(failed, 'FAILED', when, Errors.BUILTIN['algorithm-unknown'])
    expect(Execution.errorCategory(failed)).toBe('ALGORITHM')
  })

  it('a registry exit code does not apply to a non-system main: algorithm-unknown', () => {
    const { failed, when } = failMain(137)
    expectFinal(failed, 'FAILED', when, Errors.BUILTIN['algorithm-unknown'])
  })

  // Scale's error mapping returns nothing for a missing or zero exit code, so the
  // general error applies: both SYSTEM, the errors Scale retries.
  it.each([undefined, 0])('exit code %s: unknown (SYSTEM), not algorithm-unknown', (code) => {
    const { failed, when } = failMain(code)
    expectFinal(failed, 'FAILED', when, Errors.BUILTIN.unknown)
    expect(Execution.errorCategory(failed)).toBe('SYSTEM')
  })

  it.each([undefined, 0])('exit code %s and an executor termination: docker-terminated (SYSTEM)', (code) => {
    const { failed, when } = failMain(code, { reason: 'REASON_EXECUTOR_TERMINATED' })
    expectFinal(failed, 'FAILED', when, Errors.BUILTIN['docker-terminated'])
    expect(Execution.errorCategory(failed)).toBe('SYSTEM')
  })

  it('a mapping entry for exit code 0 is never used', () => {
    const mapping = { 0: ALGO_CRASH, 2: ALGO_CRASH }
    const { exe, now } = atTask('main', { run: true, spec: { jobType: jobType({ errorMapping: mapping }) } })
    for (const exitCode of [0, undefined]) {
      const u = update(tid('main'), 'FAILED', now + 1, exitCode === undefined ? {} : { exitCode })
      expectFinal(updated(exe, u, now + 2), 'FAILED', now + 2, Errors.BUILTIN.unknown)
    }
    const killed = updated(exe, update(tid('main'), 'KILLED', now + 1), now + 2)
    expectFinal(killed, 'FAILED', now + 2, Errors.BUILTIN.unknown)
    expectFinal(
      updated(exe, update(tid('main'), 'FAILED', now + 1, { exitCode: 2 }), now + 2),
      'FAILED',
      now + 2,
      ALGO_CRASH,
    )
  })

  it('an unmapped non-zero exit code with an executor termination: still algorithm-unknown', () => {
    const { failed, when } = failMain(99, { reason: 'REASON_EXECUTOR_TERMINATED' })
    expectFinal(failed, 'FAILED', when, Errors.BUILTIN['algorithm-unknown'])
  })

  it('a job type without a mapping: algorithm-unknown', () => {
    const { exe, now } = atTask('main', { run: true, spec: { jobType: jobType({ errorMapping: undefined }) } })
    const failed = updated(exe, update(tid('main'), 'FAILED', now + 1, { exitCode: 2 }), now + 2)
    expectFinal(failed, 'FAILED', now + 2, Errors.BUILTIN['algorithm-unknown'])
  })

  it('a system main with a registry code: the registry error', () => {
    const { failed, when } = failMain(137, { isSystem: true })
    expectFinal(failed, 'FAILED', when, OOM)
  })

  it('a system main ignores the job type mapping: unknown', () => {
    const { failed, when } = failMain(2, { isSystem: true })
    expectFinal(failed, 'FAILED', when, Errors.BUILTIN.unknown)
  })

  it('a system main terminated by its executor: docker-terminated', () => {
    const { failed, when } = failMain(undefined, { isSystem: true, reason: 'REASON_EXECUTOR_TERMINATED' })
    expectFinal(failed, 'FAILED', when, Errors.BUILTIN['docker-terminated'])
  })
})

describe('docker-terminated', () => {
  it('a started pre task whose executor terminated, no mapped code: docker-terminated', () => {
    const { exe, now } = atTask('pre', { run: true })
    const failed = updated(
      exe,
      update(tid('pre'), 'FAILED', now + 1_000, {
        reason: 'REASON_EXECUTOR_TERMINATED',
        message: 'Executor terminated',
      }),
      now + 1_100,
    )
    expectFinal(failed, 'FAILED', now + 1_100, Errors.BUILTIN['docker-terminated'])
  })

  it('also with an unregistered non-zero code', () => {
    const { exe, now } = atTask('pre', { run: true })
    const failed = updated(
      exe,
      update(tid('pre'), 'FAILED', now + 1_000, { reason: 'REASON_EXECUTOR_TERMINATED', exitCode: 9 }),
      now + 1_100,
    )
    expectFinal(failed, 'FAILED', now + 1_100, Errors.BUILTIN['docker-terminated'])
  })

  it('a registered code wins over the executor termination', () => {
    const { exe, now } = atTask('post', { run: true })
    const failed = updated(
      exe,
      update(tid('post'), 'FAILED', now + 1_000, { reason: 'REASON_EXECUTOR_TERMINATED', exitCode: 137 }),
      now + 1_100,
    )
    expectFinal(failed, 'FAILED', now + 1_100, OOM)
  })
})

describe('resource starvation', () => {
  const afterPull = (): { exe: Exe; t: number } => {
    let exe = Execution.create(spec())
    exe = launchNext(exe, T0)
    exe = updated(exe, update(tid('pull'), 'RUNNING', T0 + 1_000), T0 + 1_000)
    const t = T0 + 30_000
    // timestamp and now differ: the delay counts from the reducer's now
    exe = updated(exe, update(tid('pull'), 'FINISHED', t - 5_000), t)
    return { exe, t }
  }

  it('at exactly 10 minutes after the last task finished, nothing changes', () => {
    const { exe, t } = afterPull()
    expect(exe.lastTaskFinished).toBe(t)
    expect(reduce(exe, { type: 'StarvationChecked' }, t)).toBe(exe)
    expect(reduce(exe, { type: 'StarvationChecked' }, t + 10 * MINUTE)).toBe(exe)
  })

  it('one millisecond later, FAILED with resource-starvation', () => {
    const { exe, t } = afterPull()
    const when = t + 10 * MINUTE + 1
    const starved = reduce(exe, { type: 'StarvationChecked' }, when)
    expectFinal(starved, 'FAILED', when, Errors.BUILTIN['resource-starvation'])
    expect(Execution.isFinished(starved)).toBe(true)
    expect(Execution.nextTask(starved)).toBeUndefined()
    expect(Execution.isNextTaskReady(starved)).toBe(false)
  })

  it('never while a task is current', () => {
    const { exe, t } = afterPull()
    const started = reduce(exe, { type: 'NextTaskStarted' }, t + 1)
    expect(reduce(started, { type: 'StarvationChecked' }, t + 3 * HOUR)).toBe(started)
    const launched = reduce(started, { type: 'TaskLaunched' }, t + 2)
    expect(reduce(launched, { type: 'StarvationChecked' }, t + 3 * HOUR)).toBe(launched)
  })

  it('counts from the latest finished task', () => {
    const { exe, t } = afterPull()
    let later = launchNext(exe, t + 5 * MINUTE)
    later = updated(later, update(tid('pre'), 'FINISHED', t + 9 * MINUTE), t + 9 * MINUTE)
    expect(reduce(later, { type: 'StarvationChecked' }, t + 19 * MINUTE)).toBe(later)
    expect(Execution.status(reduce(later, { type: 'StarvationChecked' }, t + 19 * MINUTE + 1))).toBe('FAILED')
  })

  it('counts from a lost task too', () => {
    const { exe, now } = atTask('main', { run: true })
    const lost = updated(exe, update(tid('main'), 'LOST', now + 10), now + 20)
    expect(reduce(lost, { type: 'StarvationChecked' }, now + 20 + 10 * MINUTE)).toBe(lost)
    expect(Execution.error(reduce(lost, { type: 'StarvationChecked' }, now + 21 + 10 * MINUTE))).toEqual(
      Errors.BUILTIN['resource-starvation'],
    )
  })

  it('follows the starvationDelay setting', () => {
    let exe = Execution.create(spec(), { starvationDelay: 1_000 })
    exe = launchNext(exe, T0)
    exe = updated(exe, update(tid('pull'), 'FINISHED', T0 + 10), T0 + 100)
    expect(reduce(exe, { type: 'StarvationChecked' }, T0 + 1_100)).toBe(exe)
    expect(Execution.status(reduce(exe, { type: 'StarvationChecked' }, T0 + 1_101))).toBe('FAILED')
  })
})

describe('container names', () => {
  it('a lost task keeps its container name until its rerun reports a new one', () => {
    const { exe, now } = atTask('main', { run: false })
    const named = updated(exe, update(tid('main'), 'RUNNING', now + 1, { containerName: 'c-run-1' }), now + 1)
    expect(Execution.containerNames(named)).toContain('c-run-1')
    const lost = updated(named, update(tid('main'), 'LOST', now + 10), now + 10)
    expect(next(lost).containerName).toBe('c-run-1')
    expect(Execution.containerNames(lost)).toContain('c-run-1')
    let rerun = launchNext(lost, now + 20)
    expect(current(rerun).id).toBe(tid('main', 1))
    rerun = updated(rerun, update(tid('main', 1), 'STAGING', now + 21), now + 21)
    expect(Execution.containerNames(rerun)).toContain('c-run-1')
    rerun = updated(rerun, update(tid('main', 1), 'RUNNING', now + 22, { containerName: 'c-run-2' }), now + 22)
    expect(Execution.containerNames(rerun)).toContain('c-run-2')
    expect(Execution.containerNames(rerun)).not.toContain('c-run-1')
  })

  it('are taken from the first RUNNING update only, in task order', () => {
    let exe = Execution.create(spec())
    exe = launchNext(exe, T0)
    exe = updated(exe, update(tid('pull'), 'FINISHED', T0 + 100), T0 + 100)
    // pre: a name on its first RUNNING; a later RUNNING with another name is ignored
    exe = launchNext(exe, T0 + 1_000)
    exe = updated(exe, update(tid('pre'), 'STAGING', T0 + 1_100, { containerName: 'early' }), T0 + 1_100)
    expect(Execution.containerNames(exe)).toEqual([])
    exe = updated(exe, update(tid('pre'), 'RUNNING', T0 + 1_200, { containerName: 'c-pre' }), T0 + 1_200)
    const repeated = updated(exe, update(tid('pre'), 'RUNNING', T0 + 1_200, { containerName: 'c-pre' }), T0 + 1_300)
    expect(repeated).toBe(exe)
    exe = updated(exe, update(tid('pre'), 'RUNNING', T0 + 1_400, { containerName: 'c-other' }), T0 + 1_400)
    expect(Execution.containerNames(exe)).toEqual(['c-pre'])
    exe = updated(exe, update(tid('pre'), 'FINISHED', T0 + 1_500), T0 + 1_500)
    // main: first RUNNING without a name; a later name is not taken
    exe = launchNext(exe, T0 + 2_000)
    exe = updated(exe, update(tid('main'), 'RUNNING', T0 + 2_100), T0 + 2_100)
    exe = updated(exe, update(tid('main'), 'RUNNING', T0 + 2_200, { containerName: 'c-main-late' }), T0 + 2_200)
    exe = updated(exe, update(tid('main'), 'FINISHED', T0 + 2_300), T0 + 2_300)
    // post
    exe = launchNext(exe, T0 + 3_000)
    exe = updated(exe, update(tid('post'), 'RUNNING', T0 + 3_100, { containerName: 'c-post' }), T0 + 3_100)
    exe = updated(exe, update(tid('post'), 'FINISHED', T0 + 3_200), T0 + 3_200)
    expect(Execution.status(exe)).toBe('COMPLETED')
    expect(Execution.containerNames(exe)).toEqual(['c-pre', 'c-post'])
    expect(taskOf(exe, 'main').containerName).toBeUndefined()
  })
})

describe('the first final status sticks', () => {
  it('cancel after a failure changes nothing', () => {
    const { exe, now } = atTask('pre', { run: true })
    const failed = updated(exe, update(tid('pre'), 'FAILED', now + 100, { exitCode: 137 }), now + 200)
    expect(reduce(failed, { type: 'Canceled' }, now + 300)).toBe(failed)
    expect(reduce(failed, { type: 'NodeLost' }, now + 300)).toBe(failed)
    expect(reduce(failed, { type: 'StarvationChecked' }, now + HOUR)).toBe(failed)
    expect(reduce(failed, { type: 'NextTaskStarted' }, now + 300)).toBe(failed)
  })

  it('cancel and node loss after a timeout keep the timeout', () => {
    const { exe, now } = atTask('pre', { run: true })
    const timedOut = reduce(exe, { type: 'TaskTimedOut', taskId: tid('pre') }, now + HOUR + 1)
    const canceled = reduce(timedOut, { type: 'Canceled' }, now + HOUR + 2)
    const lost = reduce(canceled, { type: 'NodeLost' }, now + HOUR + 3)
    expectFinal(lost, 'FAILED', now + HOUR + 1, Errors.BUILTIN['pre-timeout'])
    expect(Task.needsKill(current(lost))).toBe(true)
  })

  it('a failure update after a cancel keeps CANCELED and no error', () => {
    const { exe, now } = atTask('main', { run: true })
    const canceled = reduce(exe, { type: 'Canceled' }, now + 100)
    const failed = updated(canceled, update(tid('main'), 'FAILED', now + 200, { exitCode: 2 }), now + 300)
    expectFinal(failed, 'CANCELED', now + 100, undefined)
    expect(Execution.isFinished(failed)).toBe(true)
  })

  it('node loss and timeout after a cancel keep CANCELED, but still act on the task', () => {
    const { exe, now } = atTask('main', { run: true })
    const canceled = reduce(exe, { type: 'Canceled' }, now + 100)
    const lost = reduce(canceled, { type: 'NodeLost' }, now + 200)
    expectFinal(lost, 'CANCELED', now + 100, undefined)
    expect(current(lost).forceReconciliation).toBe(true)
    const timedOut = reduce(lost, { type: 'TaskTimedOut', taskId: tid('main') }, now + 300)
    expectFinal(timedOut, 'CANCELED', now + 100, undefined)
    expect(current(timedOut).timedOut).toBe(true)
  })

  it('a cancel after a node loss keeps node-lost, and the task now needs a kill', () => {
    const { exe, now } = atTask('main', { run: true })
    const lost = reduce(exe, { type: 'NodeLost' }, now + 100)
    expect(Task.needsKill(current(lost))).toBe(false)
    const canceled = reduce(lost, { type: 'Canceled' }, now + 200)
    expectFinal(canceled, 'FAILED', now + 100, Errors.BUILTIN['node-lost'])
    expect(Task.needsKill(current(canceled))).toBe(true)
  })

  it('a completed execution stays completed', () => {
    let exe = Execution.create(spec({ taskTypes: ['main'] }))
    exe = launchNext(exe, T0)
    exe = updated(exe, update(tid('main'), 'FINISHED', T0 + 100), T0 + 200)
    expectFinal(exe, 'COMPLETED', T0 + 200, undefined)
    expect(reduce(exe, { type: 'Canceled' }, T0 + 300)).toBe(exe)
    expect(reduce(exe, { type: 'NodeLost' }, T0 + 300)).toBe(exe)
    expect(updated(exe, update(tid('main'), 'FAILED', T0 + 400, { exitCode: 2 }), T0 + 500)).toBe(exe)
  })

  it('setting a final status drops the remaining tasks', () => {
    const { exe, now } = atTask('pull', { run: true })
    expect(next(exe).id).toBe(tid('pre'))
    const lost = reduce(exe, { type: 'NodeLost' }, now + 100)
    expect(Execution.nextTask(lost)).toBeUndefined()
    expect(Execution.isNextTaskReady(lost)).toBe(false)
    // the current task stays until an update ends it
    expect(current(lost).id).toBe(tid('pull'))
    const ended = updated(lost, update(tid('pull'), 'KILLED', now + 200), now + 300)
    expect(Execution.isFinished(ended)).toBe(true)
    expect(Execution.isNextTaskReady(ended)).toBe(false)
    expect(reduce(ended, { type: 'NextTaskStarted' }, now + 400)).toBe(ended)
    // the dropped tasks are still reported, as never launched
    expect(TaskResults.fromExecution(ended).tasks.slice(1)).toEqual([
      { task_id: tid('pre'), type: 'pre', was_launched: false },
      { task_id: tid('main'), type: 'main', was_launched: false },
      { task_id: tid('post'), type: 'post', was_launched: false },
    ])
  })
})

describe('events that change nothing return the same execution', () => {
  it('NextTaskStarted with a current task, TaskLaunched twice or without a current task, unknown ids', () => {
    const fresh = Execution.create(spec())
    expect(reduce(fresh, { type: 'TaskLaunched' }, T0)).toBe(fresh)
    expect(updated(fresh, update(tid('pull'), 'RUNNING', T0), T0)).toBe(fresh)
    const { exe, now } = atTask('main', { run: true })
    expect(reduce(exe, { type: 'NextTaskStarted' }, now + 1)).toBe(exe)
    expect(reduce(exe, { type: 'TaskLaunched' }, now + 1)).toBe(exe)
    expect(updated(exe, update(tid('post'), 'RUNNING', now + 1), now + 1)).toBe(exe)
    expect(updated(exe, update(tid('pre'), 'FAILED', now + 1, { exitCode: 137 }), now + 1)).toBe(exe)
    expect(updated(exe, update('scale_job_fw1_9x9_main', 'FAILED', now + 1), now + 1)).toBe(exe)
    expect(updated(exe, update(tid('main'), 'RUNNING', now), now + 5)).toBe(exe)
  })
})

describe('settings', () => {
  it('create(spec, { stagingTimeout: 5000 }) moves the staging timeout deadline', () => {
    const custom = launchNext(Execution.create(spec(), { stagingTimeout: 5_000 }), T0)
    const task = current(custom)
    expect(task.config.stagingTimeout).toBe(5_000)
    expect(Task.timeoutDeadline(task)).toBe(T0 + 5_001)
    expect(Task.hasTimedOut(task, T0 + 5_000)).toBe(false)
    expect(Task.hasTimedOut(task, T0 + 5_001)).toBe(true)
    expect(custom.settings).toEqual({ ...Execution.DEFAULT_SETTINGS, stagingTimeout: 5_000 })

    const standard = launchNext(Execution.create(spec()), T0)
    expect(Task.hasTimedOut(current(standard), T0 + 5_001)).toBe(false)
    expect(Task.hasTimedOut(current(standard), T0 + 2 * MINUTE)).toBe(false)
    expect(Task.hasTimedOut(current(standard), T0 + 2 * MINUTE + 1)).toBe(true)
    expect(standard.settings).toEqual(Execution.DEFAULT_SETTINGS)
  })

  it('other settings reach the tasks too', () => {
    const exe = Execution.create(spec(), {
      pullTimeout: 11,
      preTimeout: 22,
      postTimeout: 33,
      stagingReconcileDelay: 44,
      runningReconcileDelay: 55,
    })
    expect(Execution.tasks(exe).map((t) => t.config.runningTimeout)).toEqual([11, 22, 2 * HOUR, 33])
    expect(
      Execution.tasks(exe).every((t) => t.config.stagingReconcileDelay === 44 && t.config.runningReconcileDelay === 55),
    ).toBe(true)
    expect(Execution.tasks(exe).every((t) => t.config.stagingTimeout === 2 * MINUTE)).toBe(true)
  })

  it('DEFAULT_SETTINGS are Scale values', () => {
    expect(Execution.DEFAULT_SETTINGS).toEqual({
      stagingTimeout: 120_000,
      pullTimeout: 1_800_000,
      preTimeout: 3_600_000,
      postTimeout: 3_600_000,
      stagingReconcileDelay: 30_000,
      runningReconcileDelay: 600_000,
      starvationDelay: 600_000,
    })
    expect(Execution.DEFAULT_SETTINGS.maxLostRetries).toBeUndefined()
  })

  it('decodeSettings accepts non-negative integers, filling in the defaults', () => {
    expect(Execution.decodeSettings({})).toEqual(E.right(Execution.DEFAULT_SETTINGS))
    expect(Execution.decodeSettings({ stagingTimeout: 60_000, maxLostRetries: 2, starvationDelay: 0 })).toEqual(
      E.right({ ...Execution.DEFAULT_SETTINGS, stagingTimeout: 60_000, maxLostRetries: 2, starvationDelay: 0 }),
    )
  })

  it('decodeSettings refuses negative, fractional, string and unknown keys, naming each', () => {
    const decoded = Execution.decodeSettings({
      stagingTimeout: -1,
      pullTimeout: 1.5,
      preTimeout: '5000',
      bogus: 1,
      postTimeout: 10,
    })
    if (E.isRight(decoded)) throw new Error('expected a Left')
    expect(decoded.left).toBeInstanceOf(Execution.InvalidSettings)
    const paths = decoded.left.problems.map((p) => p.path)
    expect([...paths].sort()).toEqual(['bogus', 'preTimeout', 'pullTimeout', 'stagingTimeout'])
    for (const key of ['stagingTimeout', 'pullTimeout', 'preTimeout', 'bogus']) {
      expect(decoded.left.message).toContain(key)
    }
    expect(decoded.left.message).not.toContain('postTimeout')
  })

  it.each([
    [{ maxLostRetries: -2 }, 'maxLostRetries'],
    [{ starvationDelay: null }, 'starvationDelay'],
    [{ runningReconcileDelay: true }, 'runningReconcileDelay'],
    [{ stagingReconcileDelay: Number.MAX_SAFE_INTEGER + 2 }, 'stagingReconcileDelay'],
    [{ stagingtimeout: 5 }, 'stagingtimeout'],
  ])('decodeSettings refuses %j naming %s', (json, key) => {
    const decoded = Execution.decodeSettings(json)
    if (E.isRight(decoded)) throw new Error('expected a Left')
    expect(decoded.left.problems.map((p) => p.path)).toEqual([key])
  })

  it.each([null, 'fast', 42, [], undefined])('decodeSettings refuses a non-record %j', (json) => {
    expect(E.isLeft(Execution.decodeSettings(json))).toBe(true)
  })
})
