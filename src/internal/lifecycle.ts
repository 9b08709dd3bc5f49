/**
 * Executions coming and going: adding a scheduled one, applying an execution
 * event to a running one, and finishing one that is done (its end queued in the
 * outbox, counted in the metrics, and remembered while it counts there, so that
 * the same execution delivered again is not run twice).
 *
 * @internal
 * @module
 */
import * as Execution from '../execution'
import type { ExecutionSpec } from '../execution'
import {
  canonicalNodeId,
  clusterIdOfTask,
  isJobTaskId,
  type ClusterId,
  type Instant,
  type NodeId,
  type RecordId,
} from '../ids'
import type { ExecutionRefusalReason, HostMessage, SyncedJob } from '../manager'
import * as Metrics from '../metrics'
import type { Settings } from '../settings'
import type * as Task from '../task'
import * as Deadlines from './deadlineIndex'
import * as HM from './hashMap'
import { reindex } from './indexMaintenance'
import { empty, withChanges, type ManagerState } from './managerState'
import * as Groups from './nodeJobGroups'
import * as Outbox from './outbox'
import * as R from './remembered'
import * as SM from './sortedMap'
import { fromListed, type ListedExecution } from './taskList'

type Schedulable = Execution.Execution | ExecutionSpec | ListedExecution

// What `Scheduled` carries, told apart as the event guard does (eventGuards.ts).
const isListed = (x: Schedulable): x is ListedExecution => 'status' in x && 'tasks' in x && Array.isArray(x.tasks)
const isKept = (x: Schedulable): x is Execution.Execution =>
  'status' in x && 'tasksSoFar' in x && Array.isArray(x.tasksSoFar)

const asExecution = (x: Schedulable, settings: Settings): Execution.Execution =>
  isListed(x) ? fromListed(x) : isKept(x) ? x : Execution.create(x, settings)

/** What is remembered once the metrics moved on to `metrics`: the blocks that left the window are forgotten with them. */
export const forgetExpired = (state: ManagerState, metrics: Metrics.Metrics): R.Remembered =>
  metrics.now === state.metrics.now ? state.remembered : R.forget(state.remembered, metrics.now)

// Delivery is at least once: an execution running, or finished within the
// window, is not added again; nor is a second one with a running execution id.
const addExecution = (state: ManagerState, execution: Execution.Execution, now: Instant): ManagerState => {
  const id = execution.clusterId
  const hash = HM.hashString(id)
  if (HM.has(state.running, id, hash) || R.has(state.remembered, id, hash)) return state
  const executionHash = HM.hashNumber(execution.id)
  if (HM.has(state.byExecutionId, execution.id, executionHash)) return state
  const grouped = withChanges(state, {
    byNode: Groups.join(state.byNode, canonicalNodeId(execution.nodeId), id, hash),
    byJob: Groups.join(state.byJob, execution.jobId, id, hash),
    byExecutionId: HM.set(state.byExecutionId, execution.id, executionHash, id),
    metrics: Metrics.addRunning(state.metrics, execution),
  })
  const added = reindex(grouped, id, hash, undefined, execution)
  return Execution.isFinished(execution) ? finish(added, hash, execution, execution, now) : added
}

// `indexed` is the version of the execution the indexes hold.
const finish = (
  state: ManagerState,
  hash: number,
  indexed: Execution.Execution,
  execution: Execution.Execution,
  now: Instant,
): ManagerState => {
  const id = execution.clusterId
  const unindexed = reindex(state, id, hash, indexed, undefined)
  const metrics = Metrics.addFinished(Metrics.removeRunning(Metrics.advance(state.metrics, now), execution), execution)
  const executionHash = HM.hashNumber(execution.id)
  const until = Metrics.blockStart(Math.max(Execution.finished(execution) ?? now, metrics.now))
  return withChanges(unindexed, {
    byNode: Groups.leave(state.byNode, canonicalNodeId(execution.nodeId), id, hash),
    byJob: Groups.leave(state.byJob, execution.jobId, id, hash),
    byExecutionId:
      HM.get(state.byExecutionId, execution.id, executionHash) === id
        ? HM.remove(state.byExecutionId, execution.id, executionHash)
        : state.byExecutionId,
    outbox: Outbox.queueFinished(state.outbox, execution),
    metrics,
    remembered: R.remember(forgetExpired(state, metrics), id, hash, until),
  })
}

/**
 * The state once the execution `id` took `event` at `now`: re-indexed, or
 * finished when it has neither a current task nor tasks remaining; the very
 * same state when it is not running or the event changes nothing.
 */
