// Edges that the scenario and property tests reach only by chance: the names of
// the error values, key presence in decoded updates, block order in the
// metrics window, settings sharing, and id parsing corners.
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { describe, expect, it } from 'vitest'
import { Container, Errors, EventLog, Execution, Ids, Manager, Metrics, TaskResults, TaskUpdate } from '../src/index'
import { checkInvariants } from '../src/testing'
import { integrityOf } from '../src/internal/snapshot'

const BLOCK = Metrics.BLOCK_LENGTH
const T0 = Date.UTC(2026, 0, 1)

describe('error values name themselves', () => {
  it('as class, tag and name', () => {
    const settings = Execution.decodeSettings({ pullTimeout: -1 })
    const update = TaskUpdate.fromMesos({})
    const results = TaskResults.decode({ version: 7 })
    const snapshot = Manager.fromSnapshot({})
    const volume = Container.inputVolumeName({ clusterId: null })
    const leftOf = <L>(x: E.Either<L, unknown>): L | undefined => (E.isLeft(x) ? x.left : undefined)
    const lefts = [leftOf(settings), leftOf(update), leftOf(results), leftOf(snapshot), leftOf(volume)]
    expect(lefts.map((e) => [e?._tag, e?.name])).toEqual([
      ['InvalidSettings', 'InvalidSettings'],
      ['InvalidTaskUpdate', 'InvalidTaskUpdate'],
      ['InvalidTaskResults', 'InvalidTaskResults'],
      ['InvalidSnapshot', 'InvalidSnapshot'],
      ['QueuedExecution', 'QueuedExecution'],
    ])
    expect(lefts.every((e) => e instanceof Error)).toBe(true)
  })

  it('TaskUpdate.decode refuses with an InvalidTaskUpdate naming the path', () => {
    const decoded = TaskUpdate.decode({ taskId: 'x', status: 'RUNNING', timestamp: 'soon' })
    expect(E.isLeft(decoded) && decoded.left instanceof TaskUpdate.InvalidTaskUpdate).toBe(true)
    expect(E.isLeft(decoded) ? decoded.left.problems.map((p) => p.path) : []).toEqual(['timestamp'])
  })
})

describe('decoding problems read plainly', () => {
  const problemsOf = <A>(decoded: E.Either<{ readonly problems: readonly unknown[] }, A>): readonly unknown[] =>
    E.isLeft(decoded) ? decoded.left.problems : []

  it('say what was expected and what came, nothing when a key is missing', () => {
    expect(problemsOf(TaskUpdate.decode({}))).toEqual([
      { path: 'taskId', message: 'expected a string, got nothing' },
      {
        path: 'status',
        message: 'expected one of STAGING, RUNNING, FINISHED, FAILED, KILLED, LOST or UNKNOWN, got nothing',
      },
      { path: 'timestamp', message: 'expected an integer, got nothing' },
    ])
  })

  it('cut a long value to 60 characters', () => {
    const long = 'x'.repeat(100)
    expect(problemsOf(TaskUpdate.decode({ taskId: 'a', status: 'RUNNING', timestamp: long }))).toEqual([
      { path: 'timestamp', message: `expected an integer, got "${'x'.repeat(56)}...` },
    ])
    const fits = 'x'.repeat(58)
    expect(problemsOf(TaskUpdate.decode({ taskId: 'a', status: 'RUNNING', timestamp: fits }))).toEqual([
      { path: 'timestamp', message: `expected an integer, got "${fits}"` },
    ])
  })

  it('name unexpected keys, one line each in the message', () => {
    const decoded = Execution.decodeSettings({ bogus: 1, stagingTimeout: 'x' })
    expect(E.isLeft(decoded) && decoded.left.message).toBe(
      'invalid settings:\nstagingTimeout: expected a non-negative integer, got "x"\nbogus: unexpected key \'bogus\'',
    )
  })
})

describe('container volumes', () => {
  it('refuse an empty or a non-string cluster id', () => {
    expect(E.isLeft(Container.outputVolumeName({ clusterId: '' }))).toBe(true)
    expect(E.isLeft(Container.outputVolumeName({ clusterId: 42 as unknown as string }))).toBe(true)
    expect(E.isLeft(Container.workspaceVolumeName({}, 'w'))).toBe(true)
  })
})

describe('Errors.forExitCode', () => {
  it('finds nothing without a lookup or an exit code, and ignores inherited keys', () => {
    const lookup = { 0: Errors.BUILTIN.database }
    expect(Errors.forExitCode(undefined, 0)).toBeUndefined()
    expect(Errors.forExitCode(lookup, undefined)).toBeUndefined()
    expect(Errors.forExitCode(lookup, 0)).toBe(Errors.BUILTIN.database)
    expect(Errors.forExitCode(Object.create({ 3: Errors.BUILTIN.unknown }) as Errors.ExitCodeErrors, 3)).toBeUndefined()
  })
})

