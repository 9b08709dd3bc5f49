// The floor: the same job-execution logic written the plain way. Maps and
// objects changed in place, no immutability, no validation, no indexes of
// deadlines: tasks in order, status updates, finishing into an outbox array,
// and running / finished counters. It produces the same end records as the
// real manager (task results included), so that the comparison is of the
// same work.
import { Errors, type Execution, type Task, type TaskResults, type TaskUpdate } from '../src/index'
import { ROUND_STEP, drainedOf, type Engine } from './engine'
import type { BenchEvent, LifecycleEvent } from './fixtures'

/** A task as plain mutable data (also used by the XState designs for their end records). */
export interface PlainTask {
  id: string
  readonly baseId: string
  readonly type: Task.TaskType
  readonly usesDocker: boolean
  lostCount: number
  launched: number | undefined
  started: number | undefined
  ended: number | undefined
  lastUpdate: number | undefined
  timedOut: boolean
  finalStatus: TaskUpdate.TerminalStatus | undefined
  exitCode: number | undefined
  containerName: string | undefined
}

export const plainTask = (clusterId: string, type: Task.TaskType): PlainTask => ({
  id: `${clusterId}_${type}`,
  baseId: `${clusterId}_${type}`,
  type,
  usesDocker: type !== 'pull',
  lostCount: 0,
  launched: undefined,
  started: undefined,
  ended: undefined,
  lastUpdate: undefined,
  timedOut: false,
  finalStatus: undefined,
  exitCode: undefined,
  containerName: undefined,
})

const iso = (instant: number): string => new Date(instant).toISOString()

/** What task results are built from. */
export type ResultSource = Pick<
  PlainTask,
  'id' | 'type' | 'launched' | 'started' | 'ended' | 'timedOut' | 'finalStatus' | 'exitCode'
>

