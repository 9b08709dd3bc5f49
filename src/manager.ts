/**
 * The manager of all running job executions: it routes events to executions,
 * finishes the ones that are done, queues the messages the host must send, and
 * keeps the metrics.
 *
 * The state ({@link Manager}) is opaque: read it through the queries of this
 * module. Inside, it is a set of persistent maps: the running executions by
 * cluster id, and indexes by node, job, execution id, readiness, kill and
 * reconciliation need, and by the next timeout, reconciliation and starvation
 * deadline. An event costs O(log n) per execution it touches, never a scan or
 * a copy of the whole running set; an event that changes nothing returns the
 * very same state.
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
import type { EndRecord, Execution as RunningExecution, ExecutionSpec, JobType, ListedExecution } from './execution'
import type { ExitCodeErrors, JobError } from './errors'
import {
  canonicalNodeId,
  clusterIdOfTask,
  type ClusterId,
  type Instant,
  type NodeId,
  type RecordId,
  type TaskId,
} from './ids'
import * as Deadlines from './internal/deadlineIndex'
import { describe, type Problem } from './internal/decode'
import { invalidError } from './internal/invalid'
import { checkedManagerEvent, isNow } from './internal/eventGuards'
import { cancelOffQueue, loadHistory } from './internal/hostRecords'
import * as HM from './internal/hashMap'
import { applyTo, applyToAll, cancelSynced, schedule } from './internal/lifecycle'
import { empty, fromInternal, toInternal, withChanges, type ManagerState } from './internal/managerState'
import { membersOf } from './internal/nodeJobGroups'
import * as Outbox from './internal/outbox'
import { JOB_STATUS_LIST } from './internal/recordGuards'
import type { JOB_STATUS } from './internal/literals'
import * as SM from './internal/sortedMap'
import * as Snapshots from './internal/snapshot'
import * as Metrics from './metrics'
import type { Settings } from './settings'
import type { Task, TaskConfig } from './task'
import { fromKubernetesPod, fromMesos, type InvalidTaskUpdate, type TaskUpdate } from './taskUpdate'

export { route, shardOf } from './internal/sharding'

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
 * Why `Scheduled` refused an execution: nothing could ever reach it, since
 * the manager routes the cluster's updates by the cluster id inside a task id
 * ({@link clusterIdOfTask | Ids.clusterIdOfTask}).
 *
 * - `cluster-id-without-job-prefix`: the cluster id does not start with
 *   `Ids.JOB_TASK_ID_PREFIX`, so its task ids are not job task ids;
 * - `unroutable-task-ids`: a task id (or the cluster id itself, taken as the
 *   start of one) does not give the execution's cluster id back: the cluster
 *   id is not four `_`-separated segments, mostly because its framework id
 *   holds a `_`.
 *
 * @category model
 * @since 0.2.0
 */
export type ExecutionRefusalReason = 'cluster-id-without-job-prefix' | 'unroutable-task-ids'

/**
 * An execution that `Scheduled` refused, as {@link drain} gives it: it never
 * entered the running set, the metrics or the indexes. The host takes it as
 * it takes a failure to launch (fix the id, or fail the job in its database).
 *
 * @example
 * import type { Manager } from 'job-execution-core'
 * const refused: Manager.ExecutionRefused = {
 *   type: 'ExecutionRefused',
 *   clusterId: 'scale_job_my_fw_42x1',
 *   id: 7,
 *   reason: 'unroutable-task-ids',
 * }
 *
 * @category model
 * @since 0.2.0
 */
export interface ExecutionRefused {
  readonly type: 'ExecutionRefused'
  readonly clusterId: ClusterId
  /** The execution id. */
  readonly id: RecordId
  readonly reason: ExecutionRefusalReason
}

/**
 * A host message that `Scheduled` refused, as {@link drain} gives it: its own
 * `type` is one of the manager's message types ({@link MESSAGE_TYPES}), so,
 * drained, it would pass for one of the manager's messages. `message` is the
 * host's message as it was given. The host renames its message's type.
 *
 * @example
 * import type { Manager } from 'job-execution-core'
 * const refused: Manager.MessageRefused = {
 *   type: 'MessageRefused',
 *   message: { type: 'CompletedJobs', jobs: [] },
 *   reason: 'core-message-type',
 * }
 *
 * @category model
 * @since 0.2.0
 */