describe('ids', () => {
  it.each([
    ['scale_job_fw_1x1', 'scale_job_fw_1x1'],
    ['scale_job_fw_1x1_main_lost-3', 'scale_job_fw_1x1'],
    ['scale_job_fw', undefined],
    ['scale_job__1x1_main', undefined],
    ['scale_job_fw__main', undefined],
    ['scale_job_fw_', undefined],
    ['_scale_job_fw_1x1', undefined],
  ])('clusterIdOfTask(%j)', (taskId, expected) => {
    expect(Ids.clusterIdOfTask(taskId)).toBe(expected)
  })

  it('clusterIdOfTask refuses what is not a string', () => {
    expect(Ids.clusterIdOfTask(7 as unknown as string)).toBeUndefined()
  })

  it('lostTaskId keeps the base id before any loss', () => {
    expect(Ids.lostTaskId('scale_job_fw_1x1_main', 0)).toBe('scale_job_fw_1x1_main')
    expect(Ids.lostTaskId('scale_job_fw_1x1_main', 1)).toBe('scale_job_fw_1x1_main_lost-1')
  })
})

describe('fromMesos keeps only the keys it has', () => {
  it('for a bare status', () => {
    const decoded = TaskUpdate.fromMesos({ task_id: { value: 't' }, state: 'TASK_RUNNING', timestamp: 2 })
    expect(E.isRight(decoded) ? Object.keys(decoded.right).sort() : []).toEqual(['status', 'taskId', 'timestamp'])
  })

  it('for a full one', () => {
    const decoded = TaskUpdate.fromMesos({
      task_id: { value: 't' },
      agent_id: { value: 'a' },
      state: 'TASK_RUNNING',
      timestamp: 2,
      message: 'exited with status 3',
      source: 'SOURCE_EXECUTOR',
      reason: 'REASON_COMMAND_EXECUTOR_FAILED',
      data: btoa(JSON.stringify([{ Config: { Env: ['MESOS_CONTAINER_NAME=c'] } }])),
    })
    expect(E.isRight(decoded) ? Object.keys(decoded.right).sort() : []).toEqual([
      'agentId',
      'containerName',
      'exitCode',
      'message',
      'reason',
      'source',
      'status',
      'taskId',
      'timestamp',
    ])
  })

  it('reads the container name from inspect JSON holding a byte that is not UTF-8 elsewhere', () => {
    const inspect = '[{"Config":{"Env":["X=\xff","MESOS_CONTAINER_NAME=mesos-abc"]}}]'
    expect(TaskUpdate.containerNameOfData(btoa(inspect))).toBe('mesos-abc')
  })

  it('reads no container name from data that is not the inspect JSON', () => {
    for (const data of [
      '',
      '%%%',
      btoa('not json'),
      btoa('{"Config":{}}'),
      btoa('[{"Config":{"Env":"x"}}]'),
      btoa('[null]'),
    ]) {
      expect(TaskUpdate.containerNameOfData(data)).toBeUndefined()
    }
    expect(TaskUpdate.exitCodeOfMessage(undefined)).toBeUndefined()
    expect(TaskUpdate.exitCodeOfMessage('exited with status')).toBeUndefined()
  })
})

describe('task results versions', () => {
  it('say what is wrong with a version', () => {
    const message = (json: unknown): string =>
      E.fold(
        (e: TaskResults.InvalidTaskResults) => e.problems.map((p) => p.message).join(';'),
        () => 'accepted',
      )(TaskResults.decode(json))
    expect(message({ version: 7 })).toBe('expected a version string, got number')
    expect(message({ version: 'x'.repeat(51) })).toBe('version strings are at most 50 characters')
    expect(message({ version: 'x'.repeat(50) })).toBe(`${'x'.repeat(50)} is an unsupported version number`)
    expect(TaskResults.codec.is({ version: '1.0', tasks: [] })).toBe(true)
    expect(TaskResults.codec.is({ version: '2.0', tasks: [] })).toBe(false)
  })

  it('check every calendar field', () => {
    const started = (value: string): boolean =>
      E.isRight(TaskResults.decode({ tasks: [{ task_id: 't', type: 'main', was_launched: true, started: value }] }))
    expect(started('2026-01-01T00:59:59Z')).toBe(true)
    expect(started('2026-01-01T00:60:00Z')).toBe(false)
    expect(started('2026-01-01T00:00:60Z')).toBe(false)
    expect(started('2026-01-01T00:00:00+24:00')).toBe(false)
    expect(started('2026-01-01T00:00:00+01:60')).toBe(false)
    expect(started('2026-01-01T00:00:00+23:59')).toBe(true)
  })
})

describe('settings', () => {
  it('complete settings are shared as they are; partial ones are completed', () => {
    const complete: Execution.Settings = { ...Execution.DEFAULT_SETTINGS, stagingTimeout: 5 }
    expect(Execution.withDefaults(complete)).toBe(complete)
    const { starvationDelay: _dropped, ...partial } = complete
    expect(Execution.withDefaults(partial)).toEqual({ ...complete, starvationDelay: 600_000 })
    expect(Execution.withDefaults(partial)).not.toBe(partial)
  })
})

