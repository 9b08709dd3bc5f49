/**
 * The manager of all running job executions: it routes events to executions,
 * finishes the ones that are done, queues the messages the host must send, and
 * keeps the metrics.
 *
 * The state is a set of persistent maps: the running executions by cluster id,
 * and indexes by node, job, execution id, readiness, kill and reconciliation
 * need, and by the next timeout, reconciliation and starvation deadline. An
 * event costs O(log n) per execution it touches, never a scan or a copy of the
 * whole running set; an event that changes nothing returns the very same state.
 *
 * Bad input never throws and never corrupts counts: events naming unknown
 * cluster ids, task ids, nodes or jobs change nothing; updates for task ids
 * without the job prefix are ignored; duplicate and out-of-order updates are
 * absorbed by the task rules (an update for a task that is not current changes
 * nothing). Time may go backwards: every instant the manager records is the
 * `now` given (task instants are the updates' own timestamps, as the cluster
 * saw them), deadlines are compared with it as they are, and the metrics window
 * never moves back (see {@link Metrics.advance}).
 *
 * @since 0.1.0
 * @module
 */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as Execution from './execution'
import type { EndRecord, Execution as RunningExecution, ExecutionSpec } from './execution'
import type { JobError } from './errors'
import { clusterIdOfTask, type ClusterId, type Instant, type NodeId, type RecordId, type TaskId } from './ids'
import { describe, type Problem } from './internal/decode'
import { invalidError } from './internal/invalid'
import { checkedManagerEvent, isNow } from './internal/eventGuards'
import { JOB_STATUS_LIST } from './internal/recordGuards'
import { fnv1a32 } from './internal/fnv1a'
import * as HM from './internal/hashMap'
import * as L from './internal/list'
import * as R from './internal/remembered'
import * as SM from './internal/sortedMap'
import * as Snapshots from './internal/snapshot'
import * as Metrics from './metrics'
import type { Settings } from './settings'
import type { Task } from './task'
import * as TaskModule from './task'
import { fromKubernetesPod, fromMesos, type InvalidTaskUpdate, type TaskUpdate } from './taskUpdate'

/**
 * A message the host scheduler gave with its scheduled executions; passed
 * through to the outbox as it is.
 *
 * @category model
 * @since 0.1.0
 */
export type HostMessage = unknown

/**
 * A completed job, as the `CompletedJobs` message lists it.
 *
 * @category model
 * @since 0.1.0
 */
export interface CompletedJob {
  readonly jobId: RecordId
  readonly exeNum: number
}

/**
 * A failed job, as the `FailedJobs` message lists it.
 *
 * @category model
 * @since 0.1.0
 */
export interface FailedJob {
  readonly jobId: RecordId
  readonly exeNum: number
  readonly error: JobError
}

/**
 * The messages the manager produces for the host to send.
 *
 * @category model
 * @since 0.1.0
 */
export type Message =
  | { readonly type: 'JobExeEnd'; readonly records: readonly EndRecord[] }
  | { readonly type: 'CompletedJobs'; readonly jobs: readonly CompletedJob[]; readonly when: Instant }
  | { readonly type: 'FailedJobs'; readonly jobs: readonly FailedJob[]; readonly when: Instant }

/**
 * What {@link drain} returns: the host's own messages first, as they were
 * given (so of the host's own type), then the manager's {@link Message}s; tell
 * them apart with {@link isMessage}.
 *
 * @category model
 * @since 0.1.0
 */
export type Drained = readonly unknown[]

const MESSAGE_TYPES: ReadonlySet<unknown> = new Set(['JobExeEnd', 'CompletedJobs', 'FailedJobs'])

/**
 * Whether a drained message is one of the manager's own (rather than a host
 * message): its `type` is `JobExeEnd` with an array of `records`, or
 * `CompletedJobs` or `FailedJobs` with an array of `jobs` and a numeric
 * `when`. A host message that only looks like one (`{ type: 'CompletedJobs',
 * jobs: null }`) is not.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * declare const drained: Manager.Drained
 * const records = drained.filter(Manager.isMessage).flatMap((m) => (m.type === 'JobExeEnd' ? m.records : []))
 *
 * @category refinements
 * @since 0.1.0
 */
export const isMessage = (message: unknown): message is Message => {
  if (typeof message !== 'object' || message === null) return false
  const { type, records, jobs, when } = message as {
    readonly type?: unknown
    readonly records?: unknown
    readonly jobs?: unknown
    readonly when?: unknown
  }
  // A host message may look like one of these: only the exact shape counts.
  if (!MESSAGE_TYPES.has(type)) return false
  return type === 'JobExeEnd' ? Array.isArray(records) : Array.isArray(jobs) && typeof when === 'number'
}

/**
 * The end records in drained messages, in order.
 *
 * @category destructors
 * @since 0.1.0
 */
export const endRecordsOf = (messages: Drained): EndRecord[] =>
  messages.filter(isMessage).flatMap((m) => (m.type === 'JobExeEnd' ? m.records : []))

/**
 * The queued messages, not yet drained.
 *
 * @category model
 * @since 0.1.0
 */
export interface Outbox {
  readonly host: L.List<HostMessage>
  readonly ends: L.List<EndRecord>
  readonly completed: L.List<CompletedJob>
  readonly failed: L.List<FailedJob>
}

type Pair<A, B> = readonly [A, B]

/**
 * The manager's state. Read it through the queries of this module; its maps are
 * internal persistent trees.
 *
 * @category model
 * @since 0.1.0
 */
