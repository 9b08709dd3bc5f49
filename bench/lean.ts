// The indexed lean floor: the reference the manager is measured against
// (issue 14). The same job-execution logic as the manager, written the plain
// mutable way, but doing the manager's work: it keeps the manager's own
// indexes (each execution's deadline in an ordered index whose first key is
// exact, the ready set, the kill and forced-reconciliation sets, the node /
// job / execution-id groups, running and finished counters by node and job
// type) and moves them on every event as the manager does, and it builds the
// same end records. What makes it lean: a cluster id is parsed out of a task id
// with `indexOf` (no split/join), task ids are derived from the cluster id and
// the task type (compared in place, built only for end records), counters are
// keyed by numbers, tasks share one configuration per type, and the deadline
// key lives on the execution (an indexed binary heap of executions, no entry
// objects). bench/mutable.ts is the old floor, kept for the record.
import { Errors, type Execution, type Task, type TaskResults, type TaskUpdate } from '../src/index'
import { ROUND_STEP, drainedOf, type Engine } from './engine'
import type { BenchEvent, LifecycleEvent } from './fixtures'

const MINUTE = 60_000

/** What a task's deadlines are computed from, shared by every task of a type (the defaults of `Execution.DEFAULT_SETTINGS`). */
interface TaskConfig {
  readonly type: Task.TaskType
  readonly stagingTimeout: number
  /** Undefined: the job type's timeout (the main task). */
  readonly runningTimeout: number | undefined
  readonly stagingReconcileDelay: number
  readonly runningReconcileDelay: number
}

const config = (type: Task.TaskType, runningTimeout: number | undefined): TaskConfig => ({
  type,
  stagingTimeout: 2 * MINUTE,
  runningTimeout,
  stagingReconcileDelay: 30_000,
  runningReconcileDelay: 10 * MINUTE,
})

const CONFIGS: readonly TaskConfig[] = [
  config('pull', 30 * MINUTE),
  config('pre', 60 * MINUTE),
  config('main', undefined),
  config('post', 60 * MINUTE),
]
const CONFIG_OF: Readonly<Record<Task.TaskType, TaskConfig | undefined>> = {
  pull: CONFIGS[0],
  pre: CONFIGS[1],
  main: CONFIGS[2],
  post: CONFIGS[3],
}
const STARVATION_DELAY = 10 * MINUTE

interface LeanTask {
  readonly config: TaskConfig
  lostCount: number
  launched: number | undefined
  started: number | undefined
  ended: number | undefined
  lastUpdate: number | undefined
  timedOut: boolean
  killRequested: boolean
  forceReconciliation: boolean
  finalStatus: TaskUpdate.TerminalStatus | undefined
  exitCode: number | undefined
  containerName: string | undefined
}

const leanTask = (config: TaskConfig): LeanTask => ({
  config,
  lostCount: 0,
  launched: undefined,
  started: undefined,
  ended: undefined,
  lastUpdate: undefined,
  timedOut: false,
  killRequested: false,
  forceReconciliation: false,
  finalStatus: undefined,
  exitCode: undefined,
  containerName: undefined,
})

interface LeanExecution {
  readonly spec: Execution.ExecutionSpec
  readonly tasks: LeanTask[]
  status: Execution.ExecutionStatus
  error: Errors.JobError | undefined
  finished: number | undefined
  /** Index of the current task, -1 when none. */
  current: number
  next: number
  lastTaskFinished: number | undefined
  /** Its key in the deadline index (at or before its deadline), undefined when not in it. */
  deadlineKey: number | undefined
  /** Its position in the deadline heap, -1 when not in it. */
  heapAt: number
}

type JobGroup = string | Set<string>
type NodeId = Execution.ExecutionSpec['nodeId']