export interface MessageRefused {
  readonly type: 'MessageRefused'
  readonly message: unknown
  readonly reason: 'core-message-type'
}

/**
 * What `Scheduled` refuses and says so, rather than ignoring it: an execution
 * nothing could ever reach, a host message that would pass for one of the
 * manager's. (Malformed events and elements are refused silently, see
 * {@link reduce}.)
 *
 * @category model
 * @since 0.2.0
 */
export type Refusal = ExecutionRefused | MessageRefused

/**
 * The messages the manager produces for the host to send, and the refusals
 * it reports to the host.
 *
 * @category model
 * @since 0.1.0
 */
export type Message =
  | { readonly type: 'JobExeEnd'; readonly records: readonly EndRecord[] }
  | { readonly type: 'CompletedJobs'; readonly jobs: readonly CompletedJob[]; readonly when: Instant }
  | { readonly type: 'FailedJobs'; readonly jobs: readonly FailedJob[]; readonly when: Instant }
  | Refusal

/**
 * Every `type` of the manager's {@link Message}s. A host message whose own
 * `type` is one of these is refused by `Scheduled` (a {@link MessageRefused}),
 * so that no drained host message can pass for one of the manager's.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * Manager.MESSAGE_TYPES.includes('JobExeEnd') // true
 *
 * @category constants
 * @since 0.2.0
 */
export const MESSAGE_TYPES: ReadonlyArray<Message['type']> = Outbox.MESSAGE_TYPES

/**
 * What {@link drain} returns: the host's own messages first, as they were
 * given (so of the host's own type `M`), then the manager's {@link Message}s;
 * tell them apart with {@link isMessage}, which is exact on drained messages.
 *
 * @category model
 * @since 0.1.0
 */
export type Drained<M = unknown> = ReadonlyArray<M | Message>

/**
 * Whether a drained message is one of the manager's own (rather than a host
 * message). On what {@link drain} gives, this is exact: `Scheduled` refuses
 * every host message whose `type` is one of {@link MESSAGE_TYPES} (and says so
 * with a {@link MessageRefused}), so a drained element with such a `type` is
 * the manager's. The manager's messages keep the shape the contract fixes (no
 * tag is added to them: hosts compare them with deep equality). On anything
 * else, only the exact shape counts: its `type` is `JobExeEnd` with an array
 * of `records`, `CompletedJobs` or `FailedJobs` with an array of `jobs` and a
 * numeric `when`, `ExecutionRefused` with a string `clusterId`, or
 * `MessageRefused` with a string `reason`; `{ type: 'CompletedJobs', jobs: null }` is not.
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
  // A host's message may be anything, getters that throw included: reading it is total.
  try {
    return hasMessageShape(message)
  } catch {
    return false
  }
}

const hasMessageShape = (message: object): boolean => {
  const { type, records, jobs, when, clusterId, reason } = message as {
    readonly type?: unknown
    readonly records?: unknown
    readonly jobs?: unknown
    readonly when?: unknown
    readonly clusterId?: unknown
    readonly reason?: unknown
  }
  switch (type) {
    case 'JobExeEnd':
      return Array.isArray(records)
    case 'CompletedJobs':
    case 'FailedJobs':
      return Array.isArray(jobs) && typeof when === 'number'
    case 'ExecutionRefused':
      return typeof clusterId === 'string' && typeof reason === 'string'
    case 'MessageRefused':
      return typeof reason === 'string'
    default:
      return false
  }
}

/**
 * Whether a drained message is a refusal ({@link ExecutionRefused} or
 * {@link MessageRefused}).
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * declare const drained: Manager.Drained
 * for (const refusal of drained.filter(Manager.isRefusal)) console.warn(refusal.type, refusal.reason)
 *
 * @category refinements
 * @since 0.2.0
 */
export const isRefusal = (message: unknown): message is Refusal =>
  isMessage(message) && (message.type === 'ExecutionRefused' || message.type === 'MessageRefused')

/**
 * The end records in drained messages, in order.
 *
 * @category destructors
 * @since 0.1.0
 */
export const endRecordsOf = (messages: Drained): EndRecord[] =>
  messages.filter(isMessage).flatMap((m) => (m.type === 'JobExeEnd' ? m.records : []))