describe('metrics window', () => {
  const record = (finished: number, status = 'COMPLETED'): Metrics.Counted => ({
    nodeId: 1,
    jobTypeId: 1,
    status,
    finished,
    error: status === 'FAILED' ? Errors.BUILTIN.unknown : undefined,
  })

  const FIVE_MINUTES = 5 * 60_000
  const HOUR = 3_600_000

  const metricsOf = (x: Metrics.Counts | Metrics.Metrics): Metrics.Metrics => {
    if (x === null || !('now' in x)) throw new Error('expected metrics, got counts')
    return x
  }

  it('takes bare counts beside metrics as running counts with no window of their own', () => {
    const metrics = Metrics.addFinished(
      Metrics.addRunning(Metrics.create(T0), { nodeId: 1, jobTypeId: 1, status: 'RUNNING' }),
      record(T0),
    )
    const sum = metricsOf(Metrics.add(metrics, Metrics.empty))
    expect(sum.now).toBe(T0)
    expect(Metrics.equals(sum, metrics)).toBe(true)
    expect(Metrics.equals(Metrics.add(Metrics.empty, metrics), metrics)).toBe(true)
    const running = Metrics.fromEntries([[1, 'running', 1, 1]])
    expect(Metrics.equals(metricsOf(Metrics.subtract(metrics, running)).running, Metrics.empty)).toBe(true)
    const runningOnly = Metrics.addRunning(Metrics.create(T0), { nodeId: 1, jobTypeId: 1, status: 'RUNNING' })
    expect(Metrics.equals(runningOnly, running)).toBe(true)
    expect(Metrics.equals(metrics, running)).toBe(false)
  })

  it('compares and subtracts metrics at the later of their instants', () => {
    const metrics = Metrics.addFinished(Metrics.create(T0), record(T0))
    const later = Metrics.advance(metrics, T0 + 4 * HOUR)
    expect(Metrics.equals(metrics, later)).toBe(true)
    expect(Metrics.equals(metrics, Metrics.create(T0))).toBe(false)
    expect(Metrics.subtract(metrics, later).now).toBe(T0 + 4 * HOUR)
    expect(Metrics.subtract(later, metrics).now).toBe(T0 + 4 * HOUR)
  })

  it('tells apart metrics whose finished counts agree but fall in different blocks', () => {
    const now = T0 + 2 * FIVE_MINUTES
    const early = Metrics.addFinished(Metrics.create(now), record(T0))
    const late = Metrics.addFinished(Metrics.create(now), record(T0 + FIVE_MINUTES))
    expect(Metrics.equals(early.finished, late.finished)).toBe(true)
    expect(Metrics.equals(early, late)).toBe(false)
  })

  it('keeps blocks in order whatever order executions finish in', () => {
    const now = T0 + 2 * BLOCK
    let metrics = Metrics.create(now)
    for (const finished of [T0 + 2 * BLOCK, T0, T0 + BLOCK, T0, T0 + 2 * BLOCK + 1]) {
      metrics = Metrics.addFinished(metrics, record(finished))
    }
    expect(metrics.blocks.map((b) => [b.start, Metrics.total(b.counts)])).toEqual([
      [T0, 2],
      [T0 + BLOCK, 1],
      [T0 + 2 * BLOCK, 2],
    ])
    const completed = (at: number): number =>
      Metrics.statusJson(metrics, [1], at)[0]?.job_executions.completed.total ?? -1
    expect(completed(T0 + BLOCK + Metrics.WINDOW_LENGTH)).toBe(5)
    expect(completed(T0 + BLOCK + Metrics.WINDOW_LENGTH + 1)).toBe(3)
    expect(completed(T0 + 2 * BLOCK + Metrics.WINDOW_LENGTH + 1)).toBe(2)
    const advanced = Metrics.advance(metrics, T0 + 2 * BLOCK + Metrics.WINDOW_LENGTH + 1)
    expect(advanced.blocks.map((b) => b.start)).toEqual([T0 + 2 * BLOCK])
    expect(Metrics.total(advanced.finished)).toBe(2)
    expect(Metrics.advance(advanced, advanced.now)).toBe(advanced)
    expect(Metrics.advance(advanced, advanced.now - 1)).toBe(advanced)
  })

  it('counts totals by kind', () => {
    const counts = Metrics.fromEntries([
      [1, 'running', 1, 2],
      [1, 'completed', 1, 3],
      [2, 'completed', 4, 1],
    ])
    expect([Metrics.total(counts), Metrics.total(counts, 'completed'), Metrics.total(counts, 'data')]).toEqual([
      6, 4, 0,
    ])
    expect(Metrics.increment(counts, [1, 'running', 1], 0)).toBe(counts)
    expect(Metrics.equals(counts, Metrics.fromEntries([[1, 'running', 1, 2]]))).toBe(false)
    expect(
      Metrics.equals(Metrics.fromEntries([[1, 'running', 1, 2]]), Metrics.fromEntries([[1, 'running', 1, 3]])),
    ).toBe(false)
  })

  it('counts no FAILED execution without an error, and no canceled one', () => {
    const metrics = Metrics.create(T0)
    expect(Metrics.addFinished(metrics, { nodeId: 1, jobTypeId: 1, status: 'FAILED', finished: T0 })).toBe(metrics)
    expect(Metrics.addFinished(metrics, record(T0, 'CANCELED'))).toBe(metrics)
    expect(Metrics.addFinished(metrics, { ...record(T0), finished: undefined })).toBe(metrics)
    expect(Metrics.finishedKind({ nodeId: 1, jobTypeId: 1, status: 'RUNNING', error: Errors.BUILTIN.unknown })).toBe(
      undefined,
    )
  })

  it('removing a running execution that is not counted changes nothing', () => {
    const metrics = Metrics.create(T0)
    expect(Metrics.removeRunning(metrics, { nodeId: 1, jobTypeId: 1, status: 'RUNNING' })).toBe(metrics)
    const one = Metrics.addRunning(metrics, { nodeId: 1, jobTypeId: 1, status: 'RUNNING' })
    expect(Metrics.toEntries(one.running)).toEqual([[1, 'running', 1, 1]])
  })

  it('lists only the asked node, sorted by job type', () => {
    const metrics = [
      { nodeId: 2, jobTypeId: 9 },
      { nodeId: 2, jobTypeId: 3 },
      { nodeId: 1, jobTypeId: 5 },
      { nodeId: 3, jobTypeId: 1 },
    ].reduce((m, x) => Metrics.addRunning(m, { ...x, status: 'RUNNING' }), Metrics.create(T0))
    expect(Metrics.statusJson(metrics, [2], T0)[0]?.job_executions.running).toEqual({
      total: 2,
      by_job_type: [
        { job_type_id: 3, count: 1 },
        { job_type_id: 9, count: 1 },
      ],
    })
  })
})

