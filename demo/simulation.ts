/**
 * A simulated cluster on a virtual clock, driving the real `Manager` exactly as
 * a host scheduler would.
 *
 * Two actors share one priority queue of pending happenings, keyed by virtual
 * time (integer milliseconds) with ties broken by insertion order:
 *
 * - the **host scheduler** schedules executions in waves onto nodes with free
 *   slots, starts and launches their next tasks when resources are offered,
 *   syncs job statuses (cancellations, a re-queue), sleeps until
 *   `Manager.nextDeadline` to check timeouts and starvation, kills what
 *   `Manager.tasksToKill` names, asks the cluster about what
 *   `Manager.tasksToReconcile` names, and drains the outbox;
 * - the **cluster** (a toy Mesos) runs the launched tasks and answers with Mesos
 *   v1 `TaskStatus` JSON, which the host decodes with `TaskUpdate.fromMesos`;
 *   with `cluster: 'kubernetes'` it speaks pods instead (`kubernetes.ts`),
 *   which the host decodes with `TaskUpdate.fromKubernetesPod`.
 *
 * Every event the host sends to the manager also goes to the `sink`, in the
 * event-log form of the spec (section 12), so that a replay of the log
 * reproduces the final state. The same seed gives the same everything.
 */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { Errors, EventLog, Execution, Ids, Manager, TaskUpdate, type Task } from '../src/index'
import { podCluster, type ClusterKind } from './kubernetes'
import { createRandom, type Random } from './random'

// --- public types ----------------------------------------------------------------

/** The size and seed of a simulation. */
export interface SimulationOptions {
  readonly nodes: number
  readonly jobs: number
  readonly seed: number
  /** The cluster manager the simulated cluster speaks as (default `mesos`; `kubernetes`: pods, see kubernetes.ts). */
  readonly cluster?: ClusterKind | undefined
}

/** The built-in default workload. */
export const DEFAULT_OPTIONS: SimulationOptions = { nodes: 20, jobs: 2000, seed: 42 }

/** The Mesos task states the simulated cluster sends. */
export type MesosState =
  'TASK_STAGING' | 'TASK_STARTING' | 'TASK_RUNNING' | 'TASK_FINISHED' | 'TASK_FAILED' | 'TASK_KILLED' | 'TASK_LOST'

/** A Mesos v1 `TaskStatus`, as the simulated cluster sends it (JSON). */
export interface MesosTaskStatusJson {
  readonly task_id: { readonly value: string }
  readonly agent_id?: { readonly value: string }
  readonly state: MesosState
  /** Float seconds since the epoch. */
  readonly timestamp: number
  readonly message?: string
  readonly source?: 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR'
  readonly reason?: string
  /** Base64 of the container runtime's inspect JSON (docker tasks, on TASK_RUNNING). */
  readonly data?: string
  /** Carried by real statuses, ignored by the library. */
  readonly uuid?: string
}

/**
 * One event of the event log (spec section 12): a manager event, or a task
 * update as the raw Mesos status it arrived as, so that a replay decodes it again.
 */
export type LogEvent = EventLog.LoggedEvent

/** Receives every event sent to the manager, with its virtual `now`. */
export type Sink = (now: number, event: LogEvent) => void

/** Called as executions finish: how many have, out of how many there are so far. */
export type OnProgress = (done: number, total: number) => void

/** What the end records (from the drained `JobExeEnd` messages) say. */
export interface EndSummary {
  /** Number of end records. */
  readonly records: number
  /** End records by execution status (`COMPLETED`, `FAILED`, `CANCELED`). */
  readonly byStatus: Readonly<Record<string, number>>
  /** Failed end records by error name. */
  readonly byError: Readonly<Record<string, number>>
  /** Failed end records by error category. */
  readonly byCategory: Readonly<Record<string, number>>
  /** Ids of tasks that finished after having been lost (`..._lost-N`), from the task results. */
  readonly finishedRetriedTasks: readonly string[]
}

/** What a simulation ends with. */
export interface SimulationResult {
  /** The virtual instant of the last event sent to the manager. */
  readonly finalNow: number
  /** The virtual instant the simulation started at. */
  readonly startNow: number
  /** The final manager state. */
  readonly state: Manager.Manager
  /** All node ids, ascending. */
  readonly nodeIds: readonly number[]
  /** `Manager.statusJson` for all node ids at `finalNow`. */
  readonly statusJson: ReturnType<typeof Manager.statusJson>
  /** Drained messages by type (the host's `RunningJobs`, and `JobExeEnd`, `CompletedJobs`, `FailedJobs`). */
  readonly messageCounts: Readonly<Record<string, number>>
  /** Events logged (sent to the manager, plus task updates refused by the decoder). */
  readonly events: number
  /** Raw task updates `TaskUpdate.fromMesos` (or `fromKubernetesPod`) refused. */
  readonly rejected: number
  /** Wall-clock milliseconds the simulation took (the only non-deterministic figure). */
  readonly elapsedMs: number
  /** Executions scheduled (jobs plus re-queued ones). */
  readonly executions: number
  /** What the end records say. */
  readonly ends: EndSummary
  /** False when the simulation stopped at its virtual time limit with work left. */
  readonly complete: boolean
}