export interface LeanState {
  readonly running: Map<string, LeanExecution>
  readonly byNode: Map<NodeId, Set<string>>
  readonly byJob: Map<number, JobGroup>
  readonly byExecutionId: Map<number, string>
  /** A binary min-heap of executions by (deadline key, cluster id). */
  readonly deadlines: LeanExecution[]
  readonly ready: Set<string>
  readonly toKill: Set<string>
  readonly forced: Set<string>
  outbox: Execution.EndRecord[]
  completedJobs: Array<{ readonly jobId: number; readonly exeNum: number }>
  failedJobs: Array<{ readonly jobId: number; readonly exeNum: number; readonly error: Errors.JobError }>
  /** Running executions by node, then job type. */
  readonly runningCounts: Map<NodeId, Map<number, number>>
  /** Finished executions by node, then `jobTypeId * 4 + kind` (0 completed, 1..3 the error categories). */
  readonly finishedCounts: Map<NodeId, Map<number, number>>
}

export const create = (): LeanState => ({
  running: new Map(),
  byNode: new Map(),
  byJob: new Map(),
  byExecutionId: new Map(),
  deadlines: [],
  ready: new Set(),
  toKill: new Set(),
  forced: new Set(),
  outbox: [],
  completedJobs: [],
  failedJobs: [],
  runningCounts: new Map(),
  finishedCounts: new Map(),
})

// --- the deadline heap ------------------------------------------------------------

const before = (a: LeanExecution, b: LeanExecution): boolean => {
  const ka = a.deadlineKey ?? Number.POSITIVE_INFINITY
  const kb = b.deadlineKey ?? Number.POSITIVE_INFINITY
  return ka < kb || (ka === kb && a.spec.clusterId < b.spec.clusterId)
}

const place = (heap: LeanExecution[], at: number, execution: LeanExecution): void => {
  heap[at] = execution
  execution.heapAt = at
}

const siftUp = (heap: LeanExecution[], from: number): void => {
  const execution = heap[from]
  if (execution === undefined) return
  let at = from
  while (at > 0) {
    const up = (at - 1) >> 1
    const parent = heap[up]
    if (parent === undefined || !before(execution, parent)) break
    place(heap, at, parent)
    at = up
  }
  place(heap, at, execution)
}

const siftDown = (heap: LeanExecution[], from: number): void => {
  const execution = heap[from]
  if (execution === undefined) return
  let at = from
  for (;;) {
    const left = 2 * at + 1
    if (left >= heap.length) break
    const l = heap[left]
    const r = heap[left + 1]
    const child = r !== undefined && l !== undefined && before(r, l) ? left + 1 : left
    const c = heap[child]
    if (c === undefined || !before(c, execution)) break
    place(heap, at, c)
    at = child
  }
  place(heap, at, execution)
}

const removeFromHeap = (heap: LeanExecution[], execution: LeanExecution): void => {
  const at = execution.heapAt
  if (at < 0) return
  execution.heapAt = -1
  execution.deadlineKey = undefined
  const last = heap.pop()
  if (last === undefined || last === execution) return
  place(heap, at, last)
  siftUp(heap, at)
  siftDown(heap, last.heapAt)
}

const moveKey = (heap: LeanExecution[], execution: LeanExecution, to: number | undefined): void => {
  if (to === undefined) {
    removeFromHeap(heap, execution)
    return
  }
  execution.deadlineKey = to
  if (execution.heapAt < 0) {
    heap.push(execution)
    execution.heapAt = heap.length - 1
  }
  siftUp(heap, execution.heapAt)
  siftDown(heap, execution.heapAt)
}

const earlier = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || (b !== undefined && b < a) ? b : a

const currentOf = (execution: LeanExecution): LeanTask | undefined =>
  execution.current < 0 ? undefined : execution.tasks[execution.current]

const isReady = (execution: LeanExecution): boolean => execution.current < 0 && execution.next < execution.tasks.length