describe('manager edges', () => {
  const spec = (i: number, timeout = 60_000): Execution.ExecutionSpec => ({
    id: i,
    clusterId: `scale_job_fw_${i}x1`,
    jobId: i,
    exeNum: 1,
    jobTypeId: 1,
    nodeId: 1,
    agentId: 'a',
    queued: T0,
    started: T0,
    taskTypes: ['main'],
    jobType: { name: 'j', isSystem: false, isLongRunning: false, timeout },
  })

  const running = (i: number, at: number, timeout?: number): Manager.Manager => {
    let state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [spec(i, timeout)] }, at)
    state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: `scale_job_fw_${i}x1` }, at)
    state = Manager.reduce(state, { type: 'TaskLaunched', taskId: `scale_job_fw_${i}x1_main` }, at)
    return Manager.reduce(
      state,
      { type: 'TaskUpdated', update: { taskId: `scale_job_fw_${i}x1_main`, status: 'RUNNING', timestamp: at } },
      at,
    )
  }

  it('a task due for a timeout is not due for reconciliation before its delay', () => {
    // A 1-minute job timeout comes before the 10-minute reconciliation delay.
    const state = running(1, T0, 60_000)
    expect(Manager.nextDeadline(state)).toEqual(O.some(T0 + 60_001))
    expect(Manager.tasksToReconcile(state, T0 + 60_001)).toEqual([])
    expect(Manager.tasksToReconcile(state, T0 + 600_001).map((t) => t.id)).toEqual(['scale_job_fw_1x1_main'])
  })

  it('lists forced and overdue tasks together, by cluster id', () => {
    let state = running(2, T0)
    state = Manager.reduce(state, { type: 'Scheduled', executions: [spec(1, 3_600_000)] }, T0)
    state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: 'scale_job_fw_1x1' }, T0)
    state = Manager.reduce(state, { type: 'TaskLaunched', taskId: 'scale_job_fw_1x1_main' }, T0)
    state = Manager.reduce(state, { type: 'ExecutionsLost', ids: ['scale_job_fw_2x1'] }, T0 + 1)
    expect(Manager.tasksToReconcile(state, T0 + 30_001).map((t) => t.id)).toEqual([
      'scale_job_fw_1x1_main',
      'scale_job_fw_2x1_main',
    ])
  })

  it('tells its own messages from host messages that look alike', () => {
    expect(Manager.isMessage({ type: 'JobExeEnd' })).toBe(false)
    expect(Manager.isMessage({ type: 'Other', records: [] })).toBe(false)
    expect(Manager.isMessage('JobExeEnd')).toBe(false)
    expect(Manager.isMessage(null)).toBe(false)
    expect(Manager.isMessage({ type: 'FailedJobs', jobs: [], when: 0 })).toBe(true)
    expect(Manager.endRecordsOf([{ type: 'CompletedJobs', jobs: [], when: 0 }, 'x'])).toEqual([])
  })

  it('tells a function or a record-less lookalike from its own messages', () => {
    const lookalike = Object.assign(() => 0, { type: 'JobExeEnd', records: [] })
    expect(Manager.isMessage(lookalike)).toBe(false)
    expect(Manager.endRecordsOf([{ type: 'JobExeEnd' }, lookalike])).toEqual([])
  })

  it('routes each event to the shards that must see it', () => {
    const k = 3
    const id = 'scale_job_fw_7x1'
    const home = Manager.shardOf(id, k)
    const all = [0, 1, 2]
    const shards = (event: Manager.ManagerEvent, n = k): number[] => Manager.route(event, n).map(([shard]) => shard)
    const update: TaskUpdate.TaskUpdate = { taskId: `${id}_main`, status: 'RUNNING', timestamp: T0 }
    expect(shards({ type: 'NextTaskStarted', clusterId: id })).toEqual([home])
    expect(shards({ type: 'TaskLaunched', taskId: `${id}_main` })).toEqual([home])
    expect(shards({ type: 'TaskTimedOut', taskId: `${id}_main` })).toEqual([home])
    expect(shards({ type: 'TaskUpdated', update })).toEqual([home])
    expect(shards({ type: 'TaskUpdated', update: { ...update, taskId: 'cleanup_1' } })).toEqual([0])
    for (const event of [
      { type: 'NodeLost', nodeId: 1 },
      { type: 'JobsSynced', jobs: {} },
      { type: 'TimeoutsChecked' },
      { type: 'StarvationChecked' },
    ] as const) {
      expect(shards(event)).toEqual(all)
      expect(Manager.route(event, k).every(([, routed]) => routed === event)).toBe(true)
    }
    expect(shards({ type: 'CanceledOffQueue', records: [] })).toEqual([0])
    expect(shards({ type: 'HistoryLoaded', records: [] })).toEqual([0])
    const lost = Manager.route({ type: 'ExecutionsLost', ids: [id, 42] }, k)
    expect(lost).toEqual(all.map((shard) => [shard, { type: 'ExecutionsLost', ids: shard === home ? [id, 42] : [42] }]))
    expect(Manager.route({ type: 'ExecutionsLost', ids: [id] }, k)).toEqual([
      [home, { type: 'ExecutionsLost', ids: [id] }],
    ])
    expect(shards({ type: 'StarvationChecked' }, 1)).toEqual([0])
    expect(shards({ type: 'StarvationChecked' }, 0)).toEqual([0])
    expect(Manager.route({ type: 'Unknown' } as unknown as Manager.ManagerEvent, k)).toEqual([])
  })

  it('reads JobsSynced keys as job ids only when they are whole numbers', () => {
    const state = running(12, T0)
    const canceled: Manager.SyncedJob = { status: 'CANCELED', numExes: 1 }
    for (const key of ['12x', 'x12', '1 2', '']) {
      expect(Manager.reduce(state, { type: 'JobsSynced', jobs: { [key]: canceled } }, T0 + 1)).toBe(state)
    }
    const bad = { 12: null } as unknown as Record<string, Manager.SyncedJob>
    expect(Manager.reduce(state, { type: 'JobsSynced', jobs: bad }, T0 + 1)).toBe(state)
    const after = Manager.reduce(state, { type: 'JobsSynced', jobs: { 12: canceled } }, T0 + 1)
    expect(Manager.runningExecution(after, 'scale_job_fw_12x1')?.status).toBe('CANCELED')
  })

  it('keeps the next deadline exact when time goes back and a deadline comes before its index key', () => {
    // X staging holds the first deadline, Y the next; E's first task launched
    // late, then the clock went back and its next task launched early: E's
    // deadline now comes before Y's, and after X reports, it is the first.
    const x = spec(10)
    const y = spec(11)
    const e: Execution.ExecutionSpec = { ...spec(12), taskTypes: ['pre', 'main'] }
    const late = T0 + 100_000
    let state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [x, y, e] }, T0)
    const launch = (id: string, type: string, at: number): void => {
      state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: id }, at)
      state = Manager.reduce(state, { type: 'TaskLaunched', taskId: `${id}_${type}` }, at)
    }
    launch(x.clusterId, 'main', T0 - 1_000)
    launch(y.clusterId, 'main', T0 + 10)
    launch(e.clusterId, 'pre', late)
    const finished = { taskId: `${e.clusterId}_pre`, status: 'FINISHED', timestamp: late, exitCode: 0 } as const
    state = Manager.reduce(state, { type: 'TaskUpdated', update: finished }, late)
    launch(e.clusterId, 'main', T0)
    expect(Manager.nextDeadline(state)).toEqual(O.some(T0 + 29_001))
    const running = { taskId: `${x.clusterId}_main`, status: 'RUNNING', timestamp: T0 } as const
    state = Manager.reduce(state, { type: 'TaskUpdated', update: running }, T0)
    expect(Manager.nextDeadline(state)).toEqual(O.some(T0 + 30_001))
    expect(checkInvariants(state)).toEqual([])
  })

  it('loading history that falls outside the window changes nothing', () => {
    const state = running(4, T0)
    const old = { nodeId: 1, jobTypeId: 1, status: 'COMPLETED', finished: T0 - 4 * 3_600_000 } as const
    expect(Manager.reduce(state, { type: 'HistoryLoaded', records: [old] }, T0)).toBe(state)
  })

  it('an execution id shared by two executions (a host error) still names the later one after the first ends', () => {
    const first = spec(6)
    const second = { ...spec(7), id: 6 }
    let state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [first, second] }, T0)
    state = Manager.reduce(state, { type: 'ExecutionsLost', ids: [first.clusterId] }, T0 + 1)
    expect(Manager.runningExecution(state, first.clusterId)).toBeUndefined()
    state = Manager.reduce(state, { type: 'ExecutionsLost', ids: [6] }, T0 + 2)
    expect(Manager.runningExecution(state, second.clusterId)).toBeUndefined()
  })

  it('schedules a spec as a spec even when it carries extra status or tasks fields', () => {
    const withStatus = { ...spec(8), status: 'RUNNING' }
    const withTasks = { ...spec(9), tasks: [] }
    const state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [withStatus, withTasks] }, T0)
    expect(Manager.runningExecution(state, withStatus.clusterId)?.tasks.map((t) => t.type)).toEqual(['main'])
    expect(Manager.runningExecution(state, withTasks.clusterId)?.tasks.map((t) => t.type)).toEqual(['main'])
  })

  it('routes a schedule without host messages only to the shards of its executions', () => {
    const executions = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => spec(i))
    const homes = [...new Set(executions.map((x) => Manager.shardOf(x.clusterId, 3)))].sort()
    expect(homes.length).toBeGreaterThan(1)
    const routed = Manager.route({ type: 'Scheduled', executions }, 3)
    expect(routed.map(([shard]) => shard)).toEqual(homes)
    expect(routed.flatMap(([, event]) => (event.type === 'Scheduled' ? event.executions : [])).length).toBe(8)
  })

  it('ignores an event of no known type', () => {
    const state = running(3, T0)
    expect(Manager.reduce(state, { type: 'Unknown' } as unknown as Manager.ManagerEvent, T0 + 1)).toBe(state)
  })

  it('routes a schedule to the shards of its executions, with the host messages on shard 0', () => {
    const executions = [spec(1), spec(2), spec(3), spec(4)]
    const routed = Manager.route({ type: 'Scheduled', executions, messages: ['m'] }, 2)
    const shardOf = (i: number): number => Manager.shardOf(`scale_job_fw_${i}x1`, 2)
    for (const [shard, event] of routed) {
      expect(event.type).toBe('Scheduled')
      if (event.type !== 'Scheduled') continue
      expect(event.executions.map((x) => x.id)).toEqual([1, 2, 3, 4].filter((i) => shardOf(i) === shard))
      expect(event.messages).toEqual(shard === 0 ? ['m'] : undefined)
    }
    expect(routed.map(([shard]) => shard)).toEqual(
      [0, 1].filter((s) => s === 0 || [1, 2, 3, 4].some((i) => shardOf(i) === s)),
    )
    expect(Manager.route({ type: 'Scheduled', executions: [] }, 3)).toEqual([])
    expect(Manager.route({ type: 'TimeoutsChecked' }, 2.5).map(([s]) => s)).toEqual([0])
  })
})