declare const ManagerTypeId: unique symbol
declare const HostMessageTypeId: unique symbol

/**
 * The manager's state: opaque, read through the queries of this module
 * ({@link runningExecutions}, {@link tasksToKill}, {@link nextDeadline},
 * {@link metrics}, ...), changed only by its reducers ({@link reduce},
 * {@link drain}, ...), persisted as a {@link Snapshot}. It is immutable plain
 * data: a host may keep it in a frozen store (immer, Redux) as it is.
 *
 * `M` is the type of the host's own messages (given with `Scheduled`, given
 * back by {@link drain}); `unknown` by default. A `Manager<MyMsg>` is a
 * `Manager`, so every query takes it; the reducers keep `M`.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * type Launched = { readonly type: 'JobLaunched'; readonly jobId: number }
 * const state: Manager.Manager<Launched> = Manager.create<Launched>(0)
 * Manager.runningCount(state) // 0
 *
 * @typeParam M - the host's message type
 * @category model
 * @since 0.1.0
 */
export interface Manager<M = unknown> {
  readonly [ManagerTypeId]: 'Manager'
  /** Never there: it only carries the host's message type. */
  readonly [HostMessageTypeId]?: M
}

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
export const create = <M = unknown>(now: Instant, settings?: Partial<Settings>): Manager<M> =>
  fromInternal(empty(now, settings))

/**
 * A job's status in the host's database, as Scale names them. `JobsSynced`
 * cancels the executions of a `CANCELED` job; the other statuses leave them
 * alone. A status outside this list (say, `'cancelled'`) does not compile, and
 * passed anyway from JavaScript or a log, its job is refused.
 *
 * @useDeclaredType
 * @category model
 * @since 0.2.0
 */
export type JobStatus = (typeof JOB_STATUS.values)[number]

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
 * | `Scheduled` | the executions (or specs) run from now on; the host's messages wait in the outbox; cluster ids already running or remembered as finished, and execution ids already running, are ignored (delivery is at least once); an execution no update could reach, and a host message whose `type` is one of {@link MESSAGE_TYPES}, are refused and reported ({@link ExecutionRefused}, {@link MessageRefused} in the outbox) |
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
 * `M` is the type of the host's messages that `Scheduled` carries.
 *
 * @typeParam M - the host's message type
 * @category events
 * @since 0.1.0
 */