// The manager's deadline of an execution: its current task's timeout or
// unforced reconciliation, the drop of a current task never launched after a
// final status, or its starvation.
const deadlineOf = (execution: LeanExecution): number | undefined => {
  const task = currentOf(execution)
  if (task === undefined) {
    return isReady(execution) && execution.lastTaskFinished !== undefined
      ? execution.lastTaskFinished + STARVATION_DELAY + 1
      : undefined
  }
  let timeout: number | undefined
  if (task.launched !== undefined && task.ended === undefined && !task.timedOut) {
    if (task.started === undefined) timeout = task.launched + task.config.stagingTimeout + 1
    else {
      const running = task.config.runningTimeout ?? execution.spec.jobType.timeout
      timeout = running === undefined ? undefined : task.started + running + 1
    }
  }
  const reconciliation =
    task.forceReconciliation || task.lastUpdate === undefined || task.ended !== undefined
      ? undefined
      : task.lastUpdate +
        (task.started !== undefined ? task.config.runningReconcileDelay : task.config.stagingReconcileDelay) +
        1
  const unlaunched =
    execution.status === 'RUNNING' || execution.finished === undefined || task.lastUpdate !== undefined
      ? undefined
      : execution.finished + task.config.stagingTimeout + 1
  return earlier(earlier(timeout, reconciliation), unlaunched)
}

const needsKill = (execution: LeanExecution): boolean => {
  const task = currentOf(execution)
  return task !== undefined && task.killRequested && task.lastUpdate !== undefined && task.ended === undefined
}

const isForced = (execution: LeanExecution): boolean => {
  const task = currentOf(execution)
  return task !== undefined && task.forceReconciliation && task.lastUpdate !== undefined && task.ended === undefined
}

/** What an execution's index entries depended on before an event. */
interface Was {
  ready: boolean
  kill: boolean
  forced: boolean
}
const WAS: Was = { ready: false, kill: false, forced: false }

const remember = (execution: LeanExecution): Was => {
  WAS.ready = isReady(execution)
  WAS.kill = needsKill(execution)
  WAS.forced = isForced(execution)
  return WAS
}

const toggle = (set: Set<string>, id: string, was: boolean, is: boolean): void => {
  if (was === is) return
  if (is) set.add(id)
  else set.delete(id)
}

// Moves an execution's index entries after an event changed it, as the
// manager's reindex does: its deadline key only when the deadline comes
// earlier, then the first key settled if it was this execution's.
const reindex = (state: LeanState, execution: LeanExecution, was: Was): void => {
  const heap = state.deadlines
  const key = execution.deadlineKey
  const wasFirst = key !== undefined && heap[0] === execution
  const due = deadlineOf(execution)
  if (due !== undefined && (key === undefined || due < key)) moveKey(heap, execution, due)
  if (wasFirst) settleFront(heap)
  const id = execution.spec.clusterId
  toggle(state.ready, id, was.ready, isReady(execution))
  toggle(state.toKill, id, was.kill, needsKill(execution))
  toggle(state.forced, id, was.forced, isForced(execution))
}

const settleFront = (heap: LeanExecution[]): void => {
  for (;;) {
    const first = heap[0]
    if (first === undefined) return
    const due = deadlineOf(first)
    if (due === first.deadlineKey) return
    moveKey(heap, first, due)
  }
}

// --- counters and groups ---------------------------------------------------------

const bump = (counts: Map<NodeId, Map<number, number>>, outer: NodeId, inner: number, delta: number): void => {
  let byInner = counts.get(outer)
  if (byInner === undefined) {
    byInner = new Map()
    counts.set(outer, byInner)
  }
  const n = (byInner.get(inner) ?? 0) + delta
  if (n > 0) byInner.set(inner, n)
  else {
    byInner.delete(inner)
    if (byInner.size === 0) counts.delete(outer)
  }
}

const KIND: Readonly<Record<Errors.ErrorCategory, number>> = { ALGORITHM: 1, DATA: 2, SYSTEM: 3 }

