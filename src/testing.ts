/**
 * A test kit for host schedulers: fast-check arbitraries for execution specs,
 * Mesos `TaskStatus` JSON (well-formed and malformed), task updates and whole
 * manager event streams, and {@link checkInvariants}, which lists what is
 * broken in a manager's state.
 *
 * Import it from the subpath `job-execution-core/testing`; it needs fast-check
 * (an optional peer dependency that the root entry never loads).
 *
 * @example
 * import fc from 'fast-check'
 * import { Manager } from 'job-execution-core'
 * import { eventStream, checkInvariants } from 'job-execution-core/testing'
 *
 * fc.assert(fc.property(eventStream(), (stream) => {
 *   let state = Manager.create(stream.start)
 *   for (const { now, event } of stream.events) {
 *     state = Manager.reduce(state, event, now)
 *     if (checkInvariants(state).length > 0) return false
 *   }
 *   return true
 * }))
 *
 * @since 0.1.0
 * @module job-execution-core/testing
 */
import fc from 'fast-check'
import * as O from 'fp-ts/Option'
import * as Errors from './errors'
import type { JobError } from './errors'
import * as Execution from './execution'
import { compareIds, type Instant, type NodeId } from './ids'
import { brokenInvariants as brokenIndexes } from './internal/indexMaintenance'
import { isRunningExecution } from './internal/executionGuard'
import { rebuild, unroutableReason } from './internal/lifecycle'
import { toInternal } from './internal/managerState'
import * as Remembered from './internal/remembered'
import * as SM from './internal/sortedMap'
import * as Manager from './manager'
import * as Metrics from './metrics'
import * as Task from './task'
import type { TaskType } from './task'
import type { TaskStatus, TaskUpdate } from './taskUpdate'

const MINUTE = 60_000

/**
 * A base instant for generated streams: a multiple of the 5-minute block, in 2026.
 *
 * @category constants
 * @since 0.1.0
 */
export const BASE_INSTANT: Instant = Date.UTC(2026, 0, 1)

const DATA_ERROR: JobError = { name: 'bad-input', category: 'DATA', title: 'Bad input data' }
const ALGORITHM_ERROR: JobError = { name: 'segfault', category: 'ALGORITHM', title: 'Algorithm crashed' }

/**
 * The error mapping the generated job types use: exit code 1 is a DATA error,
 * 2 an ALGORITHM error; other non-zero codes give `algorithm-unknown`.
 *
 * @category constants
 * @since 0.1.0
 */
export const ERROR_MAPPING: Readonly<Record<number, JobError>> = { 1: DATA_ERROR, 2: ALGORITHM_ERROR }

/**
 * The registry of system exit codes the generated specs use: Scale's own.
 * Scale registers 2 `database`, 3 `database-operation` and 4 `filesystem-io`
 * in `error/apps.py` (the errors of `error/exceptions.py`), and 5
 * `invalid-results-manifest`, 6 `missing-setting`, 7 `missing-required-output`
 * and 10 `missing-mount` in `job/apps.py` (the errors of
 * `job/configuration/results/exceptions.py` and
 * `job/execution/configuration/exceptions.py`).
 *
 * @category constants
 * @since 0.1.0
 */
export const EXIT_CODE_ERRORS: Readonly<Record<number, JobError>> = Errors.SCALE_EXIT_CODES

const taskTypesArb: fc.Arbitrary<readonly TaskType[]> = fc
  .subarray([...Task.TASK_TYPES], { minLength: 1 })
  .map((types) => Task.TASK_TYPES.filter((t) => types.includes(t)))

/**
 * Execution specs with the given ids, on a few nodes and job types.
 *
 * @category arbitraries
 * @since 0.1.0
 */
export const executionSpec = (ids: {
  readonly id: number
  readonly jobId: number
  readonly exeNum: number
  readonly started?: Instant
}): fc.Arbitrary<Execution.ExecutionSpec> =>
  fc
    .record({
      nodeId: fc.integer({ min: 1, max: 4 }),
      jobTypeId: fc.integer({ min: 1, max: 3 }),
      taskTypes: taskTypesArb,
      isSystem: fc.boolean(),
      isLongRunning: fc.boolean(),
      timeout: fc.constantFrom(5 * MINUTE, 60 * MINUTE),
      priority: fc.integer({ min: 1, max: 100 }),
    })
    .map((x) => ({
      id: ids.id,
      clusterId: `scale_job_fw_${ids.jobId}x${ids.exeNum}`,
      jobId: ids.jobId,
      exeNum: ids.exeNum,
      jobTypeId: x.jobTypeId,
      nodeId: x.nodeId,
      agentId: `agent-${x.nodeId}`,
      priority: x.priority,
      queued: ids.started ?? BASE_INSTANT,
      started: ids.started ?? BASE_INSTANT,
      taskTypes: x.taskTypes,
      jobType: {
        name: `type-${x.jobTypeId}`,
        isSystem: x.isSystem,
        isLongRunning: x.isLongRunning,
        timeout: x.timeout,
        errorMapping: ERROR_MAPPING,
      },
      exitCodeErrors: EXIT_CODE_ERRORS,
    }))