describe('snapshots refuse each inconsistency, naming where', () => {
  const base = (): Record<string, unknown> => {
    const spec: Execution.ExecutionSpec = {
      id: 1,
      clusterId: 'scale_job_fw_1x1',
      jobId: 1,
      exeNum: 1,
      jobTypeId: 1,
      nodeId: 1,
      agentId: 'a',
      queued: T0,
      started: T0,
      jobType: { name: 'j', isSystem: false, isLongRunning: false, timeout: 60_000 },
    }
    let state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [spec] }, T0)
    state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: spec.clusterId }, T0)
    state = Manager.reduce(state, { type: 'TaskLaunched', taskId: 'scale_job_fw_1x1_pull' }, T0)
    return JSON.parse(JSON.stringify(Manager.toSnapshot(state))) as Record<string, unknown>
  }
  const withExecution = (change: (x: Record<string, unknown>) => Record<string, unknown>): unknown => {
    const snapshot = base()
    const [first] = snapshot['running'] as Array<Record<string, unknown>>
    return { ...snapshot, running: [change(first ?? {})] }
  }
  // Resealed, so that the structural checks speak rather than the integrity.
  const problems = (json: unknown): string[] => {
    const content = json as Record<string, unknown>
    const decoded = Manager.fromSnapshot({ ...content, integrity: integrityOf(content) })
    return E.isLeft(decoded) ? decoded.left.problems.map((p) => `${p.path}: ${p.message}`) : []
  }

  it('accepts the base snapshot', () => {
    expect(problems(base())).toEqual([])
  })

  it.each([
    [(x: Record<string, unknown>) => ({ ...x, next: 9 }), 'running.0.next: is 9, beyond its 4 tasks'],
    [(x: Record<string, unknown>) => ({ ...x, current: 2 }), 'running.0.current: is 2, not the task before next (1)'],
    [
      (x: Record<string, unknown>) => ({ ...x, status: 'FAILED', finished: T0 }),
      'running.0.next: a finished status leaves no task remaining',
    ],
    [
      (x: Record<string, unknown>) => ({ ...x, status: 'FAILED', next: 4, current: 3 }),
      'running.0.finished: a final status needs its instant',
    ],
    [
      (x: Record<string, unknown>) => ({
        ...x,
        tasks: (x['tasks'] as Array<Record<string, unknown>>).map((t, i) =>
          i === 0 ? { ...t, baseId: 'other_pull' } : t,
        ),
      }),
      'running.0.tasks.0.baseId: is not scale_job_fw_1x1_pull',
    ],
    [
      (x: Record<string, unknown>) => ({
        ...x,
        tasks: (x['tasks'] as Array<Record<string, unknown>>).map((t, i) => (i === 1 ? { ...t, id: 'x_pre' } : t)),
      }),
      'running.0.tasks.1.id: does not start with scale_job_fw_1x1_pre',
    ],
  ])('%#: %s', (change, expected) => {
    expect(problems(withExecution(change))).toContain(expected)
  })

  it('names a duplicate execution, and nothing else', () => {
    const snapshot = base()
    const [first] = snapshot['running'] as unknown[]
    expect(problems({ ...snapshot, running: [first, first] })).toEqual(['running.1.clusterId: appears twice'])
  })

  it('names a finished execution, a current task past the end, an id not starting with its base', () => {
    expect(
      problems(withExecution((x) => ({ ...x, status: 'CANCELED', current: undefined, next: 4, finished: T0 }))),
    ).toEqual(['running.0: is finished, so it cannot be running'])
    expect(problems(withExecution((x) => ({ ...x, status: 'CANCELED', current: 4, next: 4, finished: T0 })))).toEqual([
      'running.0.current: is 4, not the task before next (4)',
    ])
    const renamed = (x: Record<string, unknown>): Record<string, unknown> => ({
      ...x,
      tasks: (x['tasks'] as Array<Record<string, unknown>>).map((t, i) =>
        i === 1 ? { ...t, id: 'other_scale_job_fw_1x1_pre' } : t,
      ),
    })
    expect(problems(withExecution(renamed))).toEqual(['running.0.tasks.1.id: does not start with scale_job_fw_1x1_pre'])
  })

  it('says in its message that the snapshot is invalid, and each problem', () => {
    const decoded = Manager.fromSnapshot({ ...base(), snapshotVersion: 3 })
    expect(E.isLeft(decoded) && decoded.left.message.startsWith('invalid snapshot:\n')).toBe(true)
    expect(E.isLeft(decoded) && decoded.left.message.includes('snapshotVersion')).toBe(true)
  })

  it('names two blocks that start at the same instant', () => {
    const snapshot = base()
    const metrics = snapshot['metrics'] as Record<string, unknown>
    const counts = [[1, 'completed', 1, 1]]
    const blocks = [
      { start: T0, counts },
      { start: T0, counts },
    ]
    expect(problems({ ...snapshot, metrics: { ...metrics, blocks } })).toEqual(['metrics.blocks.1: is out of order'])
  })

  it('names blocks out of order and empty blocks', () => {
    const snapshot = base()
    const metrics = snapshot['metrics'] as Record<string, unknown>
    const counts = [[1, 'completed', 1, 1]]
    const blocks = [
      { start: T0, counts },
      { start: T0 - BLOCK, counts },
      { start: T0 + BLOCK, counts: [] },
    ]
    expect(problems({ ...snapshot, metrics: { ...metrics, blocks } })).toEqual([
      'metrics.blocks.1: is out of order',
      'metrics.blocks.2: is empty',
    ])
  })
})