// --- a binary heap keyed by virtual time -------------------------------------------

interface Entry<A> {
  readonly time: number
  readonly seq: number
  readonly value: A
}

/** A min-heap of values by time, ties broken by insertion order. */
export class TimeQueue<A> {
  private readonly items: Entry<A>[] = []
  private seq = 0

  get size(): number {
    return this.items.length
  }

  push(time: number, value: A): void {
    const items = this.items
    const entry: Entry<A> = { time, seq: this.seq++, value }
    let i = items.length
    items.push(entry)
    while (i > 0) {
      const parentIndex = (i - 1) >> 1
      const parent = items[parentIndex]
      if (parent === undefined || !before(entry, parent)) break
      items[i] = parent
      i = parentIndex
    }
    items[i] = entry
  }

  pop(): Entry<A> | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined || items.length === 0) return top
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      const left = items[l]
      const right = items[r]
      if (left === undefined) break
      const child = right !== undefined && before(right, left) ? r : l
      const smaller = child === r ? right : left
      if (smaller === undefined || !before(smaller, last)) break
      items[i] = smaller
      i = child
    }
    items[i] = last
    return top
  }
}

const before = <A>(a: Entry<A>, b: Entry<A>): boolean => a.time < b.time || (a.time === b.time && a.seq < b.seq)

// --- the workload ------------------------------------------------------------------

const SECOND = 1000
const MINUTE = 60 * SECOND

const START = Date.UTC(2026, 0, 1)
const FRAMEWORK_ID = 'demo'

/** How often the host schedules a wave (and drains the outbox). */
const WAVE_INTERVAL = 20 * SECOND
/** How long the host waits before looking again when a deadline has passed but answers are pending. */
const RECHECK_DELAY = 5 * SECOND
/** The simulation gives up after this much virtual time. */
const MAX_VIRTUAL_TIME = 30 * 24 * 60 * MINUTE

// System exit codes (the registry for pre, post and system main tasks): Scale's own.
const EXIT_CODE_ERRORS: Errors.ExitCodeErrors = Errors.SCALE_EXIT_CODES

// Exit codes of non-system main tasks, mapped per job type.
const DATA_CODE = 1
const ALGORITHM_CODE = 2
const UNMAPPED_CODE = 139

type TaskType = Task.TaskType

interface DemoJobType {
  readonly id: number
  readonly name: string
  readonly title: string
  readonly isSystem: boolean
  readonly timeout: number
  readonly taskTypes: readonly TaskType[]
  readonly mainRun: readonly [number, number]
  readonly weight: number
  readonly errorMapping?: Errors.ExitCodeErrors
}

const mapping = (name: string, title: string): Errors.ExitCodeErrors => ({
  [DATA_CODE]: { name: `${name}-bad-input`, category: 'DATA', title: `${title}: invalid input data` },
  [ALGORITHM_CODE]: { name: `${name}-crashed`, category: 'ALGORITHM', title: `${title}: algorithm crashed` },
})

const ALL_TASKS: readonly TaskType[] = ['pull', 'pre', 'main', 'post']

const JOB_TYPES: readonly [DemoJobType, ...DemoJobType[]] = [
  {
    id: 1,
    name: 'ingest-scene',
    title: 'Ingest scene',
    isSystem: false,
    timeout: 20 * MINUTE,
    taskTypes: ALL_TASKS,
    mainRun: [20 * SECOND, 3 * MINUTE],
    weight: 30,
    errorMapping: mapping('ingest-scene', 'Ingest scene'),
  },
  {
    id: 2,
    name: 'detect-ships',
    title: 'Detect ships',
    isSystem: false,
    timeout: 30 * MINUTE,
    taskTypes: ALL_TASKS,
    mainRun: [1 * MINUTE, 6 * MINUTE],
    weight: 25,
    errorMapping: mapping('detect-ships', 'Detect ships'),
  },
  {
    id: 3,
    name: 'classify-landcover',
    title: 'Classify land cover',
    isSystem: false,
    timeout: 25 * MINUTE,
    taskTypes: ALL_TASKS,
    mainRun: [1 * MINUTE, 5 * MINUTE],
    weight: 20,
    errorMapping: mapping('classify-landcover', 'Classify land cover'),
  },
  {
    id: 4,
    name: 'tile-mosaic',
    title: 'Tile mosaic',
    isSystem: false,
    timeout: 40 * MINUTE,
    taskTypes: ['pull', 'main', 'post'],
    mainRun: [2 * MINUTE, 8 * MINUTE],
    weight: 15,
    errorMapping: mapping('tile-mosaic', 'Tile mosaic'),
  },
  {
    id: 5,
    name: 'scale-purge',
    title: 'Purge products (system)',
    isSystem: true,
    timeout: 15 * MINUTE,
    taskTypes: ['main'],
    mainRun: [5 * SECOND, 1 * MINUTE],
    weight: 10,
  },
]