/**
 * Any execution spec (ids drawn too).
 *
 * @category arbitraries
 * @since 0.1.0
 */
export const anyExecutionSpec: fc.Arbitrary<Execution.ExecutionSpec> = fc
  .record({ id: fc.nat(1000), jobId: fc.nat(1000), exeNum: fc.integer({ min: 1, max: 5 }) })
  .chain(executionSpec)

const statusArb: fc.Arbitrary<TaskStatus> = fc.constantFrom(
  'STAGING',
  'RUNNING',
  'FINISHED',
  'FAILED',
  'KILLED',
  'LOST',
  'UNKNOWN',
)

/**
 * Task updates for the given task ids.
 *
 * @category arbitraries
 * @since 0.1.0
 */
export const taskUpdate = (taskIds: readonly string[]): fc.Arbitrary<TaskUpdate> =>
  fc.record(
    {
      taskId: fc.constantFrom(...taskIds),
      status: statusArb,
      timestamp: fc.integer({ min: BASE_INSTANT, max: BASE_INSTANT + 240 * MINUTE }),
      exitCode: fc.integer({ min: -9, max: 5 }),
      reason: fc.constantFrom('REASON_EXECUTOR_TERMINATED', 'REASON_COMMAND_EXECUTOR_FAILED'),
      containerName: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
    },
    { requiredKeys: ['taskId', 'status', 'timestamp'] },
  )

const MESOS_STATES = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_ERROR',
  'TASK_KILLED',
  'TASK_KILLING',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNREACHABLE',
  'TASK_UNKNOWN',
] as const

/**
 * The base64 `data` of a Mesos status carrying a container name, as the
 * container runtime's inspect JSON.
 *
 * @category arbitraries
 * @since 0.1.0
 */
export const inspectData = (containerName: string): string =>
  btoa(JSON.stringify([{ Config: { Env: ['PATH=/bin', `MESOS_CONTAINER_NAME=${containerName}`] } }]))

/**
 * Well-formed Mesos v1 `TaskStatus` JSON for the given task ids, with the extra
 * fields a real status carries.
 *
 * @category arbitraries
 * @since 0.1.0
 */
export const mesosStatus = (taskIds: readonly string[]): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record(
      {
        task_id: fc.constantFrom(...taskIds).map((value) => ({ value })),
        agent_id: fc.constantFrom('agent-1', 'agent-2').map((value) => ({ value })),
        state: fc.constantFrom(...MESOS_STATES),
        timestamp: fc.integer({ min: BASE_INSTANT, max: BASE_INSTANT + 240 * MINUTE }).map((ms) => ms / 1000),
        message: fc.oneof(
          fc.integer({ min: -9, max: 5 }).map((code) => `Command exited with status ${code}`),
          fc.constant('Container killed'),
        ),
        source: fc.constantFrom('SOURCE_EXECUTOR', 'SOURCE_AGENT', 'SOURCE_MASTER'),
        reason: fc.constantFrom('REASON_EXECUTOR_TERMINATED', 'REASON_TASK_KILLED_DURING_LAUNCH'),
        data: fc.stringMatching(/^[a-z0-9-]{1,12}$/).map(inspectData),
        uuid: fc.base64String({ maxLength: 24 }),
        healthy: fc.boolean(),
        labels: fc.constant({ labels: [{ key: 'k', value: 'v' }] }),
      },
      { requiredKeys: ['task_id', 'state', 'timestamp'] },
    )
    .map((status) => ({ ...status }))

/**
 * Malformed Mesos status JSON: wrong types, missing required fields, or not an
 * object at all. `TaskUpdate.fromMesos` must refuse every one without throwing.
 *
 * @category arbitraries
 * @since 0.1.0
 */
export const malformedMesosStatus = (taskIds: readonly string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
    mesosStatus(taskIds).chain((status) =>
      fc.constantFrom('task_id', 'state', 'timestamp').chain((key) =>
        fc.oneof(
          fc.constant(Object.fromEntries(Object.entries(status).filter(([k]) => k !== key))),
          fc
            .oneof(fc.constant(null), fc.boolean(), fc.constant([]), fc.constant({ value: 7 }))
            .map((bad) => ({ ...status, [key]: bad })),
        ),
      ),
    ),
    mesosStatus(taskIds).map((status) => ({ ...status, agent_id: 42 })),
  )

/**
 * A manager event with the instant it happens at.
 *
 * @category model
 * @since 0.1.0
 */
export interface TimedEvent {
  readonly now: Instant
  readonly event: Manager.ManagerEvent
}

/**
 * A generated stream of manager events: where the clock starts, and the events.
 *
 * @category model
 * @since 0.1.0
 */
export interface EventStream {
  readonly start: Instant
  readonly events: readonly TimedEvent[]
}