const joinJob = (state: LeanState, jobId: number, id: string): void => {
  const group = state.byJob.get(jobId)
  if (group === undefined) state.byJob.set(jobId, id)
  else if (typeof group === 'string') state.byJob.set(jobId, new Set([group, id]))
  else group.add(id)
}

const leaveJob = (state: LeanState, jobId: number, id: string): void => {
  const group = state.byJob.get(jobId)
  if (group === undefined) return
  if (typeof group === 'string') {
    if (group === id) state.byJob.delete(jobId)
    return
  }
  group.delete(id)
  if (group.size === 1) for (const only of group) state.byJob.set(jobId, only)
}

export const schedule = (state: LeanState, spec: Execution.ExecutionSpec): void => {
  const id = spec.clusterId
  if (state.running.has(id)) return
  const types = spec.taskTypes ?? ['pull', 'pre', 'main', 'post']
  const tasks: LeanTask[] = []
  for (const type of types) {
    const c = CONFIG_OF[type]
    if (c !== undefined) tasks.push(leanTask(c))
  }
  const execution: LeanExecution = {
    spec,
    tasks,
    status: 'RUNNING',
    error: undefined,
    finished: undefined,
    current: -1,
    next: 0,
    lastTaskFinished: undefined,
    deadlineKey: undefined,
    heapAt: -1,
  }
  state.running.set(id, execution)
  let onNode = state.byNode.get(spec.nodeId)
  if (onNode === undefined) {
    onNode = new Set()
    state.byNode.set(spec.nodeId, onNode)
  }
  onNode.add(id)
  joinJob(state, spec.jobId, id)
  state.byExecutionId.set(spec.id, id)
  bump(state.runningCounts, spec.nodeId, spec.jobTypeId, 1)
  reindex(state, execution, { ready: false, kill: false, forced: false })
}

// --- events ------------------------------------------------------------------------

/** The cluster id inside a job task id (its first four `_`-separated segments), found with `indexOf`. */
export const leanClusterIdOfTask = (taskId: string): string | undefined => {
  if (!taskId.startsWith('scale_job')) return undefined
  const first = taskId.indexOf('_')
  const second = first < 0 ? -1 : taskId.indexOf('_', first + 1)
  const third = second < 0 ? -1 : taskId.indexOf('_', second + 1)
  if (third < 0) return undefined
  const fourth = taskId.indexOf('_', third + 1)
  const end = fourth < 0 ? taskId.length : fourth
  if (third === second + 1 || end === third + 1) return undefined
  return taskId.slice(0, end)
}

const LOST = '_lost-'

// Whether `taskId` (whose cluster id is `clusterIdLength` characters long) is
// the current id of `task`: `<cluster id>_<type>`, then `_lost-<n>` after n losses.
const isIdOf = (taskId: string, clusterIdLength: number, task: LeanTask): boolean => {
  const type = task.config.type
  const base = clusterIdLength + 1 + type.length
  if (task.lostCount === 0) {
    if (taskId.length !== base) return false
  } else if (!taskId.startsWith(LOST, base) || taskId.slice(base + LOST.length) !== String(task.lostCount)) {
    return false
  }
  return taskId.charCodeAt(clusterIdLength) === 95 && taskId.startsWith(type, clusterIdLength + 1)
}

const taskIdOf = (clusterId: string, task: LeanTask): string =>
  task.lostCount === 0 ? `${clusterId}_${task.config.type}` : `${clusterId}_${task.config.type}${LOST}${task.lostCount}`

const iso = (instant: number): string => new Date(instant).toISOString()

const taskResults = (clusterId: string, tasks: readonly LeanTask[]): TaskResults.TaskResults => ({
  version: '1.0',
  tasks: tasks.map((task) => {
    const result: { -readonly [K in keyof TaskResults.TaskResult]: TaskResults.TaskResult[K] } = {
      task_id: taskIdOf(clusterId, task),
      type: task.config.type,
      was_launched: task.launched !== undefined,
    }
    if (task.launched === undefined) return result
    result.launched = iso(task.launched)
    result.was_started = task.started !== undefined
    if (task.started === undefined) return result
    result.started = iso(task.started)
    result.was_timed_out = task.timedOut
    if (task.ended !== undefined) result.ended = iso(task.ended)
    if (task.finalStatus !== undefined) result.status = task.finalStatus
    if (task.exitCode !== undefined) result.exit_code = task.exitCode
    return result
  }),
})