const USER_TYPES = JOB_TYPES.filter((t) => !t.isSystem)
const SYSTEM_TYPES = JOB_TYPES.filter((t) => t.isSystem)

/** How a task behaves in the cluster. */
type Behavior =
  | { readonly kind: 'finish' }
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'launch-failure' }
  | { readonly kind: 'terminated' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'stuck' }
  | { readonly kind: 'lose' }

const FINISH: Behavior = { kind: 'finish' }

type PlanLabel = 'complete' | 'algorithm' | 'data' | 'system' | 'hang' | 'stuck' | 'lose' | 'starve'

/** What an execution is fated to do: which of its tasks misbehaves, and how. */
interface Plan {
  readonly label: PlanLabel
  readonly taskType?: TaskType
  readonly behavior: Behavior
}

const COMPLETE: Plan = { label: 'complete', behavior: FINISH }

interface QueuedJob {
  readonly jobId: number
  readonly exeNum: number
  readonly jobType: DemoJobType
  readonly plan: Plan
  readonly queued: number
  readonly priority: number
}

const pickWeighted = (random: Random, types: readonly [DemoJobType, ...DemoJobType[]]): DemoJobType => {
  const total = types.reduce((sum, t) => sum + t.weight, 0)
  let r = random.next() * total
  for (const t of types) {
    r -= t.weight
    if (r < 0) return t
  }
  return types[0]
}

const nonEmpty = <A>(items: readonly A[], fallback: readonly [A, ...A[]]): readonly [A, ...A[]] => {
  const [first, ...rest] = items
  return first === undefined ? fallback : [first, ...rest]
}

const userTypes = nonEmpty(USER_TYPES, JOB_TYPES)
const systemTypes = nonEmpty(SYSTEM_TYPES, JOB_TYPES)

// A random plan for an ordinary job: mostly completions, some failures of each category.
const ordinaryPlan = (random: Random, jobType: DemoJobType): Plan => {
  const r = random.next()
  const has = (type: TaskType): boolean => jobType.taskTypes.includes(type)
  if (jobType.isSystem) {
    if (r < 0.9) return COMPLETE
    return random.chance(0.7)
      ? { label: 'system', taskType: 'main', behavior: { kind: 'exit', code: random.pick([3, 4, 5] as const) } }
      : { label: 'system', taskType: 'main', behavior: { kind: 'launch-failure' } }
  }
  if (r < 0.84) return COMPLETE
  if (r < 0.88) {
    const code = random.chance(0.7) ? ALGORITHM_CODE : UNMAPPED_CODE
    return { label: 'algorithm', taskType: 'main', behavior: { kind: 'exit', code } }
  }
  if (r < 0.92) return { label: 'data', taskType: 'main', behavior: { kind: 'exit', code: DATA_CODE } }
  const options: Plan[] = [{ label: 'system', taskType: 'main', behavior: { kind: 'launch-failure' } }]
  if (has('pull')) options.push({ label: 'system', taskType: 'pull', behavior: { kind: 'exit', code: 1 } })
  if (has('pre')) options.push({ label: 'system', taskType: 'pre', behavior: { kind: 'exit', code: 3 } })
  if (has('post')) {
    options.push({ label: 'system', taskType: 'post', behavior: { kind: 'exit', code: random.pick([4, 6] as const) } })
    options.push({ label: 'system', taskType: 'post', behavior: { kind: 'terminated' } })
  }
  return random.pickFrom(options) ?? COMPLETE
}