/** What the stream generator decides, before it is resolved against a running manager. */
type Intent =
  | { readonly kind: 'schedule'; readonly specs: readonly SpecDraw[]; readonly message: boolean }
  | { readonly kind: 'startNext'; readonly pick: number }
  | { readonly kind: 'launch'; readonly pick: number }
  | {
      readonly kind: 'update'
      readonly pick: number
      readonly status: TaskStatus
      readonly exitCode: number
      readonly stale: boolean
      readonly container: boolean
    }
  | { readonly kind: 'timedOut'; readonly pick: number }
  | { readonly kind: 'timeoutsChecked' }
  | { readonly kind: 'starvationChecked' }
  | { readonly kind: 'nodeLost'; readonly node: number }
  | { readonly kind: 'executionsLost'; readonly picks: readonly number[]; readonly byExecutionId: boolean }
  | { readonly kind: 'jobsSynced'; readonly pick: number; readonly canceled: boolean; readonly extra: number }
  | { readonly kind: 'canceledOffQueue' }
  | { readonly kind: 'historyLoaded'; readonly count: number; readonly age: number }
  | { readonly kind: 'garbage'; readonly which: number }
  | { readonly kind: 'repeat' }

interface SpecDraw {
  readonly nodeId: number
  readonly jobTypeId: number
  readonly taskTypes: readonly TaskType[]
  readonly isSystem: boolean
  readonly isLongRunning: boolean
  readonly timeout: number
  readonly retry: boolean
}

const specDraw: fc.Arbitrary<SpecDraw> = fc.record({
  nodeId: fc.integer({ min: 1, max: 4 }),
  jobTypeId: fc.integer({ min: 1, max: 3 }),
  taskTypes: taskTypesArb,
  isSystem: fc.boolean(),
  isLongRunning: fc.boolean(),
  timeout: fc.constantFrom(5 * MINUTE, 60 * MINUTE),
  retry: fc.boolean(),
})

const pick = fc.nat(1000)

const lifecycleIntent: fc.Arbitrary<Intent> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('startNext' as const), pick }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('launch' as const), pick }) },
  {
    weight: 16,
    arbitrary: fc.record({
      kind: fc.constant('update' as const),
      pick,
      status: fc.oneof(
        { weight: 6, arbitrary: fc.constant<TaskStatus>('RUNNING') },
        { weight: 10, arbitrary: fc.constant<TaskStatus>('FINISHED') },
        { weight: 2, arbitrary: fc.constant<TaskStatus>('FAILED') },
        { weight: 1, arbitrary: fc.constant<TaskStatus>('KILLED') },
        { weight: 2, arbitrary: fc.constant<TaskStatus>('LOST') },
        { weight: 1, arbitrary: fc.constantFrom<TaskStatus>('STAGING', 'UNKNOWN') },
      ),
      exitCode: fc.integer({ min: 0, max: 4 }),
      stale: fc.boolean(),
      container: fc.boolean(),
    }),
  },
)

const intentArb = (hostile: boolean): fc.Arbitrary<Intent> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('schedule' as const),
        specs: fc.array(specDraw, { minLength: 1, maxLength: 3 }),
        message: fc.boolean(),
      }),
    },
    { weight: 40, arbitrary: lifecycleIntent },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('timedOut' as const), pick }) },
    { weight: 3, arbitrary: fc.constant({ kind: 'timeoutsChecked' as const }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'starvationChecked' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('nodeLost' as const), node: fc.integer({ min: 1, max: 5 }) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('executionsLost' as const),
        picks: fc.array(pick, { maxLength: 3 }),
        byExecutionId: fc.boolean(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('jobsSynced' as const),
        pick,
        canceled: fc.boolean(),
        extra: fc.integer({ min: 0, max: 1 }),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'canceledOffQueue' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('historyLoaded' as const),
        count: fc.integer({ min: 1, max: 3 }),
        age: fc.constantFrom(0, 60 * MINUTE, 179 * MINUTE, 200 * MINUTE),
      }),
    },
    { weight: hostile ? 3 : 0, arbitrary: fc.record({ kind: fc.constant('garbage' as const), which: fc.nat(6) }) },
    { weight: hostile ? 2 : 0, arbitrary: fc.constant({ kind: 'repeat' as const }) },
  )

const stepArb = (hostile: boolean): fc.Arbitrary<readonly [number, Intent]> =>
  fc.tuple(
    fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: 0, max: 2_000 }) },
      { weight: 3, arbitrary: fc.constantFrom(30_001, 2 * MINUTE + 1, 10 * MINUTE + 1, 5 * MINUTE) },
      { weight: 1, arbitrary: fc.constantFrom(60 * MINUTE, 3 * 60 * MINUTE + 1) },
      { weight: hostile ? 2 : 0, arbitrary: fc.integer({ min: -5 * MINUTE, max: -1 }) },
    ),
    intentArb(hostile),
  )