const setFinalStatus = (
  execution: LeanExecution,
  status: Execution.FinalStatus,
  when: number,
  error?: Errors.JobError,
): void => {
  if (execution.status !== 'RUNNING') return
  execution.status = status
  execution.finished = when
  execution.error = error
  execution.next = execution.tasks.length
}

const finish = (state: LeanState, execution: LeanExecution): void => {
  const { spec } = execution
  const id = spec.clusterId
  state.running.delete(id)
  removeFromHeap(state.deadlines, execution)
  settleFront(state.deadlines)
  state.ready.delete(id)
  state.toKill.delete(id)
  state.forced.delete(id)
  const onNode = state.byNode.get(spec.nodeId)
  if (onNode !== undefined) {
    onNode.delete(id)
    if (onNode.size === 0) state.byNode.delete(spec.nodeId)
  }
  leaveJob(state, spec.jobId, id)
  state.byExecutionId.delete(spec.id)
  state.outbox.push({
    id: spec.id,
    clusterId: id,
    jobId: spec.jobId,
    exeNum: spec.exeNum,
    jobTypeId: spec.jobTypeId,
    nodeId: spec.nodeId,
    status: execution.status,
    error: execution.error,
    queued: spec.queued,
    started: spec.started,
    finished: execution.finished,
    taskResults: taskResults(id, execution.tasks),
  })
  bump(state.runningCounts, spec.nodeId, spec.jobTypeId, -1)
  if (execution.status === 'COMPLETED') {
    state.completedJobs.push({ jobId: spec.jobId, exeNum: spec.exeNum })
    bump(state.finishedCounts, spec.nodeId, spec.jobTypeId * 4, 1)
  } else if (execution.status === 'FAILED' && execution.error !== undefined) {
    state.failedJobs.push({ jobId: spec.jobId, exeNum: spec.exeNum, error: execution.error })
    bump(state.finishedCounts, spec.nodeId, spec.jobTypeId * 4 + KIND[execution.error.category], 1)
  }
}

const failureError = (task: LeanTask, execution: LeanExecution): Errors.JobError => {
  const type = task.config.type
  if (type === 'pull') return Errors.BUILTIN.pull
  if (task.started === undefined) return Errors.BUILTIN['docker-task-launch']
  if (type === 'main') {
    const mapping = execution.spec.jobType.errorMapping
    const code = task.exitCode
    const mapped = mapping !== undefined && code !== undefined ? mapping[code] : undefined
    return mapped ?? Errors.BUILTIN['algorithm-unknown']
  }
  return Errors.BUILTIN.unknown
}