export const applyTo = (
  state: ManagerState,
  id: ClusterId,
  now: Instant,
  event: Execution.ExecutionEvent,
): ManagerState => {
  const hash = HM.hashString(id)
  const before = HM.get(state.running, id, hash)
  if (before === undefined) return state
  const after = Execution.reduce(before, event, now)
  if (after === before) return state
  if (Execution.isFinished(after)) return finish(state, hash, before, after, now)
  // The indexes keep the execution's own id string: `id` may be a slice of an
  // event's task id, which would keep that whole string alive.
  return reindex(state, before.clusterId, hash, before, after)
}

/** The state once each execution of `ids`, in order, took each of `events`. */
export const applyToAll = (
  state: ManagerState,
  ids: readonly ClusterId[],
  now: Instant,
  events: readonly Execution.ExecutionEvent[],
): ManagerState => {
  let next = state
  for (const id of ids) for (const event of events) next = applyTo(next, id, now, event)
  return next
}

/**
 * Why no update could ever reach this execution, if so: the manager finds an
 * execution by the cluster id inside a task id (`clusterIdOfTask`), so the
 * cluster id, and each task id, must give the cluster id back. The cluster id
 * is checked as the start of a task id too, so that an execution without tasks
 * is judged as one with them would be. `tasks` are its tasks reached so far
 * (or all listed), none with `false`: a task not reached yet, like every task
 * of an execution made from a spec, has the id `{clusterId}_{taskType}` (no
 * task type holds `_`), which routes as the cluster id does.
 */
export const unroutableReason = (
  id: ClusterId,
  tasks: readonly Task.Task[] | false,
): ExecutionRefusalReason | undefined => {
  if (!isJobTaskId(id)) return 'cluster-id-without-job-prefix'
  if (clusterIdOfTask(`${id}_task`) !== id) return 'unroutable-task-ids'
  if (tasks !== false) for (const task of tasks) if (clusterIdOfTask(task.id) !== id) return 'unroutable-task-ids'
  return undefined
}

/**
 * The state with these executions (or specs, made with the state's settings)
 * running, and the host's messages queued. An execution no update could reach,
 * and a host message whose `type` is one of the manager's, are refused: not
 * added, and a refusal queued in their place, in order.
 */
export const schedule = (
  state: ManagerState,
  executions: ReadonlyArray<Execution.Execution | ExecutionSpec>,
  messages: readonly HostMessage[] | undefined,
  now: Instant,
): ManagerState => {
  let next = state
  for (const x of executions) {
    // Delivered again: skipped before a spec is made into an execution.
    const hash = HM.hashString(x.clusterId)
    if (HM.has(next.running, x.clusterId, hash) || R.has(next.remembered, x.clusterId, hash)) continue
    const execution = asExecution(x, state.settings)
    const reason = unroutableReason(execution.clusterId, (isListed(x) || isKept(x)) && execution.tasksSoFar)
    next =
      reason === undefined
        ? addExecution(next, execution, now)
        : withChanges(next, {
            outbox: Outbox.queueRefusal(next.outbox, {
              type: 'ExecutionRefused',
              clusterId: execution.clusterId,
              id: execution.id,
              reason,
            }),
          })
  }
  if (messages === undefined) return next
  let outbox = next.outbox
  // Most batches hold no message to refuse: those are queued in one step.
  if (!messages.some(Outbox.hasCoreMessageType)) outbox = Outbox.queueHost(outbox, messages)
  else {
    for (const message of messages) {
      outbox = Outbox.hasCoreMessageType(message)
        ? Outbox.queueRefusal(outbox, { type: 'MessageRefused', message, reason: 'core-message-type' })
        : Outbox.queueHost(outbox, [message])
    }
  }
  return outbox === next.outbox ? next : withChanges(next, { outbox })
}

/**
 * A state with these settings and executions at `now`, as if scheduled then:
 * what a snapshot restores. When every execution would be added (distinct
 * cluster and execution ids, none finished: a checked snapshot's), each index
 * is built at once, a hash map or tree per index rather than a path copy of
 * each per execution; otherwise they are added one by one.
 */
export const rebuild = (settings: Settings, now: Instant, running: readonly Execution.Execution[]): ManagerState =>
  allDistinctAndRunning(running) ? built(empty(now, settings), running) : addedOneByOne(settings, now, running)

/**
 * The state of {@link rebuild}, made by adding the executions one by one as
 * `Scheduled` does: the reference the tests hold the built one to.
 */
export const addedOneByOne = (
  settings: Settings,
  now: Instant,
  running: readonly Execution.Execution[],
): ManagerState => {
  let state = empty(now, settings)
  for (const execution of running) state = addExecution(state, execution, now)
  return state
}