// `serial` numbers the records of a stream, so that two records are of two executions.
const finishedRecord = (
  nodeId: NodeId,
  jobTypeId: number,
  finished: Instant,
  which: number,
  serial: number,
): Execution.EndRecord => {
  const error = which % 3 === 0 ? undefined : which % 3 === 1 ? DATA_ERROR : Errors.BUILTIN['node-lost']
  return {
    id: -1 - serial,
    clusterId: `scale_job_fw_history${serial}x1`,
    jobId: 100_000 + which,
    exeNum: 1,
    jobTypeId,
    nodeId,
    status: error === undefined ? 'COMPLETED' : 'FAILED',
    error,
    queued: finished - MINUTE,
    started: finished - MINUTE,
    finished,
    taskResults: { version: '1.0', tasks: [] },
  }
}

interface Resolver {
  state: Manager.Manager
  now: Instant
  scheduled: Execution.Execution[]
  nextJobId: number
  nextRecord: number
  exeNums: Map<number, number>
  last: TimedEvent | undefined
}

// Mostly a running execution; one pick in five may name any scheduled one, finished or not.
const picked = (r: Resolver, n: number): Execution.Execution | undefined => {
  const running = Manager.runningExecutions(r.state)
  const pool = running.length > 0 && n % 5 !== 0 ? running : r.scheduled
  return pool.length === 0 ? undefined : pool[Math.floor(n / 5) % pool.length]
}

const currentOf = (r: Resolver, execution: Execution.Execution): Task.Task | undefined => {
  const live = Manager.runningExecution(r.state, execution.clusterId)
  return live === undefined ? undefined : Execution.currentTask(live)
}

const resolve = (r: Resolver, intent: Intent): Manager.ManagerEvent[] => {
  switch (intent.kind) {
    case 'schedule': {
      const executions = intent.specs.map((draw, i) => {
        // A retry is the next execution of an earlier job; cluster ids stay unique.
        const retryOf = draw.retry ? r.scheduled[(r.nextJobId + i) % Math.max(1, r.scheduled.length)] : undefined
        const jobId = retryOf?.jobId ?? r.nextJobId++
        const exeNum = (r.exeNums.get(jobId) ?? 0) + 1
        r.exeNums.set(jobId, exeNum)
        return Execution.create({
          id: r.scheduled.length + i + 1,
          clusterId: `scale_job_fw_${jobId}x${exeNum}`,
          jobId,
          exeNum,
          jobTypeId: draw.jobTypeId,
          nodeId: draw.nodeId,
          agentId: `agent-${draw.nodeId}`,
          queued: r.now,
          started: r.now,
          taskTypes: draw.taskTypes,
          jobType: {
            name: `type-${draw.jobTypeId}`,
            isSystem: draw.isSystem,
            isLongRunning: draw.isLongRunning,
            timeout: draw.timeout,
            errorMapping: ERROR_MAPPING,
          },
          exitCodeErrors: EXIT_CODE_ERRORS,
        })
      })
      r.scheduled.push(...executions)
      return [
        {
          type: 'Scheduled',
          executions,
          messages: intent.message ? [{ type: 'RunningJobs', n: executions.length }] : [],
        },
      ]
    }
    case 'startNext': {
      const x = picked(r, intent.pick)
      return x === undefined ? [] : [{ type: 'NextTaskStarted', clusterId: x.clusterId }]
    }
    case 'launch': {
      const x = picked(r, intent.pick)
      const task = x === undefined ? undefined : currentOf(r, x)
      return task === undefined ? [] : [{ type: 'TaskLaunched', taskId: task.id }]
    }
    case 'update': {
      const x = picked(r, intent.pick)
      if (x === undefined) return []
      const tasks = Execution.tasks(x)
      const task = currentOf(r, x) ?? tasks[intent.pick % tasks.length]
      if (task === undefined) return []
      const taskId = intent.stale && task.lostCount > 0 ? task.baseId : task.id
      const update: TaskUpdate = {
        taskId,
        agentId: x.agentId,
        status: intent.status,
        timestamp: r.now,
        ...(intent.status === 'FAILED' || intent.status === 'FINISHED' ? { exitCode: intent.exitCode } : {}),
        ...(intent.container && intent.status === 'RUNNING' ? { containerName: `ctr-${taskId}` } : {}),
        ...(intent.status === 'FAILED' && intent.exitCode === 4 ? { reason: 'REASON_EXECUTOR_TERMINATED' } : {}),
      }
      return [{ type: 'TaskUpdated', update }]
    }
    case 'timedOut': {
      const x = picked(r, intent.pick)
      const task = x === undefined ? undefined : currentOf(r, x)
      return task === undefined ? [] : [{ type: 'TaskTimedOut', taskId: task.id }]
    }
    case 'timeoutsChecked':
      return [{ type: 'TimeoutsChecked' }]
    case 'starvationChecked':
      return [{ type: 'StarvationChecked' }]
    case 'nodeLost':
      return [{ type: 'NodeLost', nodeId: intent.node }]
    case 'executionsLost':
      return [
        {
          type: 'ExecutionsLost',
          ids: intent.picks.flatMap((n) => {
            const x = picked(r, n)
            return x === undefined ? [] : [intent.byExecutionId ? x.id : x.clusterId]
          }),
        },
      ]
    case 'jobsSynced': {
      const x = picked(r, intent.pick)
      if (x === undefined) return []
      return [
        {
          type: 'JobsSynced',
          jobs: {
            [String(x.jobId)]: { status: intent.canceled ? 'CANCELED' : 'RUNNING', numExes: x.exeNum + intent.extra },
          },
        },
      ]
    }
    case 'canceledOffQueue': {
      const record = finishedRecord(1, 1, r.now, r.nextJobId, r.nextRecord++)
      return [{ type: 'CanceledOffQueue', records: [{ ...record, status: 'CANCELED', error: undefined }] }]
    }
    case 'historyLoaded':
      return [
        {
          type: 'HistoryLoaded',
          records: Array.from({ length: intent.count }, (_, i) =>
            finishedRecord((i % 4) + 1, (i % 3) + 1, r.now - intent.age, r.nextJobId + i, r.nextRecord++),
          ),
        },
      ]
    case 'garbage': {
      const garbage: Manager.ManagerEvent[] = [
        { type: 'TaskUpdated', update: { taskId: 'cleanup_task_7', status: 'RUNNING', timestamp: r.now } },
        { type: 'TaskUpdated', update: { taskId: 'scale_job_fw_999999x1_main', status: 'FINISHED', timestamp: r.now } },
        { type: 'NextTaskStarted', clusterId: 'scale_job_fw_nope' },
        { type: 'NodeLost', nodeId: 'no-such-node' },
        { type: 'ExecutionsLost', ids: [424242, 'scale_job_fw_0x0'] },
        { type: 'JobsSynced', jobs: { '999999': { status: 'CANCELED', numExes: 9 } } },
        { type: 'TaskLaunched', taskId: 'scale_job' },
      ]
      const event = garbage[intent.which % garbage.length]
      return event === undefined ? [] : [event]
    }
    case 'repeat':
      return r.last === undefined ? [] : [r.last.event]
  }
}