export interface Manager {
  /** Settings for executions scheduled as specs rather than as executions. */
  readonly settings: Settings
  readonly running: HM.HashMap<ClusterId, RunningExecution>
  /** The cluster ids on each node. */
  readonly byNode: Groups<NodeId>
  /** The cluster ids of each job. */
  readonly byJob: Groups<RecordId>
  readonly byExecutionId: HM.HashMap<RecordId, ClusterId>
  /**
   * Each execution with a deadline of any kind (timeout, starvation,
   * reconciliation) under a key at or before it; the first key is exact.
   */
  readonly deadlines: SM.Tree<Pair<Instant, ClusterId>, true>
  /** The key of each execution in `deadlines`. */
  readonly deadlineKeys: HM.HashMap<ClusterId, Instant>
  /** The smallest key of `deadlines`, kept so that {@link nextDeadline} costs the same at any size. */
  readonly earliestDeadline: Instant | undefined
  readonly toKill: SM.Tree<ClusterId, true>
  readonly forced: SM.Tree<ClusterId, true>
  readonly ready: HM.HashMap<ClusterId, true>
  readonly outbox: Outbox
  readonly metrics: Metrics.Metrics
  /**
   * The cluster ids of executions that finished, and of end records that went
   * out, while their end is in the metrics window: a `Scheduled`, a history
   * record or a canceled-off-queue record delivered again for one of them
   * changes nothing. Forgotten block by block as the window moves on.
   *
   * @internal
   */
  readonly remembered: R.Remembered
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const compareByInstant = (a: Pair<Instant, ClusterId>, b: Pair<Instant, ClusterId>): number =>
  a[0] - b[0] || compareStrings(a[1], b[1])

/**
 * Sets of cluster ids by a node or job id: a hash map of hash sets, a group of
 * one being its cluster id alone (a job mostly has one execution running), so
 * that an execution costs one small entry, not a tree node and a key pair.
 *
 * @internal
 */
export type Groups<K> = HM.HashMap<K, ClusterId | HM.HashMap<ClusterId, true>>

const hashOfId = (key: NodeId): number => (typeof key === 'number' ? HM.hashNumber(key) : HM.hashString(key))

const join = <K extends NodeId>(groups: Groups<K>, key: K, id: ClusterId, idHash: number): Groups<K> => {
  const hash = hashOfId(key)
  const members = HM.get(groups, key, hash)
  if (members === undefined) return HM.set(groups, key, hash, id)
  if (typeof members !== 'string') return HM.set(groups, key, hash, HM.set(members, id, idHash, true))
  if (members === id) return groups
  const pair = HM.set(HM.set(HM.empty, members, HM.hashString(members), true), id, idHash, true)
  return HM.set(groups, key, hash, pair)
}

const leave = <K extends NodeId>(groups: Groups<K>, key: K, id: ClusterId, idHash: number): Groups<K> => {
  const hash = hashOfId(key)
  const members = HM.get(groups, key, hash)
  if (members === undefined) return groups
  if (typeof members === 'string') return members === id ? HM.remove(groups, key, hash) : groups
  const left = HM.remove(members, id, idHash)
  if (left === members) return groups
  // A set holds two or more, so a set of one is left only here: its one key is a short listing.
  const [only] = left.size === 1 ? HM.keys(left) : []
  return HM.set(groups, key, hash, only ?? left)
}

// In cluster id order, so that what an event does to a group's executions does
// not depend on the hashes.
const membersOf = <K extends NodeId>(groups: Groups<K>, key: K): ClusterId[] => {
  const members = HM.get(groups, key, hashOfId(key))
  if (members === undefined) return []
  return typeof members === 'string' ? [members] : HM.keys(members).sort(compareStrings)
}

const EMPTY_OUTBOX: Outbox = { host: null, ends: null, completed: null, failed: null }

/**
 * An empty manager at `now`. Executions scheduled as specs take `settings`
 * (defaults for omitted keys).
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * const manager = Manager.create(Date.now())
 * Manager.runningExecutions(manager) // []
 *
 * @category constructors
 * @since 0.1.0
 */
export const create = (now: Instant, settings?: Partial<Settings>): Manager => ({
  settings: Execution.withDefaults(settings),
  running: HM.empty,
  byNode: HM.empty,
  byJob: HM.empty,
  byExecutionId: HM.empty,
  deadlines: SM.empty,
  deadlineKeys: HM.empty,
  earliestDeadline: undefined,
  toKill: SM.empty,
  forced: SM.empty,
  ready: HM.empty,
  outbox: EMPTY_OUTBOX,
  metrics: Metrics.create(now),
  remembered: R.empty,
})

/**
 * A job's status in the host's database, as Scale names them. `JobsSynced`
 * cancels the executions of a `CANCELED` job; the other statuses leave them
 * alone. A status outside this list (say, `'cancelled'`) does not compile, and
 * passed anyway from JavaScript or a log, its job is refused.
 *
 * @category model
 * @since 0.2.0
 */
export type JobStatus = 'PENDING' | 'BLOCKED' | 'QUEUED' | 'RUNNING' | 'FAILED' | 'COMPLETED' | 'CANCELED'

/**
 * Every job status, in Scale's order.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * Manager.JOB_STATUSES.includes('CANCELED') // true
 *
 * @category constants
 * @since 0.2.0
 */
export const JOB_STATUSES: readonly JobStatus[] = JOB_STATUS_LIST

/**
 * The status and number of executions of a job, as the host's database says.
 *
 * @example
 * import type { Manager } from 'job-execution-core'
 * const job: Manager.SyncedJob = { status: 'CANCELED', numExes: 2 }
 *
 * @category model
 * @since 0.1.0
 */
export interface SyncedJob {
  readonly status: JobStatus
  readonly numExes: number
}

/**
 * The events the manager reacts to; the event time is always the reducer's `now`.
 *
 * | event | effect |
 * | --- | --- |
 * | `Scheduled` | the executions (or specs) run from now on; the host's messages wait in the outbox; cluster ids already running or remembered as finished, and execution ids already running, are ignored (delivery is at least once) |
 * | `NextTaskStarted` | the execution starts its next task |
 * | `TaskLaunched` | the task's execution launches its current task; launched after the execution's final status (canceled, lost, timed out, ...), it needs a kill at once |
 * | `TaskUpdated` | the update goes to its execution (job task ids only); a finished execution is finished |
 * | `TaskTimedOut` | the execution fails with the task's timeout error; it stays until the task's final update |
 * | `TimeoutsChecked` | every current task whose timeout passed times out as above and needs a kill; an execution with a final status whose current task is still not launched once the staging timeout has passed since that status is finished (see {@link Execution.unlaunchedDeadline}) |
 * | `ExecutionsLost` | each named execution (by execution id, or by cluster id) is lost, and its current task needs a kill |
 * | `NodeLost` | every execution on the node is lost |
 * | `CanceledOffQueue` | the end records go straight to the outbox, each cluster id once while it is remembered |
 * | `JobsSynced` | executions of CANCELED jobs, and of jobs with more executions than their own number, are canceled |
 * | `StarvationChecked` | executions starved of resources fail with `resource-starvation` |
 * | `HistoryLoaded` | recent end records are counted in the finished metrics as if they had finished live; a record whose cluster id is remembered is skipped |
 *
 * @category events
 * @since 0.1.0
 */
export type ManagerEvent =
  | {
      readonly type: 'Scheduled'
      readonly executions: ReadonlyArray<RunningExecution | ExecutionSpec>
      readonly messages?: readonly HostMessage[] | undefined
    }
  | { readonly type: 'NextTaskStarted'; readonly clusterId: ClusterId }
  | { readonly type: 'TaskLaunched'; readonly taskId: TaskId }
  | { readonly type: 'TaskUpdated'; readonly update: TaskUpdate }
  | { readonly type: 'TaskTimedOut'; readonly taskId: TaskId }
  | { readonly type: 'TimeoutsChecked' }
  | { readonly type: 'ExecutionsLost'; readonly ids: ReadonlyArray<RecordId | ClusterId> }
  | { readonly type: 'NodeLost'; readonly nodeId: NodeId }
  | { readonly type: 'CanceledOffQueue'; readonly records: readonly EndRecord[] }
  | { readonly type: 'JobsSynced'; readonly jobs: Readonly<Record<string, SyncedJob>> }
  | { readonly type: 'StarvationChecked' }
  | { readonly type: 'HistoryLoaded'; readonly records: readonly Metrics.Counted[] }

// --- indexes -----------------------------------------------------------------

const earlier = (a: Instant | undefined, b: Instant | undefined): Instant | undefined =>
  a === undefined || (b !== undefined && b < a) ? b : a

// The earliest instant at which a check would act on the execution: its current
// task's timeout or (unforced) reconciliation, the drop of a current task never
// launched after a final status, or its starvation.
const deadlineOf = (execution: RunningExecution): Instant | undefined => {
  const task = Execution.currentTask(execution)
  if (task === undefined) return Execution.starvationDeadline(execution)
  const timeout = TaskModule.timeoutDeadline(task)
  const reconciliation = task.forceReconciliation ? undefined : TaskModule.reconciliationDeadline(task)
  return earlier(earlier(timeout, reconciliation), Execution.unlaunchedDeadline(execution))
}

const reconciliationDeadlineOf = (execution: RunningExecution): Instant | undefined => {
  const task = Execution.currentTask(execution)
  return task === undefined || task.forceReconciliation ? undefined : TaskModule.reconciliationDeadline(task)
}

const needsKill = (execution: RunningExecution | undefined): boolean => {
  const task = execution === undefined ? undefined : Execution.currentTask(execution)
  return task !== undefined && TaskModule.needsKill(task)
}

const isForced = (execution: RunningExecution | undefined): boolean => {
  const task = execution === undefined ? undefined : Execution.currentTask(execution)
  return task !== undefined && task.forceReconciliation && TaskModule.reconciliationDeadline(task) !== undefined
}

const isReady = (execution: RunningExecution | undefined): boolean =>
  execution !== undefined && Execution.isNextTaskReady(execution)

const toggle = (
  tree: SM.Tree<ClusterId, true>,
  id: ClusterId,
  before: boolean,
  after: boolean,
): SM.Tree<ClusterId, true> => {
  if (before === after) return tree
  return after ? SM.set(tree, id, true, compareStrings) : SM.remove(tree, id, compareStrings)
}

// The deadline index is lazy, because nearly every event moves an execution's
// deadline later (each update pushes its reconciliation out, an ended task
// drops it) and a tree move per event was half of an event's cost. Each
// execution with a deadline sits under a key at or before it, recorded in
// `deadlineKeys`; a key moves only when the deadline comes earlier than it, and
// the first key is always exact: when the execution there moves on, its key is
// settled, and so on until the first key is exact again. Every other key being
// a lower bound, the first key is the earliest deadline of all.
interface Deadlines {
  readonly deadlines: SM.Tree<Pair<Instant, ClusterId>, true>
  readonly deadlineKeys: HM.HashMap<ClusterId, Instant>
}

// Callers never move a key to where it is.
const moveKey = (
  index: Deadlines,
  id: ClusterId,
  hash: number,
  from: Instant | undefined,
  to: Instant | undefined,
): Deadlines => {
  let deadlines = index.deadlines
  if (from !== undefined) deadlines = SM.remove(deadlines, [from, id], compareByInstant)
  if (to !== undefined) deadlines = SM.set(deadlines, [to, id], true, compareByInstant)
  const deadlineKeys =
    to === undefined ? HM.remove(index.deadlineKeys, id, hash) : HM.set(index.deadlineKeys, id, hash, to)
  return { deadlines, deadlineKeys }
}

// Settles first keys until the first one is exact.
const settleFront = (index: Deadlines, running: HM.HashMap<ClusterId, RunningExecution>): Deadlines => {
  let next = index
  for (;;) {
    const first = SM.min(next.deadlines)
    if (first === undefined) return next
    const [key, id] = first.key
    const hash = HM.hashString(id)
    const execution = HM.get(running, id, hash)
    const due = execution === undefined ? undefined : deadlineOf(execution)
    if (due === key) return next
    next = moveKey(next, id, hash, key, due)
  }
}

// The state with one execution's index entries moved from what `before` needs
// to what `after` needs (`undefined`: not running), and its running entry set
// to `running` (always a changed map: callers return early when nothing
// changed). Only the current task can be launched and not ended, so only it
// and the execution's starvation (or, after a final status, the drop of a
// current task never launched) matter.
const reindex = (
  state: Manager,
  id: ClusterId,
  hash: number,
  before: RunningExecution | undefined,
  after: RunningExecution | undefined,
  running: HM.HashMap<ClusterId, RunningExecution>,
): Manager => {
  let index: Deadlines = state
  const key = HM.get(state.deadlineKeys, id, hash)
  const due = after === undefined ? undefined : deadlineOf(after)
  if (after === undefined ? key !== undefined : due !== undefined && (key === undefined || due < key)) {
    index = moveKey(index, id, hash, key, due)
  }
  // Only the first key can go stale, and only when its execution moves on or ends.
  if (key !== undefined && key === state.earliestDeadline) index = settleFront(index, running)
  const readyBefore = isReady(before)
  const readyAfter = isReady(after)
  const ready =
    readyBefore === readyAfter
      ? state.ready
      : readyAfter
        ? HM.set(state.ready, id, hash, true)
        : HM.remove(state.ready, id, hash)
  const toKill = toggle(state.toKill, id, needsKill(before), needsKill(after))
  const forced = toggle(state.forced, id, isForced(before), isForced(after))
  return {
    settings: state.settings,
    running,
    byNode: state.byNode,
    byJob: state.byJob,
    byExecutionId: state.byExecutionId,
    deadlines: index.deadlines,
    deadlineKeys: index.deadlineKeys,
    earliestDeadline: index.deadlines === state.deadlines ? state.earliestDeadline : SM.min(index.deadlines)?.key[0],
    toKill,
    forced,
    ready,
    outbox: state.outbox,
    metrics: state.metrics,
    remembered: state.remembered,
  }
}

// --- adding, replacing and finishing executions ---------------------------------

const isExecution = (x: RunningExecution | ExecutionSpec): x is RunningExecution =>
  'tasks' in x && Array.isArray(x.tasks) && 'status' in x

const addExecution = (state: Manager, execution: RunningExecution, now: Instant): Manager => {
  const id = execution.clusterId
  const hash = HM.hashString(id)
  // Delivery is at least once: an execution running, or finished within the
  // window, is not added again; nor is a second one with a running execution id.
  if (HM.has(state.running, id, hash) || R.has(state.remembered, id, hash)) return state
  if (HM.has(state.byExecutionId, execution.id, HM.hashNumber(execution.id))) return state
  const added: Manager = reindex(
    {
      ...state,
      byNode: join(state.byNode, execution.nodeId, id, hash),
      byJob: join(state.byJob, execution.jobId, id, hash),
      byExecutionId: HM.set(state.byExecutionId, execution.id, HM.hashNumber(execution.id), id),
      metrics: Metrics.addRunning(state.metrics, execution),
    },
    id,
    hash,
    undefined,
    execution,
    HM.set(state.running, id, hash, execution),
  )
  return Execution.isFinished(execution) ? finish(added, hash, execution, execution, now) : added
}

// `indexed` is the version of the execution the indexes hold.
const finish = (
  state: Manager,
  hash: number,
  indexed: RunningExecution,
  execution: RunningExecution,
  now: Instant,
): Manager => {
  const id = execution.clusterId
  const unindexed = reindex(state, id, hash, indexed, undefined, HM.remove(state.running, id, hash))
  const record = Execution.endRecord(execution)
  const outbox: Outbox = {
    host: state.outbox.host,
    ends: L.append(state.outbox.ends, record),
    completed:
      execution.status === 'COMPLETED'
        ? L.append(state.outbox.completed, { jobId: execution.jobId, exeNum: execution.exeNum })
        : state.outbox.completed,
    failed:
      execution.status === 'FAILED' && execution.error !== undefined
        ? L.append(state.outbox.failed, { jobId: execution.jobId, exeNum: execution.exeNum, error: execution.error })
        : state.outbox.failed,
  }
  const metrics = Metrics.addFinished(Metrics.removeRunning(Metrics.advance(state.metrics, now), execution), execution)
  const executionHash = HM.hashNumber(execution.id)
  const remembered = R.remember(
    forgetExpired(state, metrics),
    id,
    hash,
    Metrics.blockStart(Math.max(execution.finished ?? now, metrics.now)),
  )
  return {
    ...unindexed,
    byNode: leave(state.byNode, execution.nodeId, id, hash),
    byJob: leave(state.byJob, execution.jobId, id, hash),
    byExecutionId:
      HM.get(state.byExecutionId, execution.id, executionHash) === id
        ? HM.remove(state.byExecutionId, execution.id, executionHash)
        : state.byExecutionId,
    outbox,
    metrics,
    remembered,
  }
}

// What is remembered once the metrics moved on to `metrics`: the blocks that left the window are forgotten with them.
const forgetExpired = (state: Manager, metrics: Metrics.Metrics): R.Remembered =>
  metrics.now === state.metrics.now ? state.remembered : R.forget(state.remembered, metrics.now)

// The cluster id of a record from the host, if it has one (history records need not).
const clusterIdOfRecord = (record: object): ClusterId | undefined => {
  const id = (record as { readonly clusterId?: unknown }).clusterId
  return typeof id === 'string' ? id : undefined
}

// Applies an execution event to one running execution, re-indexes it, and
// finishes it when it has neither a current task nor tasks remaining.
const applyTo = (state: Manager, id: ClusterId, now: Instant, event: Execution.ExecutionEvent): Manager => {
  const hash = HM.hashString(id)
  const before = HM.get(state.running, id, hash)
  if (before === undefined) return state
  const after = Execution.reduce(before, event, now)
  if (after === before) return state
  if (Execution.isFinished(after)) return finish(state, hash, before, after, now)
  // The indexes keep the execution's own id string: `id` may be a slice of an
  // event's task id, which would keep that whole string alive.
  const own = before.clusterId
  return reindex(state, own, hash, before, after, HM.set(state.running, own, hash, after))
}

const NEXT_TASK_STARTED: Execution.ExecutionEvent = { type: 'NextTaskStarted' }
const CANCELED: Execution.ExecutionEvent = { type: 'Canceled' }
const NODE_LOST: Execution.ExecutionEvent = { type: 'NodeLost' }
const LOST_AND_KILLED: readonly Execution.ExecutionEvent[] = [NODE_LOST, { type: 'KillRequested' }]
const STARVATION_CHECKED: Execution.ExecutionEvent = { type: 'StarvationChecked' }
const TIMEOUTS_CHECKED: Execution.ExecutionEvent = { type: 'TimeoutsChecked' }

const applyToAll = (
  state: Manager,
  ids: readonly ClusterId[],
  now: Instant,
  events: readonly Execution.ExecutionEvent[],
): Manager => {
  let next = state
  for (const id of ids) for (const event of events) next = applyTo(next, id, now, event)
  return next
}

// The executions whose deadline has come at `now`, by deadline, then cluster
// id. The index keys are lower bounds, so the candidates are checked against
// their deadlines and put in the order those give.
const dueAt = (state: Manager, now: Instant): ClusterId[] => {
  const due: Array<Pair<Instant, ClusterId>> = []
  SM.forEachFrom(state.deadlines, undefined, compareByInstant, ([key, id]) => {
    if (key > now) return false
    const execution = HM.get(state.running, id, HM.hashString(id))
    const deadline = execution === undefined ? undefined : deadlineOf(execution)
    if (deadline !== undefined && deadline <= now) due.push([deadline, id])
    return true
  })
  return due.sort(compareByInstant).map(([, id]) => id)
}

const clusterIdOf = (state: Manager, id: RecordId | ClusterId): ClusterId | undefined =>
  typeof id === 'string' ? id : HM.get(state.byExecutionId, id, HM.hashNumber(id))

// Record keys are strings in JSON; job ids are numbers when they look like one.
const jobIdOfKey = (key: string): RecordId | string => (/^-?\d+$/.test(key) ? Number(key) : key)

// Times out the current task if its timeout has passed, or drops one never
// launched after a final status once its deadline has come (which finishes
// the execution).
const timeOut = (state: Manager, id: ClusterId, now: Instant): Manager => applyTo(state, id, now, TIMEOUTS_CHECKED)

const cancelSynced = (state: Manager, jobs: Readonly<Record<string, SyncedJob>>, now: Instant): Manager => {
  let next = state
  for (const key of Object.keys(jobs)) {
    const job = jobs[key]
    if (typeof job !== 'object' || job === null) continue
    const jobId = jobIdOfKey(key)
    if (typeof jobId !== 'number') continue
    for (const id of membersOf(next.byJob, jobId)) {
      const execution = HM.get(next.running, id, HM.hashString(id))
      if (execution === undefined) continue
      if (job.status === 'CANCELED' || job.numExes > execution.exeNum) {
        next = applyTo(next, id, now, CANCELED)
      }
    }
  }
  return next
}

const schedule = (
  state: Manager,
  executions: ReadonlyArray<RunningExecution | ExecutionSpec>,
  messages: readonly HostMessage[] | undefined,
  now: Instant,
): Manager => {
  let next = state
  for (const x of executions) {
    // Delivered again: skipped before a spec is made into an execution.
    const hash = HM.hashString(x.clusterId)
    if (HM.has(next.running, x.clusterId, hash) || R.has(next.remembered, x.clusterId, hash)) continue
    next = addExecution(next, isExecution(x) ? x : Execution.create(x, state.settings), now)
  }
  if (messages !== undefined && messages.length > 0) {
    next = { ...next, outbox: { ...next.outbox, host: L.appendAll(next.outbox.host, messages) } }
  }
  return next
}

// A record with a cluster id is counted once: one the manager remembers is
// skipped, and the others are remembered from then on (unless their execution
// is running here). Records without a cluster id are always counted.
const loadHistory = (state: Manager, records: readonly Metrics.Counted[], now: Instant): Manager => {
  if (records.length === 0) return state
  let metrics = Metrics.advance(state.metrics, now)
  let remembered = forgetExpired(state, metrics)
  for (const record of records) {
    const id = clusterIdOfRecord(record)
    if (id !== undefined) {
      const hash = HM.hashString(id)
      if (R.has(remembered, id, hash)) continue
      if (!HM.has(state.running, id, hash)) {
        const until = Metrics.blockStart(Math.max(record.finished ?? now, metrics.now))
        remembered = R.remember(remembered, id, hash, until)
      }
    }
    metrics = Metrics.addFinished(metrics, record)
  }
  return metrics === state.metrics && remembered === state.remembered ? state : { ...state, metrics, remembered }
}

// Each record goes out once, as history does: a remembered one is skipped.
const cancelOffQueue = (state: Manager, records: readonly EndRecord[], now: Instant): Manager => {
  let ends = state.outbox.ends
  let remembered = state.remembered
  for (const record of records) {
    const id = clusterIdOfRecord(record)
    if (id !== undefined) {
      const hash = HM.hashString(id)
      if (R.has(remembered, id, hash)) continue
      if (!HM.has(state.running, id, hash)) {
        const until = Metrics.blockStart(Math.max(record.finished ?? now, now, state.metrics.now))
        remembered = R.remember(remembered, id, hash, until)
      }
    }
    ends = L.append(ends, record)
  }
  return ends === state.outbox.ends ? state : { ...state, outbox: { ...state.outbox, ends }, remembered }
}

/**
 * The manager after an event at `now`. Pure; the very same state when the event
 * changes nothing, and when it refuses the event: a `now` that is not a safe
 * integer, an unknown `type`, a missing or mistyped field, an unsound update.
 * Of the lists of `Scheduled`, `ExecutionsLost`, `JobsSynced`,
 * `CanceledOffQueue` and `HistoryLoaded`, only the malformed elements are
 * refused (see the events guide, "What a reducer refuses").
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * declare const spec: import('job-execution-core').Execution.ExecutionSpec
 * let manager = Manager.create(0)
 * manager = Manager.reduce(manager, { type: 'Scheduled', executions: [spec] }, 0)
 * manager = Manager.reduce(manager, { type: 'NextTaskStarted', clusterId: spec.clusterId }, 0)
 * manager = Manager.reduce(manager, { type: 'TaskLaunched', taskId: `${spec.clusterId}_pull` }, 0)
 * Manager.nextDeadline(manager) // O.some(30_001): reconcile the staging task unless it reports
 *
 * @category reducers
 * @since 0.1.0
 */
export const reduce = (state: Manager, event: ManagerEvent, now: Instant): Manager => {
  const checked = isNow(now) ? checkedManagerEvent(event) : undefined
  return checked === undefined ? state : step(state, checked, now)
}

/**
 * An event with its instant: one step of {@link reduceMany}, and the shape of
 * an event log's entries.
 *
 * @category events
 * @since 0.2.0
 */
export interface Entry {
  readonly now: Instant
  readonly event: ManagerEvent
}

/**
 * A batch of events applied as one call: the result equals reducing the
 * entries one by one, in order, and the input state is never changed (the very
 * same state when no entry changes anything). A host that drains a queue hands
 * it over in batches. Total as {@link reduce} is: what is not a list is
 * refused as a whole (the same state), an entry that is not `{ now, event }`
 * is skipped, and each event is checked as `reduce` checks it.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * const state = Manager.reduceMany(Manager.create(0), [
 *   { now: 1_000, event: { type: 'TimeoutsChecked' } },
 *   { now: 1_000, event: { type: 'StarvationChecked' } },
 * ])
 * Manager.runningCount(state) // 0
 *
 * @category reducers
 * @since 0.2.0
 */
export const reduceMany = (state: Manager, entries: readonly Entry[]): Manager => {
  const list: unknown = entries
  if (!Array.isArray(list)) return state
  let next = state
  for (const entry of list as readonly unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue
    const { now, event } = entry as { readonly now?: unknown; readonly event?: unknown }
    if (isNow(now)) next = reduce(next, event as ManagerEvent, now)
  }
  return next
}

/**
 * The `TaskUpdated` event of a manager, as {@link taskUpdatedFromMesos} and
 * {@link taskUpdatedFromKubernetesPod} give it.
 *
 * @category events
 * @since 0.2.0
 */
export type TaskUpdated = Extract<ManagerEvent, { readonly type: 'TaskUpdated' }>

const taskUpdated = (update: TaskUpdate): TaskUpdated => ({ type: 'TaskUpdated', update })

/**
 * A Mesos v1 `TaskStatus` (as parsed JSON) as the manager event that feeds it:
 * {@link fromMesos | TaskUpdate.fromMesos}, then `{ type: 'TaskUpdated', update }`. Never
 * throws: anything `fromMesos` refuses is its {@link InvalidTaskUpdate},
 * each problem with its path.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * import * as E from 'fp-ts/Either'
 * declare let state: Manager.Manager
 * declare const status: unknown // from the Mesos scheduler API
 * const event = Manager.taskUpdatedFromMesos(status)
 * if (E.isRight(event)) state = Manager.reduce(state, event.right, Date.now())
 * else console.warn(event.left.message) // malformed: reported, never thrown
 *
 * @category decoding
 * @since 0.2.0
 */
export const taskUpdatedFromMesos = (json: unknown): E.Either<InvalidTaskUpdate, TaskUpdated> =>
  E.map(taskUpdated)(fromMesos(json))

/**
 * A Kubernetes core/v1 `Pod`, or a watch event `{ type, object: Pod }` (as
 * parsed JSON), as the manager event that feeds it:
 * {@link fromKubernetesPod | TaskUpdate.fromKubernetesPod}, then `{ type: 'TaskUpdated', update }`.
 * Never throws: anything `fromKubernetesPod` refuses is its
 * {@link InvalidTaskUpdate}.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * import * as E from 'fp-ts/Either'
 * declare let state: Manager.Manager
 * declare const watchEvent: unknown // from a watch on the pods
 * const event = Manager.taskUpdatedFromKubernetesPod(watchEvent)
 * if (E.isRight(event)) state = Manager.reduce(state, event.right, Date.now())
 *
 * @category decoding
 * @since 0.2.0
 */
export const taskUpdatedFromKubernetesPod = (input: unknown): E.Either<InvalidTaskUpdate, TaskUpdated> =>
  E.map(taskUpdated)(fromKubernetesPod(input))

const step = (state: Manager, event: ManagerEvent, now: Instant): Manager => {
  switch (event.type) {
    case 'Scheduled':
      return schedule(state, event.executions, event.messages, now)
    case 'NextTaskStarted':
      return applyTo(state, event.clusterId, now, NEXT_TASK_STARTED)
    case 'TaskLaunched': {
      const id = clusterIdOfTask(event.taskId)
      return id === undefined ? state : applyTo(state, id, now, { type: 'TaskLaunched', taskId: event.taskId })
    }
    case 'TaskUpdated': {
      const id = clusterIdOfTask(event.update.taskId)
      return id === undefined ? state : applyTo(state, id, now, { type: 'TaskUpdated', update: event.update })
    }
    case 'TaskTimedOut': {
      const id = clusterIdOfTask(event.taskId)
      return id === undefined ? state : applyTo(state, id, now, { type: 'TaskTimedOut', taskId: event.taskId })
    }
    case 'TimeoutsChecked':
      return dueAt(state, now).reduce((acc, id) => timeOut(acc, id, now), state)
    case 'ExecutionsLost': {
      const ids = event.ids.flatMap((x) => {
        const id = clusterIdOf(state, x)
        return id === undefined ? [] : [id]
      })
      return applyToAll(state, ids, now, LOST_AND_KILLED)
    }
    case 'NodeLost':
      return applyToAll(state, membersOf(state.byNode, event.nodeId), now, [NODE_LOST])
    case 'CanceledOffQueue':
      return cancelOffQueue(state, event.records, now)
    case 'JobsSynced':
      return cancelSynced(state, event.jobs, now)
    case 'StarvationChecked':
      return applyToAll(state, dueAt(state, now), now, [STARVATION_CHECKED])
    case 'HistoryLoaded':
      return loadHistory(state, event.records, now)
    default:
      return state
  }
}

/**
 * The queued messages, in order: the host's running-job messages, one
 * `JobExeEnd` with all end records, `CompletedJobs`, `FailedJobs` (empty ones
 * omitted, `when` is `now`); and the state with an empty outbox (the very same
 * state when there was nothing to drain). A `now` that is not a safe integer
 * drains nothing: the messages stay queued for a call with a sound instant.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * declare let manager: Manager.Manager
 * const [messages, drained] = Manager.drain(manager, Date.now())
 * Manager.drain(drained, Date.now())[0] // []
 *
 * @category reducers
 * @since 0.1.0
 */
export const drain = (state: Manager, now: Instant): readonly [Drained, Manager] => {
  const { host, ends, completed, failed } = state.outbox
  if (!isNow(now) || (host === null && ends === null && completed === null && failed === null)) return [[], state]
  const messages: unknown[] = L.toArray(host)
  if (ends !== null) messages.push({ type: 'JobExeEnd', records: L.toArray(ends) })
  if (completed !== null) messages.push({ type: 'CompletedJobs', jobs: L.toArray(completed), when: now })
  if (failed !== null) messages.push({ type: 'FailedJobs', jobs: L.toArray(failed), when: now })
  return [messages, { ...state, outbox: EMPTY_OUTBOX }]
}

/**
 * The running execution with that cluster id, if any.
 *
 * @category queries
 * @since 0.1.0
 */
export const runningExecution = (state: Manager, clusterId: ClusterId): RunningExecution | undefined =>
  HM.get(state.running, clusterId, HM.hashString(clusterId))

/**
 * All running executions, by cluster id.
 *
 * @category queries
 * @since 0.1.0
 */
export const runningExecutions = (state: Manager): RunningExecution[] =>
  HM.values(state.running).sort((a, b) => compareStrings(a.clusterId, b.clusterId))

/**
 * How many executions are running.
 *
 * @category queries
 * @since 0.1.0
 */
export const runningCount = (state: Manager): number => state.running.size

const currentTasksOf = (state: Manager, ids: readonly ClusterId[]): Task[] =>
  ids.flatMap((id) => {
    const execution = HM.get(state.running, id, HM.hashString(id))
    const task = execution === undefined ? undefined : Execution.currentTask(execution)
    return task === undefined ? [] : [task]
  })

/**
 * The tasks the host must kill, by cluster id: current tasks that were asked to
 * be killed (canceled, lost or timed-out executions), launched and not ended.
 *
 * @category queries
 * @since 0.1.0
 */
export const tasksToKill = (state: Manager): Task[] =>
  currentTasksOf(
    state,
    SM.entries(state.toKill).map(([id]) => id),
  )

/**
 * The tasks the host must reconcile at `now`, by cluster id: forced ones, and
 * those whose last update is older than the reconciliation delay.
 *
 * @category queries
 * @since 0.1.0
 */
export const tasksToReconcile = (state: Manager, now: Instant): Task[] => {
  const due = dueAt(state, now).filter((id) => {
    const execution = HM.get(state.running, id, HM.hashString(id))
    const deadline = execution === undefined ? undefined : reconciliationDeadlineOf(execution)
    return deadline !== undefined && deadline <= now
  })
  const ids = [...SM.entries(state.forced).map(([id]) => id), ...due]
  return currentTasksOf(state, ids.sort(compareStrings))
}

/**
 * The smallest instant at which `TimeoutsChecked` or `StarvationChecked` would
 * change the state, or {@link tasksToReconcile} would name a task that is not
 * force-reconciled; none when there is no such instant. A host sleeps until
 * then instead of polling. Its cost does not grow with the running set.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * import * as O from 'fp-ts/Option'
 * Manager.nextDeadline(Manager.create(0)) // O.none
 *
 * @category queries
 * @since 0.1.0
 */
export const nextDeadline = (state: Manager): O.Option<Instant> => {
  // Beyond the safe integers no `now` can reach a deadline (such a `now` is refused).
  const earliest = state.earliestDeadline
  return earliest !== undefined && Number.isSafeInteger(earliest) ? O.some(earliest) : O.none
}

/**
 * The default `retry` of {@link nextWakeUp}: 10 seconds, the period at which
 * Scale's task handling thread looks for tasks to reconcile.
 *
 * @category constants
 * @since 0.2.0
 */
export const WAKE_UP_RETRY = 10_000

/**
 * When a host should next wake up for the periodic checks, given that it has
 * just fed `TimeoutsChecked` and `StarvationChecked` at `now` and asked the
 * cluster for {@link tasksToReconcile} at `now`; none when nothing is due
 * until an outside event arrives. It is {@link nextDeadline}, except that it
 * never lies at or before `now`:
 *
 * - `nextDeadline` none: none;
 * - `nextDeadline` after `now`: that deadline, exactly;
 * - `nextDeadline` at or before `now`: `now + retry`. After the checks at
 *   `now` no timeout or starvation is due, so such a deadline is a
 *   reconciliation the host has already asked for; it stays due until the
 *   task's next status update (asking does not change the state), and waking
 *   at it would spin. While it is pending, a later deadline hides behind it:
 *   the host acts on that one at most `retry` late.
 *
 * `retry` (milliseconds) defaults to {@link WAKE_UP_RETRY}; one that is not a
 * positive safe integer counts as the default. The result is at most
 * `Number.MAX_SAFE_INTEGER`, the last instant a reducer takes. A `now` that is
 * not a safe integer (which every reducer refuses) gives `nextDeadline` as it
 * is. Its cost does not grow with the running set.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * import * as O from 'fp-ts/Option'
 * declare const state: Manager.Manager // after the checks at `now`
 * const now = Date.now()
 * const wake = Manager.nextWakeUp(state, now) // O.some(t) with t > now, or O.none
 * if (O.isSome(wake)) setTimeout(() => {}, wake.value - now) // run the next step then
 *
 * @category queries
 * @since 0.2.0
 */
export const nextWakeUp = (state: Manager, now: Instant, retry: number = WAKE_UP_RETRY): O.Option<Instant> => {
  const deadline = nextDeadline(state)
  if (O.isNone(deadline) || !isNow(now) || deadline.value > now) return deadline
  const delay = Number.isSafeInteger(retry) && retry > 0 ? retry : WAKE_UP_RETRY
  return O.some(Math.min(now + delay, Number.MAX_SAFE_INTEGER))
}

/**
 * The running executions whose next task may start now (no current task, tasks
 * remaining), by cluster id: what a host offers resources to. Its cost grows
 * with the executions it lists, not with the running set.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * declare const state: Manager.Manager
 * for (const execution of Manager.readyExecutions(state)) {
 *   // find resources, then NextTaskStarted { clusterId: execution.clusterId } and TaskLaunched
 * }
 *
 * @category queries
 * @since 0.1.0
 */
export const readyExecutions = (state: Manager): RunningExecution[] =>
  HM.keys(state.ready)
    .sort(compareStrings)
    .flatMap((id) => {
      const execution = HM.get(state.running, id, HM.hashString(id))
      return execution === undefined ? [] : [execution]
    })

/**
 * Starts and launches the next task of a ready execution in one call: the
 * same as `NextTaskStarted { clusterId }` then `TaskLaunched` with the id of
 * the task that became current, both at `now`. Returns the launched task (what
 * the host hands to the cluster, with {@link runningExecution} of the new
 * state for its execution) and the new state, as {@link drain} returns its
 * messages first. When the execution is not running, not ready (it has a
 * current task, or no task remains), or `now` is not a safe integer: no task,
 * and the very same state. Its cost does not grow with the running set.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * declare let state: Manager.Manager
 * declare function launchOnCluster(taskId: string): void
 * for (const execution of Manager.readyExecutions(state)) {
 *   const [task, next] = Manager.startNextTask(state, execution.clusterId, Date.now())
 *   state = next
 *   if (task !== undefined) launchOnCluster(task.id)
 * }
 *
 * @category reducers
 * @since 0.2.0
 */
export const startNextTask = (
  state: Manager,
  clusterId: ClusterId,
  now: Instant,
): readonly [Task | undefined, Manager] => {
  // Total on what a JavaScript host may pass: only a string can name an execution.
  const execution = typeof clusterId === 'string' ? runningExecution(state, clusterId) : undefined
  const task = execution === undefined ? undefined : Execution.nextTask(execution)
  if (execution === undefined || task === undefined || !isNow(now) || !Execution.isNextTaskReady(execution)) {
    return [undefined, state]
  }
  const started = reduce(state, { type: 'NextTaskStarted', clusterId: execution.clusterId }, now)
  const launched = reduce(started, { type: 'TaskLaunched', taskId: task.id }, now)
  const after = runningExecution(launched, execution.clusterId)
  const current = after === undefined ? undefined : Execution.currentTask(after)
  return current === undefined || launched === state ? [undefined, state] : [current, launched]
}

/**
 * The status JSON of the given nodes at `now` (see {@link Metrics.statusJson}).
 *
 * @category queries
 * @since 0.1.0
 */
export const statusJson = (state: Manager, nodeIds: readonly NodeId[], now: Instant): Metrics.NodeStatusJson[] =>
  Metrics.statusJson(state.metrics, nodeIds, now)

/**
 * The manager's metrics, to merge with other shards' ({@link Metrics.merge}).
 *
 * @category queries
 * @since 0.1.0
 */
export const metrics = (state: Manager): Metrics.Metrics => state.metrics

/**
 * A stable shard number in `0 .. k-1` for a cluster id, the same in every
 * process, version and language: the standard 32-bit FNV-1a hash of the id's
 * UTF-8 bytes, modulo `k` (test vectors in the scale-out guide). `k` below 1
 * counts as 1.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * Manager.shardOf('scale_job_fw1_42x3', 4) // always the same number in 0..3
 *
 * @category sharding
 * @since 0.1.0
 */
export const shardOf = (clusterId: ClusterId, k: number): number => {
  const shards = Number.isSafeInteger(k) && k > 1 ? k : 1
  // Total on what a JavaScript host may pass: what is not a string goes to shard 0.
  return typeof clusterId === 'string' ? fnv1a32(clusterId) % shards : 0
}

/**
 * Which shards must see an event, when executions are split over `k` managers
 * by {@link shardOf}: events about one execution or task go to its shard;
 * `NodeLost`, `JobsSynced`, `TimeoutsChecked` and `StarvationChecked` go to
 * every shard (each acts on its own executions); `ExecutionsLost` sends cluster
 * ids to their shard and execution ids (which carry no cluster id) to every
 * shard; host messages, canceled-off-queue records and history go to shard 0
 * only, so that they are sent and counted once. The merged metrics of the
 * shards then equal those of one manager fed everything. What `reduce` would
 * refuse goes nowhere (an empty list), and so does a list's malformed element.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * Manager.route({ type: 'TimeoutsChecked' }, 3).map(([shard]) => shard) // [0, 1, 2]
 *
 * @category sharding
 * @since 0.1.0
 */
export const route = (input: ManagerEvent, k: number): Array<readonly [number, ManagerEvent]> => {
  const event = checkedManagerEvent(input)
  if (event === undefined) return []
  const shards = Number.isSafeInteger(k) && k > 1 ? k : 1
  const all = Array.from({ length: shards }, (_, shard) => shard)
  const ofTask = (taskId: TaskId): number => {
    const id = clusterIdOfTask(taskId)
    return id === undefined ? 0 : shardOf(id, shards)
  }
  switch (event.type) {
    case 'Scheduled': {
      const groups = all.map(() => [] as Array<RunningExecution | ExecutionSpec>)
      for (const x of event.executions) groups[shardOf(x.clusterId, shards)]?.push(x)
      return all.flatMap((shard) => {
        const executions = groups[shard] ?? []
        const messages = shard === 0 ? (event.messages ?? []) : []
        return executions.length === 0 && messages.length === 0
          ? []
          : [[shard, { type: 'Scheduled', executions, ...(messages.length > 0 ? { messages } : {}) }] as const]
      })
    }
    case 'NextTaskStarted':
      return [[shardOf(event.clusterId, shards), event]]
    case 'TaskLaunched':
    case 'TaskTimedOut':
      return [[ofTask(event.taskId), event]]
    case 'TaskUpdated':
      return [[ofTask(event.update.taskId), event]]
    case 'ExecutionsLost':
      return all.flatMap((shard) => {
        const ids = event.ids.filter((id) => typeof id !== 'string' || shardOf(id, shards) === shard)
        return ids.length === 0 ? [] : [[shard, { type: 'ExecutionsLost', ids }] as const]
      })
    case 'NodeLost':
    case 'JobsSynced':
    case 'TimeoutsChecked':
    case 'StarvationChecked':
      return all.map((shard) => [shard, event] as const)
    case 'CanceledOffQueue':
    case 'HistoryLoaded':
      return [[0, event]]
    default:
      return []
  }
}

// --- snapshots ------------------------------------------------------------------

/**
 * A manager's state as plain JSON: versioned, and everything needed to go on
 * exactly where it stopped. Indexes and the finished totals are not stored: they
 * are derived again on restore. `integrity` is a hash of all the rest, taken
 * canonically (object keys in sorted order, so that a store that reorders keys,
 * as PostgreSQL's `jsonb` does, keeps it valid).
 *
 * @category snapshots
 * @since 0.1.0
 */
export interface Snapshot {
  /** 2 since 0.2.0; version 1 snapshots (without `remembered` and `integrity`) still restore. */
  readonly snapshotVersion: 2
  readonly settings: Settings
  readonly running: readonly RunningExecution[]
  readonly outbox: {
    readonly host: readonly HostMessage[]
    readonly ends: readonly EndRecord[]
    readonly completed: readonly CompletedJob[]
    readonly failed: readonly FailedJob[]
  }
  readonly metrics: {
    readonly now: Instant
    /** Running counts as `[node, kind, jobType, count]` rows. */
    readonly running: readonly Metrics.CountRow[]
    /** Finished counts per 5-minute block in the window. */
    readonly blocks: ReadonlyArray<{ readonly start: Instant; readonly counts: readonly Metrics.CountRow[] }>
  }
  /**
   * The cluster ids the manager remembers as finished, by the block they are
   * forgotten with, ascending, ids sorted (since 0.2.0).
   */
  readonly remembered: ReadonlyArray<{ readonly start: Instant; readonly clusterIds: readonly ClusterId[] }>
  /** The canonical hash of the rest of the snapshot, 16 hex digits (since 0.2.0). */
  readonly integrity: string
}

/**
 * Why a snapshot was refused: each problem, with where it is.
 *
 * @category snapshots
 * @since 0.1.0
 */
export class InvalidSnapshot extends invalidError('InvalidSnapshot', 'snapshot') {}

/**
 * The state as a versioned snapshot (`snapshotVersion: 2`) of plain JSON data,
 * sealed with its integrity; `JSON.stringify` it to persist it.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * const snapshot = Manager.toSnapshot(Manager.create(0))
 * snapshot.snapshotVersion // 2
 *
 * @category snapshots
 * @since 0.1.0
 */
export const toSnapshot = (state: Manager): Snapshot => Snapshots.toSnapshot(state)

const rebuild: Snapshots.Rebuild = (settings, now, running) => {
  let state = create(now, settings)
  for (const execution of running) state = addExecution(state, execution, now)
  return state
}

/**
 * Restores a manager from a snapshot (as parsed JSON, of version 2 or 1).
 * Never throws. A snapshot is accepted only when it is exactly what
 * {@link toSnapshot} of the restored state gives (canonically: key order does
 * not matter); anything else is an {@link InvalidSnapshot} naming each problem
 * with its path: a truncated, mistyped or wrong-version snapshot; one whose
 * integrity does not match its content (any value changed); and one whose
 * parts do not fit together as the reducers leave them (tasks out of order or
 * repeated, a launched task that is neither current nor done, a remaining task
 * already launched or ended, a lost count that disagrees with the task id, an
 * error or finished instant on a RUNNING execution, two executions with one
 * cluster or execution id, counts that disagree with the running executions,
 * a running count in a finished block, blocks out of order or out of the
 * window, totals beyond safe integers, remembered ids that are running or out
 * of the window, rows out of their order or duplicated). A restored manager
 * behaves exactly as the one that was saved.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * declare const state: Manager.Manager
 * const restored = Manager.fromSnapshot(JSON.parse(JSON.stringify(Manager.toSnapshot(state))))
 *
 * @category snapshots
 * @since 0.1.0
 */
export const fromSnapshot = (json: unknown): E.Either<InvalidSnapshot, Manager> =>
  E.mapLeft((problems: readonly Problem[]) => new InvalidSnapshot(problems))(Snapshots.fromSnapshot(json, rebuild))

/**
 * Restores a manager from a snapshot's JSON text, as it was persisted
 * (`JSON.stringify(toSnapshot(state))`): `JSON.parse`, then
 * {@link fromSnapshot}. Never throws: text that is not JSON (a torn or
 * truncated file, an empty one) is an {@link InvalidSnapshot} whose one
 * problem, at `<root>`, says so with the parser's message; so is a `text`
 * that is not a string; JSON that is not a sound snapshot is refused as
 * `fromSnapshot` refuses it.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * import * as E from 'fp-ts/Either'
 * const text = JSON.stringify(Manager.toSnapshot(Manager.create(0)))
 * E.isRight(Manager.fromSnapshotText(text)) // true
 * E.isLeft(Manager.fromSnapshotText(text.slice(0, 40))) // true: torn
 *
 * @category snapshots
 * @since 0.2.0
 */
export const fromSnapshotText = (text: string): E.Either<InvalidSnapshot, Manager> => {
  if (typeof text !== 'string') {
    return E.left(
      new InvalidSnapshot([{ path: '<root>', message: `expected the snapshot's JSON text, got ${describe(text)}` }]),
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unreadable'
    return E.left(new InvalidSnapshot([{ path: '<root>', message: `not JSON (a torn or truncated file?): ${reason}` }]))
  }
  return fromSnapshot(json)
}