describe('event log lines say what is wrong', () => {
  const reason = (text: string): string =>
    E.fold(
      (l: string) => l,
      () => 'accepted',
    )(EventLog.decodeLine(text))

  // Plain test names: Stryker finds a test again by its name, as a pattern.
  it.each([
    ['an event that is a number', '{"now":1,"event":7}', 'event: expected an object'],
    ['an event that is a list', '{"now":1,"event":[]}', 'event: expected an object'],
    ['an event that is null', '{"now":1,"event":null}', 'event: expected an object'],
    ['an event without a type', '{"now":1,"event":{}}', 'event.type: unknown event type undefined'],
    ['an event with a numeric type', '{"now":1,"event":{"type":7}}', 'event.type: unknown event type 7'],
    ['an event missing a field', '{"now":1,"event":{"type":"NodeLost"}}', 'event.nodeId: expected'],
    ['two bad fields', '{"now":1,"event":{"type":"ExecutionsLost","ids":[1,true,null]}}', 'event.ids.1: expected'],
    [
      'a Mesos status that does not decode',
      '{"now":1,"event":{"type":"TaskUpdated","update":{"type":"MesosStatus","status":{"state":"TASK_RUNNING"}}}}',
      'event.update.status: ',
    ],
    ['a line that is a list', '[1]', '<root>: expected'],
    ['a line without now', '{"event":{}}', 'now: expected'],
  ])('refuses %s', (_, line, expected) => {
    expect(reason(line).startsWith(expected)).toBe(true)
  })

  it('joins the problems of one event', () => {
    expect(reason('{"now":1,"event":{"type":"ExecutionsLost","ids":[1,true,null]}}')).toMatch(
      /^event\.ids\.1: expected [^;]+; event\.ids\.2: expected/,
    )
    expect(reason('{"now":1,"event":{"type":"TaskUpdated","update":{"type":"MesosStatus","status":{}}}}')).toMatch(
      /^event\.update\.status: [^\n]+; /,
    )
  })

  it('tells Mesos updates only among TaskUpdated events', () => {
    expect(EventLog.isMesosUpdate({ type: 'NodeLost', nodeId: 1 })).toBe(false)
  })

  it('names the nodes of history records', () => {
    const record = { nodeId: 3, jobTypeId: 1, status: 'COMPLETED', finished: T0 }
    expect(EventLog.nodesOf({ type: 'HistoryLoaded', records: [record, { ...record, nodeId: 'x' }] })).toEqual([3, 'x'])
    expect(EventLog.nodesOf({ type: 'TimeoutsChecked' })).toEqual([])
  })

  it('sums up drained messages sorted by type', () => {
    let replay = EventLog.startReplay()
    const host = ['zeta', 'alpha', 'mid'].map((type) => ({ type }))
    replay = EventLog.replayLine(
      replay,
      JSON.stringify({ now: 1, event: { type: 'Scheduled', executions: [], messages: host } }),
      1,
    )
    expect(Object.keys(EventLog.summary(replay).messages)).toEqual(['alpha', 'mid', 'zeta'])
  })

  it('accepts a TaskUpdated event with a decoded update or a Mesos status', () => {
    const update = { taskId: 'scale_job_fw_1x1_main', status: 'RUNNING', timestamp: 5 }
    expect(EventLog.decodeLine(JSON.stringify({ now: 1, event: { type: 'TaskUpdated', update } }))).toEqual(
      E.right({ now: 1, event: { type: 'TaskUpdated', update } }),
    )
    const mesos = { task_id: { value: 'scale_job_fw_1x1_main' }, state: 'TASK_RUNNING', timestamp: 0.005 }
    const decoded = EventLog.decodeLine(
      JSON.stringify({ now: 1, event: { type: 'TaskUpdated', update: { type: 'MesosStatus', status: mesos } } }),
    )
    expect(decoded).toEqual(E.right({ now: 1, event: { type: 'TaskUpdated', update: { ...update } } }))
    expect(EventLog.isMesosUpdate({ type: 'TaskUpdated', update: { type: 'MesosStatus', status: mesos } })).toBe(true)
    expect(
      EventLog.isMesosUpdate({ type: 'TaskUpdated', update: { taskId: 'x', status: 'RUNNING', timestamp: 1 } }),
    ).toBe(false)
  })

  it('counts host messages by their type, or as host', () => {
    expect(
      EventLog.countMessages(['a', { type: 'RunningJobs' }, { type: 7 }, null, { type: 'RunningJobs' }], { host: 1 }),
    ).toEqual({
      host: 4,
      RunningJobs: 2,
    })
    expect(EventLog.countMessages([{ type: 'JobExeEnd', records: [] }])).toEqual({})
  })

  it('records refused lines and the nodes it has seen', () => {
    let replay = EventLog.startReplay()
    replay = EventLog.replayLine(replay, 'nope', 1)
    replay = EventLog.replayLine(replay, '{"now":3,"event":{"type":"NodeLost","nodeId":"b"}}', 2)
    replay = EventLog.replayLine(replay, '{"now":4,"event":{"type":"NodeLost","nodeId":"a"}}', 3)
    replay = EventLog.replayLine(replay, '{"now":5,"event":{"type":"TimeoutsChecked"}}', 4)
    expect(replay.refused.map((r) => r.line)).toEqual([1])
    expect([replay.replayed, replay.lastNow]).toEqual([3, 5])
    expect(EventLog.summary(replay).status.map((n) => n.id)).toEqual(['a', 'b'])
  })
})