export type ManagerEvent<M = unknown> =
  | {
      readonly type: 'Scheduled'
      readonly executions: ReadonlyArray<RunningExecution | ExecutionSpec>
      readonly messages?: readonly M[] | undefined
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

// The execution events the manager's events give, made once.
const NEXT_TASK_STARTED: Execution.ExecutionEvent = { type: 'NextTaskStarted' }
const NODE_LOST: readonly Execution.ExecutionEvent[] = [{ type: 'NodeLost' }]
const LOST_AND_KILLED: readonly Execution.ExecutionEvent[] = [{ type: 'NodeLost' }, { type: 'KillRequested' }]
const STARVATION_CHECKED: readonly Execution.ExecutionEvent[] = [{ type: 'StarvationChecked' }]
const TIMEOUTS_CHECKED: Execution.ExecutionEvent = { type: 'TimeoutsChecked' }

// The event for the execution of a job task id (the others name no execution).
const applyToTask = (
  state: ManagerState,
  taskId: TaskId,
  now: Instant,
  event: Execution.ExecutionEvent,
): ManagerState => {
  const id = clusterIdOfTask(taskId)
  return id === undefined ? state : applyTo(state, id, now, event)
}

const clusterIdOf = (state: ManagerState, id: RecordId | ClusterId): ClusterId | undefined =>
  typeof id === 'string' ? id : HM.get(state.byExecutionId, id, HM.hashNumber(id))

// One reducer per event type, in a table typed by the union: a new event
// variant does not compile until it has its reducer (a `switch` with a
// `default` would ignore it, silently).
type Reducers = {
  readonly [K in ManagerEvent['type']]: (
    state: ManagerState,
    event: Extract<ManagerEvent, { readonly type: K }>,
    now: Instant,
  ) => ManagerState
}

const REDUCERS: Reducers = {
  Scheduled: (state, event, now) => schedule(state, event.executions, event.messages, now),
  NextTaskStarted: (state, event, now) => applyTo(state, event.clusterId, now, NEXT_TASK_STARTED),
  TaskLaunched: (state, event, now) =>
    applyToTask(state, event.taskId, now, { type: 'TaskLaunched', taskId: event.taskId }),
  TaskUpdated: (state, event, now) =>
    applyToTask(state, event.update.taskId, now, { type: 'TaskUpdated', update: event.update }),
  TaskTimedOut: (state, event, now) =>
    applyToTask(state, event.taskId, now, { type: 'TaskTimedOut', taskId: event.taskId }),
  // Times out each current task whose timeout passed, or drops one never
  // launched after a final status once its deadline has come (which finishes
  // the execution).
  TimeoutsChecked: (state, _event, now) =>
    Deadlines.dueAt(state.deadlines, state.running, now).reduce(
      (next, id) => applyTo(next, id, now, TIMEOUTS_CHECKED),
      state,
    ),
  ExecutionsLost: (state, event, now) => {
    const ids = event.ids.flatMap((x) => {
      const id = clusterIdOf(state, x)
      return id === undefined ? [] : [id]
    })
    return applyToAll(state, ids, now, LOST_AND_KILLED)
  },
  NodeLost: (state, event, now) =>
    applyToAll(state, membersOf(state.byNode, canonicalNodeId(event.nodeId)), now, NODE_LOST),
  CanceledOffQueue: (state, event, now) => cancelOffQueue(state, event.records, now),
  JobsSynced: (state, event, now) => cancelSynced(state, event.jobs, now),
  StarvationChecked: (state, _event, now) =>
    applyToAll(state, Deadlines.dueAt(state.deadlines, state.running, now), now, STARVATION_CHECKED),
  HistoryLoaded: (state, event, now) => loadHistory(state, event.records, now),
}

// The table is keyed by the union, so the reducer of `event.type` takes that variant.
const step = (state: ManagerState, event: ManagerEvent, now: Instant): ManagerState =>
  (REDUCERS[event.type] as (state: ManagerState, event: ManagerEvent, now: Instant) => ManagerState)(state, event, now)

/**
 * The manager after an event at `now`. Pure; the very same state when the event
 * changes nothing, and when it refuses the event: a `now` that is not a safe
 * integer, an unknown `type`, a missing or mistyped field, an unsound update.
 * Of the lists of `Scheduled`, `ExecutionsLost`, `JobsSynced`,
 * `CanceledOffQueue` and `HistoryLoaded`, only the malformed elements are
 * refused (see the events guide, "What a reducer refuses").
 * These refusals are silent. Two refusals of `Scheduled` are reported instead,
 * as data the host drains: an execution no update could reach
 * ({@link ExecutionRefused}) and a host message typed as one of the manager's
 * ({@link MessageRefused}); neither enters the state but its refusal entry.
 * `M` is the host's message type, taken from `state` (a `Scheduled` whose
 * messages are not `M` does not compile).
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
export const reduce = <M = unknown>(state: Manager<M>, event: ManagerEvent<NoInfer<M>>, now: Instant): Manager<M> => {
  const checked = isNow(now) ? checkedManagerEvent(event) : undefined
  return checked === undefined ? state : fromInternal(step(toInternal(state), checked, now))
}

/**
 * An event with its instant: one step of {@link reduceMany}, and the shape of
 * an event log's entries.
 *
 * @category events
 * @since 0.2.0
 */
export interface Entry<M = unknown> {
  readonly now: Instant
  readonly event: ManagerEvent<M>
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
export const reduceMany = <M = unknown>(state: Manager<M>, entries: ReadonlyArray<Entry<NoInfer<M>>>): Manager<M> => {
  const list: unknown = entries
  if (!Array.isArray(list)) return state
  let next = state
  for (const entry of list as readonly unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue
    const { now, event } = entry as { readonly now?: unknown; readonly event?: unknown }
    if (isNow(now)) next = reduce(next, event as ManagerEvent<M>, now)
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
export const drain = <M = unknown>(state: Manager<M>, now: Instant): readonly [Drained<M>, Manager<M>] => {
  const internal = toInternal(state)
  if (!isNow(now) || Outbox.isEmpty(internal.outbox)) return [[], state]
  // The outbox holds what `Scheduled` took as `M` (the host's) and the manager's own messages.
  const messages = Outbox.messagesOf(internal.outbox, now) as Drained<M>
  return [messages, fromInternal(withChanges(internal, { outbox: Outbox.empty }))]
}

/**
 * The running execution with that cluster id, if any.
 *
 * @category queries
 * @since 0.1.0
 */
export const runningExecution = (state: Manager, clusterId: ClusterId): RunningExecution | undefined =>
  HM.get(toInternal(state).running, clusterId, HM.hashString(clusterId))

/**
 * All running executions, by cluster id.
 *
 * @category queries
 * @since 0.1.0
 */
export const runningExecutions = (state: Manager): RunningExecution[] =>
  HM.values(toInternal(state).running).sort((a, b) => compareStrings(a.clusterId, b.clusterId))

/**
 * How many executions are running.
 *
 * @category queries
 * @since 0.1.0
 */
export const runningCount = (state: Manager): number => toInternal(state).running.size

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const currentTasksOf = (state: ManagerState, ids: readonly ClusterId[]): Task[] =>
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
export const tasksToKill = (state: Manager): Task[] => {
  const internal = toInternal(state)
  return currentTasksOf(
    internal,
    SM.entries(internal.toKill).map(([id]) => id),
  )
}

/**
 * The tasks the host must reconcile at `now`, by cluster id: forced ones, and
 * those whose last update is older than the reconciliation delay.
 *
 * @category queries
 * @since 0.1.0
 */
export const tasksToReconcile = (state: Manager, now: Instant): Task[] => {
  const internal = toInternal(state)
  const due = Deadlines.dueAt(internal.deadlines, internal.running, now).filter((id) => {
    const execution = HM.get(internal.running, id, HM.hashString(id))
    const deadline = execution === undefined ? undefined : Execution.reconciliationDeadline(execution)
    return deadline !== undefined && deadline <= now
  })
  const ids = [...SM.entries(internal.forced).map(([id]) => id), ...due]
  return currentTasksOf(internal, ids.sort(compareStrings))
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
  const earliest = Deadlines.earliest(toInternal(state).deadlines)
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
export const readyExecutions = (state: Manager): RunningExecution[] => {
  const { ready, running } = toInternal(state)
  return HM.keys(ready)
    .sort(compareStrings)
    .flatMap((id) => {
      const execution = HM.get(running, id, HM.hashString(id))
      return execution === undefined ? [] : [execution]
    })
}

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
export const startNextTask = <M = unknown>(
  state: Manager<M>,
  clusterId: ClusterId,
  now: Instant,
): readonly [Task | undefined, Manager<M>] => {
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
  Metrics.statusJson(toInternal(state).metrics, nodeIds, now)

/**
 * The manager's metrics, to merge with other shards' ({@link Metrics.merge}).
 *
 * @category queries
 * @since 0.1.0
 */
export const metrics = (state: Manager): Metrics.Metrics => toInternal(state).metrics

// --- snapshots ------------------------------------------------------------------

/**
 * A JSON value, as the rows of a {@link Snapshot} hold them.
 *
 * @category snapshots
 * @since 0.2.0
 */
export type SnapshotJson =
  null | boolean | number | string | readonly SnapshotJson[] | { readonly [key: string]: SnapshotJson }

/**
 * The values a {@link Snapshot}'s running executions share, each written once
 * (by content), in order of first use over the executions sorted by cluster
 * id; the rows refer to them by index.
 *
 * @category snapshots
 * @since 0.2.0
 */
export interface SnapshotTables {
  readonly settings: readonly Settings[]
  /** Each job type with its error mapping, so once per job type. */
  readonly jobTypes: readonly JobType[]
  readonly exitCodeErrors: readonly ExitCodeErrors[]
  /** The task configurations that are not the one derived from their execution. */
  readonly configs: readonly TaskConfig[]
  /** The agent ids of the executions (since 0.2.0). */
  readonly agents: readonly string[]
  /** The framework ids of the cluster ids written as an index (since 0.2.0). */
  readonly frameworks: readonly string[]
  /**
   * The instant the rows' instants are offsets from: the smallest of them, 0
   * when there is none (or when the offsets would not be safe integers) (since 0.2.0).
   */
  readonly base: Instant
}

/**
 * A running execution in a {@link Snapshot}: the positional row
 * `[id, clusterId, jobId, exeNum, jobTypeId, nodeId, agent, queued, started,
 * jobType, settings, status, next, tasks, extra?]`, `agent`, `jobType` and
 * `settings` indexes into {@link SnapshotTables}, `status` the index of the
 * status in RUNNING, COMPLETED, FAILED, CANCELED, `clusterId` the index of
 * its framework id in `tables.frameworks` when it is
 * `Ids.clusterId(frameworkId, jobId, exeNum)`, else the string; `extra`, left
 * out when empty, holds `priority`, `exitCodeErrors` (an index), `error`,
 * `finished`, `current` and `lastTaskFinished`. A task as `Task.create` makes
 * it is its type alone; any other is `[type, lostCount, flags, launched,
 * started, lastStatusUpdate, ended, finalStatus, exitCode, containerName,
 * config]`, `finalStatus` the index of the status in FINISHED, FAILED,
 * KILLED, trailing `null`s left out. Every instant is an offset from
 * `tables.base`. Task ids are not written: they are derived. See "Snapshots" in
 * docs/boundaries.md.
 *
 * @category snapshots
 * @since 0.2.0
 */
export type SnapshotRow = readonly SnapshotJson[]

/**
 * A manager's state as plain JSON: versioned, and everything needed to go on
 * exactly where it stopped. This is version 3, the compact layout
 * {@link toSnapshot} writes: the running executions as rows
 * ({@link SnapshotRow}), the values they share (settings, job types,
 * exit-code tables, task configurations) written once in `tables`. Indexes,
 * task ids and the finished totals are not stored: they are derived again on
 * restore. `integrity` is a hash of all the rest, taken canonically (object
 * keys in sorted order, so that a store that reorders keys, as PostgreSQL's
 * `jsonb` does, keeps it valid).
 *
 * {@link fromSnapshot} also restores {@link SnapshotV2} (the layout written
 * before 0.2.0's compact one) and version 1.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * const snapshot: Manager.Snapshot = Manager.toSnapshot(Manager.create(0))
 * snapshot.running.length // 0
 *
 * @category snapshots
 * @since 0.1.0
 */
export interface Snapshot {
  /** 3 since 0.2.0 (the compact layout); versions 2 and 1 still restore. */
  readonly snapshotVersion: 3
  readonly settings: Settings
  /** The values the running executions share (since 0.2.0). */
  readonly tables: SnapshotTables
  /** The running executions, sorted by cluster id, as rows. */
  readonly running: readonly SnapshotRow[]
  readonly outbox: {
    readonly host: readonly HostMessage[]
    readonly ends: readonly EndRecord[]
    readonly completed: readonly CompletedJob[]
    readonly failed: readonly FailedJob[]
    /** The refusals not drained yet, in order; there only when there are some (since 0.2.0). */
    readonly refused?: readonly Refusal[]
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
 * A version-2 snapshot, the full layout {@link toSnapshot} wrote before the
 * compact one, which {@link fromSnapshot} still restores. It is the
 * {@link Snapshot} but for `tables`, with each running execution written out
 * in full (task ids included).
 *
 * @category snapshots
 * @since 0.2.0
 */
export interface SnapshotV2 extends Omit<Snapshot, 'snapshotVersion' | 'tables' | 'running'> {
  /** Version 1 snapshots (without `remembered` and `integrity`) still restore too. */
  readonly snapshotVersion: 2
  /** Each with all its tasks listed. */
  readonly running: readonly ListedExecution[]
}

/**
 * Why a snapshot was refused: each problem, with where it is.
 *
 * @category snapshots
 * @since 0.1.0
 */
export class InvalidSnapshot extends invalidError('InvalidSnapshot', 'snapshot') {}

/**
 * The state as a versioned snapshot of plain JSON data (`snapshotVersion: 3`,
 * the compact layout, since 0.2.0; 0.1.0 wrote version 1), sealed with its
 * integrity; `JSON.stringify` it to persist it.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * const snapshot = Manager.toSnapshot(Manager.create(0))
 * snapshot.snapshotVersion // 3
 *
 * @category snapshots
 * @since 0.1.0
 */
export const toSnapshot = (state: Manager): Snapshot => Snapshots.toSnapshot(toInternal(state))

/**
 * The host's guard of its own message type `M`, which {@link fromSnapshot}
 * and {@link fromSnapshotText} check the queued host messages of a snapshot
 * with. It should not throw; one that throws refuses the message.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * type Mine = { readonly type: 'JobRunning'; readonly jobId: number }
 * const isMine: Manager.HostMessageGuard<Mine> = (x): x is Mine =>
 *   typeof x === 'object' && x !== null && 'type' in x && x.type === 'JobRunning'
 *
 * @category model
 * @since 0.2.0
 */
export type HostMessageGuard<M> = (message: unknown) => message is M

/**
 * Restores a manager from a snapshot (as parsed JSON, of version 3, 2 or 1).
 * Never throws. A snapshot is accepted only when it is exactly what the
 * writer of its version gives of the restored state ({@link toSnapshot} for
 * version 3; canonically: key order does not matter), so that `toSnapshot`
 * of a state restored from version 2 or 1 is version 3 of the same state; anything else is an {@link InvalidSnapshot} naming each problem
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
 * The host's own messages still queued in the snapshot come from outside too:
 * given `isHostMessage`, the guard of the host's message type `M`, each of
 * them is checked with it (one it refuses is a problem at
 * `outbox.host.{i}`) and the manager is a `Manager<M>`; without it, a
 * `Manager<unknown>`.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * declare const state: Manager.Manager
 * const restored = Manager.fromSnapshot(JSON.parse(JSON.stringify(Manager.toSnapshot(state))))
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * import * as E from 'fp-ts/Either'
 * type Mine = { readonly type: 'JobRunning'; readonly jobId: number }
 * const isMine = (x: unknown): x is Mine =>
 *   typeof x === 'object' && x !== null && 'type' in x && x.type === 'JobRunning'
 * const state = Manager.create<Mine>(0)
 * const restored = Manager.fromSnapshot(Manager.toSnapshot(state), isMine)
 * if (E.isRight(restored)) {
 *   const mine: Manager.Manager<Mine> = restored.right
 * }
 *
 * @category snapshots
 * @since 0.1.0
 */
export function fromSnapshot(json: unknown): E.Either<InvalidSnapshot, Manager>
export function fromSnapshot<M>(
  json: unknown,
  isHostMessage: HostMessageGuard<M>,
): E.Either<InvalidSnapshot, Manager<M>>
export function fromSnapshot<M>(
  json: unknown,
  isHostMessage?: HostMessageGuard<M>,
): E.Either<InvalidSnapshot, Manager<M> | Manager> {
  const restored = Snapshots.fromSnapshot(json)
  if (E.isLeft(restored)) return E.left(new InvalidSnapshot(restored.left))
  if (isHostMessage === undefined) return E.right(fromInternal(restored.right))
  const problems = hostMessageProblems(restored.right, isHostMessage)
  // Every queued host message passed the host's guard: the manager's messages are M's.
  return problems.length > 0 ? E.left(new InvalidSnapshot(problems)) : E.right(fromInternal<M>(restored.right))
}

const passes = (isHostMessage: (message: unknown) => boolean, message: unknown): boolean => {
  try {
    return isHostMessage(message) === true
  } catch {
    return false
  }
}

const hostMessageProblems = (state: ManagerState, isHostMessage: (message: unknown) => boolean): Problem[] => {
  const problems: Problem[] = []
  Outbox.toLists(state.outbox).host.forEach((message, i) => {
    // The guard is the host's code: one that throws refuses the message as one that says no.
    if (!passes(isHostMessage, message))
      problems.push({ path: `outbox.host.${i}`, message: "is not one of the host's messages (its guard says no)" })
  })
  return problems
}

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
export function fromSnapshotText(text: string): E.Either<InvalidSnapshot, Manager>
export function fromSnapshotText<M>(
  text: string,
  isHostMessage: HostMessageGuard<M>,
): E.Either<InvalidSnapshot, Manager<M>>
export function fromSnapshotText<M>(
  text: string,
  isHostMessage?: HostMessageGuard<M>,
): E.Either<InvalidSnapshot, Manager<M> | Manager> {
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
  return isHostMessage === undefined ? fromSnapshot(json) : fromSnapshot(json, isHostMessage)
}