// The jobs, in queue order: ordinary ones, and at chosen places the special
// ones the demo must show (hanging main tasks, a task stuck in staging, a lost
// and retried task, a starved execution).
const makeJobs = (random: Random, count: number): QueuedJob[] => {
  const hangs = Math.max(1, Math.round(count / 700))
  const specials: Array<{ readonly plan: Plan; readonly system: boolean }> = []
  for (let i = 0; i < hangs; i++) {
    specials.push({ plan: { label: 'hang', taskType: 'main', behavior: { kind: 'hang' } }, system: i === 1 })
  }
  specials.push({ plan: { label: 'lose', taskType: 'main', behavior: { kind: 'lose' } }, system: false })
  specials.push({ plan: { label: 'starve', behavior: FINISH }, system: false })
  specials.push({ plan: { label: 'stuck', taskType: 'main', behavior: { kind: 'stuck' } }, system: false })
  const early = Math.max(1, Math.floor(count * 0.6))
  const places = random.sample(
    Array.from({ length: Math.min(early, count) }, (_, i) => i),
    specials.length,
  )
  const specialAt = new Map<number, { readonly plan: Plan; readonly system: boolean }>()
  places.forEach((place, i) => {
    const special = specials[i]
    if (special !== undefined) specialAt.set(place, special)
  })
  const jobs: QueuedJob[] = []
  for (let i = 0; i < count; i++) {
    const special = specialAt.get(i)
    const jobType =
      special === undefined
        ? pickWeighted(random, JOB_TYPES)
        : special.system
          ? random.pick(systemTypes)
          : pickWeighted(random, userTypes)
    const plan = special === undefined ? ordinaryPlan(random, jobType) : special.plan
    jobs.push({ jobId: i + 1, exeNum: 1, jobType, plan, queued: START, priority: random.int(1, 100) })
  }
  return jobs
}

// --- the cluster's view of tasks ------------------------------------------------------

type ClusterTaskState = 'staging' | 'starting' | 'running' | 'done' | 'gone'

interface ClusterTask {
  readonly taskId: string
  readonly nodeId: number
  readonly agentId: string
  readonly docker: boolean
  readonly behavior: Behavior
  readonly duration: number
  state: ClusterTaskState
  /** The terminal status, once produced, for reconciliation answers. */
  terminal?: StatusFields
}

/** What a status says, apart from the task, agent and time. */
type StatusFields = Omit<MesosTaskStatusJson, 'task_id' | 'agent_id' | 'timestamp'>

interface Node {
  readonly id: number
  readonly agentId: string
  readonly slots: number
  used: number
  up: boolean
}

type Happening =
  | { readonly kind: 'wave' }
  | { readonly kind: 'wake' }
  | { readonly kind: 'offer'; readonly clusterId: string }
  | { readonly kind: 'step'; readonly taskId: string; readonly step: 'starting' | 'running' | 'end' }
  | { readonly kind: 'deliver'; readonly status: MesosTaskStatusJson }
  | { readonly kind: 'kill'; readonly taskId: string }
  | { readonly kind: 'reconcile'; readonly taskId: string }
  | { readonly kind: 'nodeLost' }
  | { readonly kind: 'nodeBack'; readonly nodeId: number }
  | { readonly kind: 'sync'; readonly round: 1 | 2 }

const SCENARIO = {
  firstSync: 6 * MINUTE,
  nodeLost: 20 * MINUTE,
  nodeDownFor: 10 * MINUTE,
  secondSync: 25 * MINUTE,
}

const increment = (counts: Record<string, number>, key: string, by = 1): void => {
  counts[key] = (counts[key] ?? 0) + by
}