const streamArb = (hostile: boolean, maxLength: number): fc.Arbitrary<EventStream> =>
  fc.array(stepArb(hostile), { maxLength, size: 'max' }).map((steps) => {
    const r: Resolver = {
      state: Manager.create(BASE_INSTANT),
      now: BASE_INSTANT,
      scheduled: [],
      nextJobId: 1,
      nextRecord: 1,
      exeNums: new Map(),
      last: undefined,
    }
    const events: TimedEvent[] = []
    for (const [dt, intent] of steps) {
      r.now += dt
      for (const event of resolve(r, intent)) {
        const timed = { now: r.now, event }
        events.push(timed)
        r.last = timed
        r.state = Manager.reduce(r.state, event, r.now)
      }
    }
    return { start: BASE_INSTANT, events }
  })

/**
 * Streams of manager events that follow plausible lifecycles: scheduling,
 * starting, launching, updates of the current tasks (finishing, failing, being
 * killed and lost), timeouts and their checks, starvation checks, lost nodes and
 * executions, job syncs, canceled-off-queue records and history, with `now`
 * moving forward by small steps and by the thresholds' lengths.
 *
 * @category arbitraries
 * @since 0.1.0
 */
export const eventStream = (options?: { readonly maxLength?: number }): fc.Arbitrary<EventStream> =>
  streamArb(false, options?.maxLength ?? 150)

/**
 * Like {@link eventStream}, mixed with hostile input: repeated events, updates
 * for unknown and non-job task ids, events naming unknown executions, nodes and
 * jobs, and `now` going backwards.
 *
 * @category arbitraries
 * @since 0.1.0
 */
export const hostileEventStream = (options?: { readonly maxLength?: number }): fc.Arbitrary<EventStream> =>
  streamArb(true, options?.maxLength ?? 150)

// --- invariants -----------------------------------------------------------------

const recountRunning = (state: Manager.Manager): Metrics.Counts => {
  let counts: Metrics.Counts = Metrics.empty
  for (const execution of Manager.runningExecutions(state)) {
    counts = Metrics.increment(counts, [execution.nodeId, 'running', execution.jobTypeId], 1)
  }
  return counts
}

// Each structure of the state checks its own invariant; the indexes are also
// checked against the same running executions indexed afresh.
const structureProblems = (manager: Manager.Manager): string[] => {
  const state = toInternal(manager)
  const rebuilt = rebuild(state.settings, state.metrics.now, Manager.runningExecutions(manager))
  const isRunning = (id: string): boolean => Manager.runningExecution(manager, id) !== undefined
  return [
    ...brokenIndexes(state, rebuilt),
    ...Remembered.brokenInvariants(state.remembered, state.metrics.now, isRunning),
  ]
}