/** Task results as section 8 of the spec builds them, written plainly. */
export const plainTaskResults = (tasks: readonly ResultSource[]): TaskResults.TaskResults => ({
  version: '1.0',
  tasks: tasks.map((task) => {
    const result: { -readonly [K in keyof TaskResults.TaskResult]: TaskResults.TaskResult[K] } = {
      task_id: task.id,
      type: task.type,
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

/** The cluster id inside a task id (its first four `_`-separated segments), the plain way. */
export const plainClusterIdOfTask = (taskId: string): string | undefined => {
  if (!taskId.startsWith('scale_job')) return undefined
  const segments = taskId.split('_')
  return segments.length < 4 ? undefined : segments.slice(0, 4).join('_')
}

interface MutableExecution {
  readonly spec: Execution.ExecutionSpec
  status: Execution.ExecutionStatus
  error: Errors.JobError | undefined
  finished: number | undefined
  readonly tasks: PlainTask[]
  /** Index of the current task, -1 when none. */
  current: number
  next: number
  lastTaskFinished: number | undefined
}

export interface MutableState {
  readonly running: Map<string, MutableExecution>
  outbox: Execution.EndRecord[]
  completedJobs: Array<{ readonly jobId: number; readonly exeNum: number }>
  failedJobs: Array<{ readonly jobId: number; readonly exeNum: number; readonly error: Errors.JobError }>
  /** Running executions by `node|jobType`. */
  readonly runningCounts: Map<string, number>
  /** Finished executions by `node|kind|jobType` (no window: the floor does not slide one). */
  readonly finishedCounts: Map<string, number>
}

export const create = (): MutableState => ({
  running: new Map(),
  outbox: [],
  completedJobs: [],
  failedJobs: [],
  runningCounts: new Map(),
  finishedCounts: new Map(),
})

const bump = (counts: Map<string, number>, key: string, delta: number): void => {
  const n = (counts.get(key) ?? 0) + delta
  if (n > 0) counts.set(key, n)
  else counts.delete(key)
}

export const schedule = (state: MutableState, spec: Execution.ExecutionSpec): void => {
  if (state.running.has(spec.clusterId)) return
  const types = spec.taskTypes ?? ['pull', 'pre', 'main', 'post']
  state.running.set(spec.clusterId, {
    spec,
    status: 'RUNNING',
    error: undefined,
    finished: undefined,
    tasks: types.map((type) => plainTask(spec.clusterId, type)),
    current: -1,
    next: 0,
    lastTaskFinished: undefined,
  })
  bump(state.runningCounts, `${spec.nodeId}|${spec.jobTypeId}`, 1)
}

const setFinalStatus = (
  execution: MutableExecution,
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

const finish = (state: MutableState, execution: MutableExecution): void => {
  const { spec } = execution
  state.running.delete(spec.clusterId)
  state.outbox.push({
    id: spec.id,
    clusterId: spec.clusterId,
    jobId: spec.jobId,
    exeNum: spec.exeNum,
    jobTypeId: spec.jobTypeId,
    nodeId: spec.nodeId,
    status: execution.status,
    error: execution.error,
    queued: spec.queued,
    started: spec.started,
    finished: execution.finished,
    taskResults: plainTaskResults(execution.tasks),
  })
  bump(state.runningCounts, `${spec.nodeId}|${spec.jobTypeId}`, -1)
  if (execution.status === 'COMPLETED') {
    state.completedJobs.push({ jobId: spec.jobId, exeNum: spec.exeNum })
    bump(state.finishedCounts, `${spec.nodeId}|completed|${spec.jobTypeId}`, 1)
  } else if (execution.status === 'FAILED' && execution.error !== undefined) {
    state.failedJobs.push({ jobId: spec.jobId, exeNum: spec.exeNum, error: execution.error })
    bump(state.finishedCounts, `${spec.nodeId}|${execution.error.category}|${spec.jobTypeId}`, 1)
  }
}

const failureError = (task: PlainTask, execution: MutableExecution): Errors.JobError => {
  if (task.type === 'pull') return Errors.BUILTIN.pull
  if (task.started === undefined) return Errors.BUILTIN['docker-task-launch']
  if (task.type === 'main') {
    const mapping = execution.spec.jobType.errorMapping
    const code = task.exitCode
    const mapped = mapping !== undefined && code !== undefined ? mapping[code] : undefined
    return mapped ?? Errors.BUILTIN['algorithm-unknown']
  }
  return Errors.BUILTIN.unknown
}

const taskUpdated = (state: MutableState, update: TaskUpdate.TaskUpdate, now: number): void => {
  const clusterId = plainClusterIdOfTask(update.taskId)
  if (clusterId === undefined) return
  const execution = state.running.get(clusterId)
  if (execution === undefined || execution.current < 0) return
  const index = execution.current
  const task = execution.tasks[index]
  if (task === undefined || task.id !== update.taskId) return
  task.lastUpdate = update.timestamp
  if (task.ended !== undefined) return
  switch (update.status) {
    case 'RUNNING':
      if (task.started === undefined) {
        task.started = update.timestamp
        task.containerName = update.containerName
      }
      return
    case 'FINISHED':
      task.ended = update.timestamp
      task.finalStatus = 'FINISHED'
      task.exitCode = update.exitCode ?? 0
      execution.current = -1
      execution.lastTaskFinished = now
      if (execution.next >= execution.tasks.length) setFinalStatus(execution, 'COMPLETED', now)
      break
    case 'FAILED':
    case 'KILLED':
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
        task.id = `${task.baseId}_lost-${task.lostCount}`
        execution.next = index
      }
      break
    case 'STAGING':
    case 'UNKNOWN':
      return
  }
  if (execution.current < 0 && execution.next >= execution.tasks.length) finish(state, execution)
}

export const apply = (state: MutableState, event: LifecycleEvent, now: number): void => {
  switch (event.type) {
    case 'NextTaskStarted': {
      const execution = state.running.get(event.clusterId)
      if (execution === undefined || execution.current >= 0 || execution.next >= execution.tasks.length) return
      execution.current = execution.next
      execution.next++
      return
    }
    case 'TaskLaunched': {
      const clusterId = plainClusterIdOfTask(event.taskId)
      const execution = clusterId === undefined ? undefined : state.running.get(clusterId)
      if (execution === undefined) return
      const task = execution.tasks[execution.current]
      if (task === undefined || task.id !== event.taskId || task.launched !== undefined) return
      task.launched = now
      task.lastUpdate = now
      return
    }
    case 'TaskUpdated':
      taskUpdated(state, event.update, now)
      return
  }
}

export const mutableEngine: Engine<MutableState> = {
  name: 'old floor (split/join, joined strings)',
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
  step: (state, events: readonly BenchEvent[], now) => {
    for (let i = 0; i < events.length; i++) {
      const event = events[i]
      if (event === undefined) continue
      if (event.type === 'Scheduled') for (const spec of event.executions) schedule(state, spec)
      else apply(state, event, now)
    }
    return state
  },
  running: (state) => state.running.size,
  runningByNode: (state, nodeId) => {
    let total = 0
    for (const [key, n] of state.runningCounts) if (key.startsWith(`${nodeId}|`)) total += n
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