const sortedRecord = (counts: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

const inspectData = (containerName: string): string =>
  btoa(
    JSON.stringify([
      { Config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin', `MESOS_CONTAINER_NAME=${containerName}`] } },
    ]),
  )

// --- the simulation ------------------------------------------------------------------

/**
 * Runs the simulation. Pure in its result (the same options give the same
 * result, apart from `elapsedMs`); `sink` gets every event sent to the
 * manager, `onProgress` the number of finished executions as they drain.
 */
export const simulate = (options: SimulationOptions, sink?: Sink, onProgress?: OnProgress): SimulationResult => {
  const wallStart = performance.now()
  const random = createRandom(options.seed)
  const nodeCount = Math.max(1, Math.floor(options.nodes))
  const jobCount = Math.max(0, Math.floor(options.jobs))

  const nodes: Node[] = Array.from({ length: nodeCount }, (_, i) => ({
    id: i + 1,
    agentId: `demo-agent-S${i + 1}`,
    slots: random.int(4, 10),
    used: 0,
    up: true,
  }))
  const nodeById = new Map(nodes.map((n) => [n.id, n]))
  const queue = makeJobs(random, jobCount)
  let queueHead = 0
  const urgent: QueuedJob[] = []
  const plans = new Map<string, Plan>()

  const heap = new TimeQueue<Happening>()
  const cluster = new Map<string, ClusterTask>()
  const pendingOffers = new Set<string>()
  const killsSent = new Set<string>()
  const reconcilesSent = new Set<string>()

  let now = START
  let lastEventAt = START
  let state = Manager.create(START)
  let events = 0
  let rejected = 0
  let nextExecutionId = 1
  let executions = 0
  let done = 0
  let wakeAt: number | undefined
  let lastWokeAt = -Infinity
  let finished = false

  let messageCounts: Record<string, number> = {}
  const seenNodes = new Set<number>()
  const byStatus: Record<string, number> = {}
  const byError: Record<string, number> = {}
  const byCategory: Record<string, number> = {}
  const finishedRetriedTasks: string[] = []

  const at = (delay: number, happening: Happening): void => heap.push(now + delay, happening)
  // With --cluster kubernetes, what the cluster says arrives as pods on a watch.
  const pods = options.cluster === 'kubernetes' ? podCluster() : undefined

  // -- talking to the manager --

  const send = (event: Manager.ManagerEvent): void => {
    sink?.(now, event)
    events++
    lastEventAt = now
    for (const node of EventLog.nodesOf(event)) seenNodes.add(Number(node))
    state = Manager.reduce(state, event, now)
  }

  const receive = (status: MesosTaskStatusJson): void => {
    const pod = pods?.(status)
    sink?.(
      now,
      pod === undefined
        ? { type: 'TaskUpdated', update: { type: 'MesosStatus', status } }
        : { type: 'TaskUpdated', update: { type: 'KubernetesPod', pod } },
    )
    events++
    lastEventAt = now
    const decoded = pod === undefined ? TaskUpdate.fromMesos(status) : TaskUpdate.fromKubernetesPod(pod)
    if (E.isLeft(decoded)) {
      rejected++
      return
    }
    const update = decoded.right
    state = Manager.reduce(state, { type: 'TaskUpdated', update }, now)
    reconcilesSent.delete(update.taskId)
    // The cluster forgets a task once its end has been heard.
    const task = cluster.get(update.taskId)
    if (task !== undefined && !isLive(task) && (TaskUpdate.isTerminal(update.status) || update.status === 'LOST')) {
      cluster.delete(update.taskId)
    }
    const clusterId = Ids.clusterIdOfTask(update.taskId)
    if (clusterId !== undefined) offerWhenReady(clusterId)
  }

  // The next task of an execution gets resources a little later, unless the
  // execution is the one that starves.
  const offerWhenReady = (clusterId: string): void => {
    const execution = Manager.runningExecution(state, clusterId)
    if (execution === undefined || !Execution.isNextTaskReady(execution)) return
    if (pendingOffers.has(clusterId) || plans.get(clusterId)?.label === 'starve') return
    pendingOffers.add(clusterId)
    at(random.int(200, 3 * SECOND), { kind: 'offer', clusterId })
  }

  // NextTaskStarted and TaskLaunched go together, at the same instant, as a
  // host does when it hands the task to the cluster at once. (An execution
  // canceled or lost between the two keeps its current task: launched later,
  // it needs a kill; never launched, TimeoutsChecked finishes the execution.)
  const startNextTask = (clusterId: string): void => {
    send({ type: 'NextTaskStarted', clusterId })
    const execution = Manager.runningExecution(state, clusterId)
    const task = execution === undefined ? undefined : Execution.currentTask(execution)
    if (execution === undefined || task === undefined) return
    send({ type: 'TaskLaunched', taskId: task.id })
    launch(execution, task)
  }

  // -- the cluster --

  const status = (task: ClusterTask, fields: StatusFields): MesosTaskStatusJson => ({
    task_id: { value: task.taskId },
    agent_id: { value: task.agentId },
    timestamp: now / 1000,
    ...fields,
    uuid: random.hex(16),
  })

  const emit = (message: MesosTaskStatusJson): void => at(random.int(5, 60), { kind: 'deliver', status: message })

  const taskDuration = (type: TaskType, jobType: DemoJobType): number => {
    switch (type) {
      case 'pull':
        return random.int(3 * SECOND, 25 * SECOND)
      case 'pre':
        return random.int(2 * SECOND, 15 * SECOND)
      case 'main':
        return random.int(jobType.mainRun[0], jobType.mainRun[1])
      case 'post':
        return random.int(2 * SECOND, 12 * SECOND)
    }
  }

  const jobTypeById = new Map(JOB_TYPES.map((t) => [t.id, t]))

  const launch = (execution: Execution.Execution, task: Task.Task): void => {
    const plan = plans.get(execution.clusterId) ?? COMPLETE
    const misbehaves = plan.taskType === task.type && !(plan.behavior.kind === 'lose' && task.lostCount > 0)
    const behavior = misbehaves ? plan.behavior : FINISH
    const jobType = jobTypeById.get(execution.jobTypeId) ?? JOB_TYPES[0]
    const node = nodeById.get(Number(execution.nodeId))
    const clusterTask: ClusterTask = {
      taskId: task.id,
      nodeId: Number(execution.nodeId),
      agentId: node?.agentId ?? execution.agentId,
      docker: task.config.usesDocker,
      behavior,
      duration: taskDuration(task.type, jobType),
      state: 'staging',
    }
    cluster.set(task.id, clusterTask)
    if (behavior.kind === 'launch-failure') {
      at(random.int(1 * SECOND, 5 * SECOND), { kind: 'step', taskId: task.id, step: 'end' })
    } else if (clusterTask.docker) {
      at(random.int(200, 1500), { kind: 'step', taskId: task.id, step: 'starting' })
    } else {
      at(random.int(300, 2 * SECOND), { kind: 'step', taskId: task.id, step: 'running' })
    }
  }

  const isLive = (task: ClusterTask): boolean =>
    task.state === 'staging' || task.state === 'starting' || task.state === 'running'

  const end = (task: ClusterTask, terminal: StatusFields): void => {
    task.state = 'done'
    task.terminal = terminal
    emit(status(task, terminal))
  }

  const step = (taskId: string, which: 'starting' | 'running' | 'end'): void => {
    const task = cluster.get(taskId)
    if (task === undefined || !isLive(task)) return
    switch (which) {
      case 'starting':
        if (task.state !== 'staging') return
        task.state = 'starting'
        emit(status(task, { state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR' }))
        if (task.behavior.kind !== 'stuck') {
          at(random.int(500, 4 * SECOND), { kind: 'step', taskId, step: 'running' })
        }
        return
      case 'running': {
        if (task.state === 'running') return
        task.state = 'running'
        const containerName = `mesos-${random.hex(8)}-${random.hex(4)}-${random.hex(4)}-${random.hex(12)}`
        emit(
          status(task, {
            state: 'TASK_RUNNING',
            source: 'SOURCE_EXECUTOR',
            ...(task.docker ? { data: inspectData(containerName) } : {}),
          }),
        )
        if (task.behavior.kind === 'hang') return
        const duration = task.behavior.kind === 'lose' ? Math.floor(task.duration / 2) : task.duration
        at(duration, { kind: 'step', taskId, step: 'end' })
        return
      }
      case 'end': {
        const behavior = task.behavior
        switch (behavior.kind) {
          case 'finish':
          case 'hang':
          case 'stuck':
            return end(task, {
              state: 'TASK_FINISHED',
              message: 'Command exited with status 0',
              source: 'SOURCE_EXECUTOR',
            })
          case 'exit':
            return end(task, {
              state: 'TASK_FAILED',
              message: `Command exited with status ${behavior.code}`,
              source: 'SOURCE_EXECUTOR',
            })
          case 'launch-failure':
            return end(task, {
              state: 'TASK_FAILED',
              message: 'Failed to launch container: image not found',
              source: 'SOURCE_AGENT',
              reason: 'REASON_CONTAINER_LAUNCH_FAILED',
            })
          case 'terminated':
            return end(task, {
              state: 'TASK_FAILED',
              message: 'Executor terminated',
              source: 'SOURCE_AGENT',
              reason: 'REASON_EXECUTOR_TERMINATED',
            })
          case 'lose':
            return end(task, {
              state: 'TASK_LOST',
              message: 'Agent restarted',
              source: 'SOURCE_AGENT',
              reason: 'REASON_AGENT_RESTARTED',
            })
        }
      }
    }
  }

  const kill = (taskId: string): void => {
    const task = cluster.get(taskId)
    if (task === undefined) return
    if (task.state === 'gone') {
      emit(status(task, { state: 'TASK_LOST', source: 'SOURCE_MASTER', reason: 'REASON_AGENT_REMOVED' }))
      return
    }
    if (!isLive(task)) return
    task.state = 'done'
    const terminal: StatusFields = {
      state: 'TASK_KILLED',
      message: 'Command terminated with signal Killed',
      source: 'SOURCE_EXECUTOR',
    }
    task.terminal = terminal
    // The executor needs a moment to stop the container.
    at(random.int(500, 3 * SECOND), { kind: 'deliver', status: status(task, terminal) })
  }

  const reconcile = (taskId: string): void => {
    const task = cluster.get(taskId)
    const answer = { source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION' } as const
    if (task === undefined || task.state === 'gone') {
      const agentId = task?.agentId
      emit({
        task_id: { value: taskId },
        ...(agentId !== undefined ? { agent_id: { value: agentId } } : {}),
        state: 'TASK_LOST',
        timestamp: now / 1000,
        message: 'Reconciliation: task is unknown to the master',
        ...answer,
      })
      return
    }
    switch (task.state) {
      case 'staging':
        return emit(status(task, { state: 'TASK_STAGING', ...answer }))
      case 'starting':
        return emit(status(task, { state: 'TASK_STARTING', ...answer }))
      case 'running':
        return emit(status(task, { state: 'TASK_RUNNING', ...answer }))
      case 'done':
        if (task.terminal !== undefined) emit(status(task, { ...task.terminal, ...answer }))
        return
    }
  }

  // -- the host scheduler --

  const drain = (): void => {
    const [messages, drained] = Manager.drain(state, now)
    state = drained
    if (messages.length === 0) return
    messageCounts = EventLog.countMessages(messages, messageCounts)
    for (const message of messages) {
      if (!Manager.isMessage(message) || message.type !== 'JobExeEnd') continue
      for (const record of message.records) {
        const node = nodeById.get(Number(record.nodeId))
        if (node !== undefined) node.used = Math.max(0, node.used - 1)
        pendingOffers.delete(record.clusterId)
        done++
        increment(byStatus, record.status)
        if (record.error !== undefined) {
          increment(byError, record.error.name)
          increment(byCategory, record.error.category)
        }
        for (const task of record.taskResults.tasks) {
          if (task.task_id.includes('_lost-') && task.status === 'FINISHED') finishedRetriedTasks.push(task.task_id)
        }
      }
    }
    onProgress?.(done, executions + remaining())
  }

  const remaining = (): number => urgent.length + (queue.length - queueHead)

  const dequeue = (): QueuedJob | undefined => {
    const first = urgent.shift()
    if (first !== undefined) return first
    const job = queue[queueHead]
    if (job !== undefined) queueHead++
    return job
  }

  const wave = (): void => {
    drain()
    if (remaining() === 0 && Manager.runningCount(state) === 0) {
      finished = true
      return
    }
    const assigned: Array<{ readonly job: QueuedJob; readonly node: Node }> = []
    let progress = true
    while (progress && remaining() > 0) {
      progress = false
      for (const node of nodes) {
        if (!node.up || node.used >= node.slots) continue
        const job = dequeue()
        if (job === undefined) break
        node.used++
        assigned.push({ job, node })
        progress = true
      }
    }
    if (assigned.length > 0) {
      const specs: Execution.ExecutionSpec[] = assigned.map(({ job, node }) => {
        const clusterId = Ids.clusterId(FRAMEWORK_ID, job.jobId, job.exeNum)
        plans.set(clusterId, job.plan)
        return {
          id: nextExecutionId++,
          clusterId,
          jobId: job.jobId,
          exeNum: job.exeNum,
          jobTypeId: job.jobType.id,
          nodeId: node.id,
          agentId: node.agentId,
          priority: job.priority,
          queued: job.queued,
          started: now,
          taskTypes: job.jobType.taskTypes,
          jobType: {
            name: job.jobType.name,
            isSystem: job.jobType.isSystem,
            isLongRunning: false,
            timeout: job.jobType.timeout,
            ...(job.jobType.errorMapping !== undefined ? { errorMapping: job.jobType.errorMapping } : {}),
          },
          exitCodeErrors: EXIT_CODE_ERRORS,
        }
      })
      executions += specs.length
      const running = assigned.map(({ job, node }) => ({ jobId: job.jobId, exeNum: job.exeNum, nodeId: node.id }))
      send({ type: 'Scheduled', executions: specs, messages: [{ type: 'RunningJobs', jobs: running, when: now }] })
      for (const spec of specs) startNextTask(spec.clusterId)
    }
    at(WAVE_INTERVAL, { kind: 'wave' })
  }

  // Kills what the manager wants killed and asks the cluster about what it
  // wants reconciled, once per task.
  const act = (): void => {
    for (const task of Manager.tasksToKill(state)) {
      if (killsSent.has(task.id)) continue
      killsSent.add(task.id)
      at(random.int(20, 200), { kind: 'kill', taskId: task.id })
    }
    for (const task of Manager.tasksToReconcile(state, now)) {
      if (reconcilesSent.has(task.id)) continue
      reconcilesSent.add(task.id)
      at(random.int(100, 500), { kind: 'reconcile', taskId: task.id })
    }
  }

  const wake = (): void => {
    if (wakeAt !== now) return
    wakeAt = undefined
    lastWokeAt = now
    send({ type: 'TimeoutsChecked' })
    send({ type: 'StarvationChecked' })
    act()
  }

  // Sleep until the manager's next deadline, one pending wake at a time. A
  // deadline already acted on (a reconciliation whose answer is on its way)
  // is looked at again a little later rather than in a busy loop.
  const scheduleWake = (): void => {
    const deadline = Manager.nextDeadline(state)
    if (O.isNone(deadline)) {
      wakeAt = undefined
      return
    }
    const when =
      deadline.value > lastWokeAt
        ? Math.max(deadline.value, now)
        : wakeAt !== undefined && wakeAt > now
          ? wakeAt
          : now + RECHECK_DELAY
    if (wakeAt === when) return
    wakeAt = when
    heap.push(when, { kind: 'wake' })
  }

  const isSpecial = (clusterId: string): boolean => (plans.get(clusterId)?.label ?? 'complete') !== 'complete'

  const ordinaryRunning = (): Execution.Execution[] =>
    Manager.runningExecutions(state).filter((e) => e.status === 'RUNNING' && !isSpecial(e.clusterId))

  const sync = (round: 1 | 2): void => {
    const candidates = ordinaryRunning()
    const chosen = random.sample(candidates, round === 1 ? 3 : 1)
    if (chosen.length === 0) return
    const jobs: Record<string, Manager.SyncedJob> = {}
    chosen.forEach((execution, i) => {
      const requeue = round === 1 && i === 0
      jobs[String(execution.jobId)] = requeue
        ? { status: 'QUEUED', numExes: execution.exeNum + 1 }
        : { status: 'CANCELED', numExes: execution.exeNum }
      if (requeue) {
        const jobType = jobTypeById.get(execution.jobTypeId) ?? JOB_TYPES[0]
        urgent.push({
          jobId: execution.jobId,
          exeNum: execution.exeNum + 1,
          jobType,
          plan: COMPLETE,
          queued: now,
          priority: 100,
        })
      }
    })
    send({ type: 'JobsSynced', jobs })
    act()
  }

  const loseNode = (): void => {
    const running = Manager.runningExecutions(state)
    const specialNodes = new Set(running.filter((e) => isSpecial(e.clusterId)).map((e) => Number(e.nodeId)))
    const busy = new Set(running.map((e) => Number(e.nodeId)))
    const up = nodes.filter((n) => n.up && busy.has(n.id))
    const candidates = up.filter((n) => !specialNodes.has(n.id))
    const node = random.pickFrom(candidates.length > 0 ? candidates : up)
    if (node === undefined) return
    node.up = false
    for (const task of cluster.values()) {
      if (task.nodeId === node.id && isLive(task)) task.state = 'gone'
    }
    send({ type: 'NodeLost', nodeId: node.id })
    act()
    at(SCENARIO.nodeDownFor, { kind: 'nodeBack', nodeId: node.id })
  }

  const handle = (happening: Happening): void => {
    switch (happening.kind) {
      case 'wave':
        return wave()
      case 'wake':
        return wake()
      case 'offer': {
        pendingOffers.delete(happening.clusterId)
        const execution = Manager.runningExecution(state, happening.clusterId)
        if (execution === undefined || !Execution.isNextTaskReady(execution)) return
        if (nodeById.get(Number(execution.nodeId))?.up === false) return
        return startNextTask(happening.clusterId)
      }
      case 'step':
        return step(happening.taskId, happening.step)
      case 'deliver':
        return receive(happening.status)
      case 'kill':
        return kill(happening.taskId)
      case 'reconcile':
        return reconcile(happening.taskId)
      case 'nodeLost':
        return loseNode()
      case 'nodeBack': {
        const node = nodeById.get(happening.nodeId)
        if (node !== undefined) node.up = true
        return
      }
      case 'sync':
        return sync(happening.round)
    }
  }

  // -- the loop --

  onProgress?.(0, jobCount)
  heap.push(START, { kind: 'wave' })
  heap.push(START + SCENARIO.firstSync, { kind: 'sync', round: 1 })
  if (nodeCount > 1) heap.push(START + SCENARIO.nodeLost, { kind: 'nodeLost' })
  heap.push(START + SCENARIO.secondSync, { kind: 'sync', round: 2 })

  for (;;) {
    const next = heap.pop()
    if (next === undefined || finished || next.time > START + MAX_VIRTUAL_TIME) break
    now = next.time
    handle(next.value)
    scheduleWake()
  }
  now = lastEventAt
  drain()

  // The nodes the events named: what a replay of the log can know of.
  const nodeIds = [...seenNodes].sort((a, b) => a - b)
  return {
    finalNow: lastEventAt,
    startNow: START,
    state,
    nodeIds,
    statusJson: Manager.statusJson(state, nodeIds, lastEventAt),
    messageCounts: sortedRecord(messageCounts),
    events,
    rejected,
    elapsedMs: performance.now() - wallStart,
    executions,
    ends: {
      records: done,
      byStatus: sortedRecord(byStatus),
      byError: sortedRecord(byError),
      byCategory: sortedRecord(byCategory),
      finishedRetriedTasks,
    },
    complete: finished,
  }
}