/**
 * The broken invariants of a manager's state, each as a sentence; empty when the
 * state is sound. Checks: running metrics equal a recount of the running set;
 * finished metrics equal the sum of the window's blocks, which are in the
 * window, ascending, and hold only positive counts; every status JSON total
 * equals the sum of its per-type counts; no running execution is finished, and
 * each is one an update can reach (its task ids give its cluster id back); every
 * index agrees with the running set; every tree is balanced and ordered; no
 * remembered (finished) cluster id is running, and each is in the group of its
 * block, in the window.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * import { checkInvariants } from 'job-execution-core/testing'
 * checkInvariants(Manager.create(0)) // []
 *
 * @category invariants
 * @since 0.1.0
 */
export const checkInvariants = (state: Manager.Manager): string[] => {
  const broken: string[] = []
  const metrics = Manager.metrics(state)
  if (!Metrics.equals(metrics.running, recountRunning(state))) {
    broken.push('running metrics differ from a recount of the running set')
  }
  const summed = metrics.blocks.reduce((sum, block) => Metrics.add(sum, block.counts), Metrics.empty)
  if (!Metrics.equals(metrics.finished, summed)) broken.push('finished metrics differ from the sum of their blocks')
  metrics.blocks.forEach((block, i) => {
    if (block.start % Metrics.BLOCK_LENGTH !== 0) broken.push(`block ${block.start} is not aligned to 5 minutes`)
    if (!Metrics.isBlockInWindow(block.start, metrics.now)) broken.push(`block ${block.start} has left the window`)
    const previous = metrics.blocks[i - 1]
    if (previous !== undefined && previous.start >= block.start) broken.push('blocks are not in ascending order')
    if (SM.size(block.counts) === 0) broken.push(`block ${block.start} is kept empty`)
  })
  for (const counts of [metrics.running, metrics.finished, ...metrics.blocks.map((b) => b.counts)]) {
    for (const [node, kind, jobType, n] of Metrics.toEntries(counts)) {
      if (!(n > 0)) broken.push(`count ${String(node)}/${kind}/${String(jobType)} is ${n}`)
    }
  }
  const nodes = new Set<NodeId>()
  for (const counts of [metrics.running, metrics.finished]) {
    for (const [node] of Metrics.toEntries(counts)) nodes.add(node)
  }
  for (const node of Manager.statusJson(state, [...nodes].sort(compareIds), metrics.now)) {
    const { running, completed, failed } = node.job_executions
    for (const [name, part] of [
      ['running', running],
      ['completed', completed],
      ['failed.algorithm', failed.algorithm],
      ['failed.data', failed.data],
      ['failed.system', failed.system],
    ] as const) {
      const sum = part.by_job_type.reduce((s, row) => s + row.count, 0)
      if (sum !== part.total) broken.push(`node ${String(node.id)} ${name} total ${part.total} is not ${sum}`)
      if (part.by_job_type.some((row) => !(row.count > 0))) broken.push(`node ${String(node.id)} ${name} lists a zero`)
    }
    if (failed.total !== failed.algorithm.total + failed.data.total + failed.system.total) {
      broken.push(`node ${String(node.id)} failed total is not the sum of its categories`)
    }
  }
  for (const execution of Manager.runningExecutions(state)) {
    const id = execution.clusterId
    if (Execution.isFinished(execution)) broken.push(`${id} is finished but still running`)
    // Every running execution is one the reducers accept (as Scheduled checks it).
    else if (!isRunningExecution(execution)) broken.push(`${id} is not an execution Scheduled accepts`)
    // Scheduled refuses what no update could reach (an ExecutionRefused instead).
    else if (unroutableReason(execution.clusterId, execution.tasksSoFar) !== undefined)
      broken.push(`${id} is running but no update could reach it`)
  }
  broken.push(...structureProblems(state))
  return broken
}

/**
 * The deadline of a manager as an instant or `undefined`, for assertions.
 *
 * @category invariants
 * @since 0.1.0
 */
export const deadlineOf = (state: Manager.Manager): Instant | undefined =>
  O.getOrElseW(() => undefined)(Manager.nextDeadline(state))

// --- Kubernetes pods ---------------------------------------------------------------

const rfc3339 = (ms: number, fraction: boolean): string => {
  const iso = new Date(ms).toISOString()
  return fraction ? iso : `${iso.slice(0, 19)}Z`
}

const podInstant: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: BASE_INSTANT, max: BASE_INSTANT + 240 * MINUTE }), fc.boolean())
  .map(([ms, fraction]) => rfc3339(ms, fraction))

const terminatedState: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    exitCode: fc.oneof(fc.constantFrom(0, 1, 2, 137, 143), fc.integer({ min: -9, max: 255 })),
    reason: fc.constantFrom('Completed', 'Error', 'OOMKilled', 'ContainerStatusUnknown'),
    message: fc.constantFrom('out of input', 'The container could not be located when the pod was terminated'),
    startedAt: podInstant,
    finishedAt: podInstant,
    containerID: fc.stringMatching(/^[0-9a-f]{8,16}$/).map((hex) => `containerd://${hex}`),
  },
  { requiredKeys: ['exitCode'] },
)