// Whether adding `running` one by one would add each (distinct cluster ids and
// execution ids, none finished): then the state can be built at once.
const allDistinctAndRunning = (running: readonly Execution.Execution[]): boolean => {
  const clusterIds = new Set<ClusterId>()
  const ids = new Set<RecordId>()
  for (const execution of running) {
    if (Execution.isFinished(execution)) return false
    clusterIds.add(execution.clusterId)
    ids.add(execution.id)
  }
  return clusterIds.size === running.length && ids.size === running.length
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

// The ids of `running` for which `holds` does, as the entries of a set tree.
const treeOf = (
  running: readonly Execution.Execution[],
  holds: (execution: Execution.Execution) => boolean,
): SM.Tree<ClusterId, true> =>
  SM.fromAscending(
    running
      .filter(holds)
      .map((execution) => execution.clusterId)
      .sort(compareStrings)
      .map((id): readonly [ClusterId, true] => [id, true]),
  )

// The running counts of `running`, tallied first: a tree update per execution
// cost more than the rest of the rebuild's indexes together.
const runningCounts = (running: readonly Execution.Execution[]): Metrics.Counts => {
  const tally = new Map<NodeId, Map<RecordId, number>>()
  for (const { nodeId, jobTypeId } of running) {
    let byJobType = tally.get(nodeId)
    if (byJobType === undefined) {
      byJobType = new Map()
      tally.set(nodeId, byJobType)
    }
    byJobType.set(jobTypeId, (byJobType.get(jobTypeId) ?? 0) + 1)
  }
  const rows: Metrics.CountRow[] = []
  for (const [nodeId, byJobType] of tally) {
    for (const [jobTypeId, n] of byJobType) rows.push([nodeId, 'running', jobTypeId, n])
  }
  return Metrics.fromEntries(rows)
}

/**
 * The empty state `state` with `running` added (see `allDistinctAndRunning`),
 * each index built at once rather than by a path copy per execution: the state
 * adding them one by one gives, with the same maps' shapes (a function of the
 * key sets) and the same entries in its trees.
 */
const built = (state: ManagerState, running: readonly Execution.Execution[]): ManagerState => {
  const ids = running.map((execution) => execution.clusterId)
  const hashes = ids.map(HM.hashString)
  const ready = running.map(Execution.isNextTaskReady)
  const metrics = { ...state.metrics, running: Metrics.add(state.metrics.running, runningCounts(running)) }
  return withChanges(state, {
    running: HM.fromDistinct(hashes, ids, running),
    byNode: Groups.fromMembers(
      running.map((execution) => canonicalNodeId(execution.nodeId)),
      ids,
      hashes,
    ),
    byJob: Groups.fromMembers(
      running.map((execution) => execution.jobId),
      ids,
      hashes,
    ),
    byExecutionId: HM.fromDistinct(
      running.map((execution) => HM.hashNumber(execution.id)),
      running.map((execution) => execution.id),
      ids,
    ),
    deadlines: Deadlines.fromExecutions(running, hashes),
    toKill: treeOf(running, Execution.needsKill),
    forced: treeOf(running, Execution.isReconciliationForced),
    ready: HM.setOfDistinct(
      hashes.filter((_, i) => ready[i]),
      ids.filter((_, i) => ready[i]),
    ),
    metrics,
  })
}

// Record keys are strings in JSON: a key names the job whose id it spells as
// JSON writes that number ('12'; not '012', '+12' or '12.0'), the rule that
// tells a node's number from a node's name.
const jobIdOfKey = (key: string): RecordId | string => canonicalNodeId(key)

const CANCELED: Execution.ExecutionEvent = { type: 'Canceled' }

/** The state with the executions of CANCELED jobs, and of jobs with more executions than their own number, canceled. */
export const cancelSynced = (
  state: ManagerState,
  jobs: Readonly<Record<string, SyncedJob>>,
  now: Instant,
): ManagerState => {
  let next = state
  for (const key of Object.keys(jobs)) {
    const job = jobs[key]
    if (typeof job !== 'object' || job === null) continue
    const jobId = jobIdOfKey(key)
    if (typeof jobId !== 'number') continue
    for (const id of Groups.membersOf(next.byJob, jobId)) {
      const execution = HM.get(next.running, id, HM.hashString(id))
      if (execution === undefined) continue
      if (job.status === 'CANCELED' || job.numExes > execution.exeNum) {
        next = applyTo(next, id, now, CANCELED)
      }
    }
  }
  return next
}