const taskUpdated = (state: LeanState, update: TaskUpdate.TaskUpdate, now: number): void => {
  const clusterId = leanClusterIdOfTask(update.taskId)
  if (clusterId === undefined) return
  const execution = state.running.get(clusterId)
  if (execution === undefined || execution.current < 0) return
  const index = execution.current
  const task = execution.tasks[index]
  if (task === undefined || !isIdOf(update.taskId, clusterId.length, task)) return
  if (task.ended !== undefined) return
  const was = remember(execution)
  switch (update.status) {
    case 'RUNNING':
      task.lastUpdate = update.timestamp
      task.forceReconciliation = false
      if (task.started === undefined) {
        task.started = update.timestamp
        task.containerName = update.containerName
      }
      break
    case 'FINISHED':
      task.lastUpdate = update.timestamp
      task.ended = update.timestamp
      task.finalStatus = 'FINISHED'
      task.exitCode = update.exitCode ?? 0
      execution.current = -1
      execution.lastTaskFinished = now
      if (execution.next >= execution.tasks.length) setFinalStatus(execution, 'COMPLETED', now)
      break
    case 'FAILED':
    case 'KILLED':
      task.lastUpdate = update.timestamp
      task.ended = update.timestamp
      task.finalStatus = update.status
      task.exitCode = update.exitCode
      execution.current = -1
      setFinalStatus(execution, 'FAILED', now, failureError(task, execution))
      break
    case 'LOST':
      task.launched = undefined
      task.started = undefined
      task.lastUpdate = undefined
      task.containerName = undefined
      execution.current = -1
      execution.lastTaskFinished = now
      if (execution.status === 'RUNNING') {
        task.lostCount++
        execution.next = index
      }
      break
    case 'STAGING':
    case 'UNKNOWN':
      task.lastUpdate = update.timestamp
      task.forceReconciliation = false
      break
  }
  if (execution.current < 0 && execution.next >= execution.tasks.length) finish(state, execution)
  else reindex(state, execution, was)
}

export const apply = (state: LeanState, event: LifecycleEvent, now: number): void => {
  switch (event.type) {
    case 'NextTaskStarted': {
      const execution = state.running.get(event.clusterId)
      if (execution === undefined || execution.current >= 0 || execution.next >= execution.tasks.length) return
      const was = remember(execution)
      execution.current = execution.next
      execution.next++
      reindex(state, execution, was)
      return
    }
    case 'TaskLaunched': {
      const clusterId = leanClusterIdOfTask(event.taskId)
      const execution = clusterId === undefined ? undefined : state.running.get(clusterId)
      if (execution === undefined || clusterId === undefined) return
      const task = currentOf(execution)
      if (task === undefined || task.launched !== undefined || !isIdOf(event.taskId, clusterId.length, task)) return
      const was = remember(execution)
      task.launched = now
      task.lastUpdate = now
      reindex(state, execution, was)
      return
    }
    case 'TaskUpdated':
      taskUpdated(state, event.update, now)
      return
  }
}

const step = (state: LeanState, event: BenchEvent, now: number): void => {
  if (event.type === 'Scheduled') for (const spec of event.executions) schedule(state, spec)
  else apply(state, event, now)
}

export const leanEngine: Engine<LeanState> = {
  name: 'indexed lean floor (mutable)',
  create: () => create(),
  schedule: (state, specs) => {
    for (const spec of specs) schedule(state, spec)
    return state
  },
  apply: (state, event, now) => {
    apply(state, event, now)
    return state
  },
  drive: (state, rounds, now) => {
    for (let k = 0; k < rounds.length; k++) {
      const round = rounds[k]
      if (round === undefined) continue
      const at = now + k * ROUND_STEP
      for (let i = 0; i < round.length; i++) {
        const event = round[i]
        if (event !== undefined) apply(state, event, at)
      }
    }
    return state
  },
  step: (state, events, now) => {
    for (let i = 0; i < events.length; i++) {
      const event = events[i]
      if (event !== undefined) step(state, event, now)
    }
    return state
  },
  running: (state) => state.running.size,
  runningByNode: (state, nodeId) => {
    let total = 0
    const byType = state.runningCounts.get(nodeId)
    if (byType !== undefined) for (const n of byType.values()) total += n
    return total
  },
  drain: (state) => {
    const records = state.outbox
    state.outbox = []
    state.completedJobs = []
    state.failedJobs = []
    return [drainedOf(records), state]
  },
}

/** The floor's index sizes, for checking that it keeps them as the manager does. */
export const indexSizes = (
  state: LeanState,
): {
  readonly deadlines: number
  readonly ready: number
  readonly nodes: number
  readonly jobs: number
  readonly executionIds: number
} => ({
  deadlines: state.deadlines.length,
  ready: state.ready.size,
  nodes: state.byNode.size,
  jobs: state.byJob.size,
  executionIds: state.byExecutionId.size,
})