const containerState: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constant({}),
  fc
    .record(
      {
        reason: fc.constantFrom(
          'ContainerCreating',
          'ErrImagePull',
          'ImagePullBackOff',
          'CrashLoopBackOff',
          'PodInitializing',
        ),
        message: fc.constantFrom(
          'Back-off pulling image "scale/ingest:1.0"',
          'back-off 10s restarting failed container',
        ),
      },
      { requiredKeys: [] },
    )
    .map((waiting) => ({ waiting })),
  fc.record({ startedAt: podInstant }, { requiredKeys: [] }).map((running) => ({ running })),
  terminatedState.map((terminated) => ({ terminated })),
)

const podContainerStatus = (name: string): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(
    {
      name: fc.constant(name),
      state: containerState,
      lastState: containerState,
      ready: fc.boolean(),
      restartCount: fc.nat({ max: 9 }),
      image: fc.constant(`registry.example.com/scale/${name}:1.0`),
      started: fc.boolean(),
      containerID: fc.stringMatching(/^[0-9a-f]{8,16}$/).map((hex) => `containerd://${hex}`),
    },
    { requiredKeys: ['name', 'state', 'ready', 'restartCount', 'image'] },
  )

const podCondition: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    type: fc.constantFrom('PodScheduled', 'Initialized', 'Ready', 'ContainersReady', 'DisruptionTarget'),
    status: fc.constantFrom('True', 'False', 'Unknown'),
    lastProbeTime: fc.constant(null),
    lastTransitionTime: podInstant,
    reason: fc.constantFrom(
      'Unschedulable',
      'PodCompleted',
      'TerminationByKubelet',
      'DeletionByTaintManager',
      'PreemptionByScheduler',
    ),
    message: fc.constantFrom(
      '0/3 nodes are available: 3 Insufficient cpu.',
      'Taint manager: deleting due to NoExecute taint',
    ),
  },
  { requiredKeys: ['type', 'status', 'lastTransitionTime'] },
)

/**
 * Well-formed Kubernetes core/v1 `Pod` JSON running one of the given tasks,
 * as the API server returns it: a bare pod (with or without `kind`, as in a
 * list) or a watch event `{ type, object }`, in any phase, with sidecars,
 * init containers, conditions, deletion and the fields a real pod carries
 * beyond those `TaskUpdate.fromKubernetesPod` reads. Every one decodes.
 *
 * @example
 * import fc from 'fast-check'
 * import * as E from 'fp-ts/Either'
 * import { TaskUpdate } from 'job-execution-core'
 * import { kubernetesPod } from 'job-execution-core/testing'
 * fc.assert(fc.property(kubernetesPod(['scale_job_fw1_1x1_main']), (pod) =>
 *   E.isRight(TaskUpdate.fromKubernetesPod(pod))))
 *
 * @category arbitraries
 * @since 0.2.0
 */
export const kubernetesPod = (taskIds: readonly string[]): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      taskId: fc.constantFrom(...taskIds),
      idIn: fc.constantFrom('annotation', 'label', 'both'),
      phase: fc.constantFrom('Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'),
      reason: fc.option(fc.constantFrom('Evicted', 'Terminated', 'NodeShutdown', 'UnexpectedAdmissionError'), {
        nil: undefined,
      }),
      node: fc.option(fc.constantFrom('node-1', 'node-2', 'node-3'), { nil: undefined }),
      sidecar: fc.boolean(),
      main: podContainerStatus('main'),
      proxy: podContainerStatus('istio-proxy'),
      init: fc.option(podContainerStatus('fetch-inputs'), { nil: undefined }),
      conditions: fc.array(podCondition, { maxLength: 5 }),
      startTime: fc.option(podInstant, { nil: undefined }),
      creation: podInstant,
      deletion: fc.option(podInstant, { nil: undefined }),
      watch: fc.option(fc.constantFrom('ADDED', 'MODIFIED', 'DELETED'), { nil: undefined }),
      withKind: fc.boolean(),
    })
    .map((p) => {
      const annotations: Record<string, string> = { 'kubectl.kubernetes.io/default-container': 'main' }
      const labels: Record<string, string> = { 'app.kubernetes.io/managed-by': 'scale' }
      if (p.idIn !== 'label') annotations['job-execution-core/task-id'] = p.taskId
      if (p.idIn !== 'annotation') labels['job-execution-core/task-id'] = p.taskId
      const containers = [
        ...(p.sidecar ? [{ name: 'istio-proxy', image: 'istio/proxyv2:1.22.0' }] : []),
        { name: 'main', image: 'registry.example.com/scale/main:1.0' },
      ]
      const pod: Record<string, unknown> = {
        ...(p.withKind ? { kind: 'Pod', apiVersion: 'v1' } : {}),
        metadata: {
          name: p.taskId.replace(/_/g, '-').toLowerCase(),
          namespace: 'scale',
          uid: '5b8e4c1a-9c1f-4f7e-8f3d-2a6b1c0d9e11',
          resourceVersion: '1844',
          creationTimestamp: p.creation,
          labels,
          annotations,
          ...(p.deletion !== undefined ? { deletionTimestamp: p.deletion, deletionGracePeriodSeconds: 30 } : {}),
        },
        spec: {
          containers,
          ...(p.init !== undefined ? { initContainers: [{ name: 'fetch-inputs', image: 'scale/fetch:1.0' }] } : {}),
          ...(p.node !== undefined ? { nodeName: p.node } : {}),
          restartPolicy: 'Never',
          schedulerName: 'default-scheduler',
        },
        status: {
          phase: p.phase,
          ...(p.reason !== undefined ? { reason: p.reason, message: `pod ${p.reason}` } : {}),
          conditions: p.conditions,
          ...(p.startTime !== undefined ? { startTime: p.startTime } : {}),
          hostIP: '10.0.3.17',
          qosClass: 'Burstable',
          ...(p.init !== undefined ? { initContainerStatuses: [p.init] } : {}),
          containerStatuses: p.sidecar ? [p.proxy, p.main] : [p.main],
        },
      }
      return p.watch === undefined ? pod : { type: p.watch, object: pod }
    })

/**
 * Malformed Pod JSON: not a pod at all, a watch event of another type
 * (`BOOKMARK`, `ERROR`), a pod without `metadata`, `status`, a task id or
 * any instant, or a field that `TaskUpdate.fromKubernetesPod` reads with the
 * wrong type (a phase that is a number, conditions that are not a list, an
 * exit code that is not an integer, an instant that is not RFC 3339).
 * `TaskUpdate.fromKubernetesPod` must refuse every one, naming a path, without
 * throwing.
 *
 * @category arbitraries
 * @since 0.2.0
 */
export const malformedKubernetesPod = (taskIds: readonly string[]): fc.Arbitrary<unknown> => {
  const bare = kubernetesPod(taskIds).map((pod) =>
    'object' in pod && typeof pod.object === 'object' && pod.object !== null
      ? (pod.object as Record<string, unknown>)
      : pod,
  )
  const edit = (
    pod: Record<string, unknown>,
    part: 'metadata' | 'status',
    change: (fields: Record<string, unknown>) => Record<string, unknown>,
  ): Record<string, unknown> => ({ ...pod, [part]: change({ ...(pod[part] as Record<string, unknown>) }) })
  const drop = (fields: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> =>
    Object.fromEntries(Object.entries(fields).filter(([k]) => !keys.includes(k)))
  const notAnObject = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string(), fc.constant([]))
  return fc.oneof(
    fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
    bare.map((pod) => drop(pod, ['status'])),
    bare.map((pod) => drop(pod, ['metadata'])),
    fc.tuple(bare, notAnObject).map(([pod, bad]) => ({ ...pod, status: bad })),
    bare.map((pod) => ({ ...pod, kind: 'Service' })),
    fc.tuple(bare, fc.constantFrom('BOOKMARK', 'ERROR', 'modified', 7)).map(([pod, type]) => ({ type, object: pod })),
    fc.constant({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410 } }),
    bare.map((pod) =>
      edit(pod, 'metadata', (m) => ({ ...drop(m, ['name', 'labels', 'annotations']), annotations: { other: 'x' } })),
    ),
    bare.map((pod) => {
      const noTimes = edit(pod, 'metadata', (m) => drop(m, ['creationTimestamp']))
      return { ...noTimes, status: { phase: 'Pending' } }
    }),
    fc
      .tuple(bare, fc.oneof(fc.integer(), fc.boolean(), fc.constant({})))
      .map(([pod, bad]) => edit(pod, 'status', (s) => ({ ...s, phase: bad }))),
    fc
      .tuple(bare, fc.oneof(fc.string(), fc.integer(), fc.constant({})))
      .map(([pod, bad]) => edit(pod, 'status', (s) => ({ ...s, conditions: bad }))),
    fc
      .tuple(bare, fc.constantFrom('yesterday', '2024-13-01T00:00:00Z', '2024-02-30T00:00:00Z', '1714564800'))
      .map(([pod, bad]) => edit(pod, 'status', (s) => ({ ...s, startTime: bad }))),
    fc.tuple(bare, fc.constantFrom(1.5, '0', 2 ** 60, Number.NaN)).map(([pod, bad]) =>
      edit(pod, 'status', (s) => ({
        ...drop(s, ['initContainerStatuses']),
        containerStatuses: [
          { name: 'main', state: { terminated: { exitCode: bad, startedAt: '2026-01-01T00:00:00Z' } } },
        ],
      })),
    ),
  )
}
