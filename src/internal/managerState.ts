/**
 * The manager's state record: what the opaque {@link Manager} of the public
 * module is, one pair of casts ({@link toInternal}, {@link fromInternal}) at
 * the boundary, and the one builder of new states ({@link withChanges}), so
 * that the record's fields are listed in one place, always in one order (one
 * shape for the engine), and a change names the fields it changes.
 *
 * The state is a set of persistent structures, each in its own module with its
 * invariant: the running executions by cluster id; the groups by node and job
 * (`nodeJobGroups.ts`); the execution ids; the deadline index
 * (`deadlineIndex.ts`); the executions ready, to kill and forced to reconcile
 * (`indexMaintenance.ts` keeps them and the deadlines in step with the running
 * map); the outbox (`outbox.ts`); the metrics; what is remembered of finished
 * executions (`remembered.ts`).
 *
 * @internal
 * @module
 */
import type { Execution } from '../execution'
import type { ClusterId, Instant, NodeId, RecordId } from '../ids'
import type { Manager } from '../manager'
import * as Metrics from '../metrics'
import { withDefaults, type Settings } from '../settings'
import * as Deadlines from './deadlineIndex'
import * as HM from './hashMap'
import type { Groups } from './nodeJobGroups'
import * as Outbox from './outbox'
import * as R from './remembered'
import * as SM from './sortedMap'

/** The state record behind a {@link Manager}. */
export interface ManagerState {
  /** Settings for executions scheduled as specs rather than as executions. */
  readonly settings: Settings
  readonly running: HM.HashMap<ClusterId, Execution>
  /** The cluster ids on each node. */
  readonly byNode: Groups<NodeId>
  /** The cluster ids of each job. */
  readonly byJob: Groups<RecordId>
  readonly byExecutionId: HM.HashMap<RecordId, ClusterId>
  readonly deadlines: Deadlines.DeadlineIndex
  /** The executions whose current task needs a kill (see `Execution.needsKill`). */
  readonly toKill: SM.Tree<ClusterId, true>
  /** The executions whose current task's reconciliation is forced (see `Execution.isReconciliationForced`). */
  readonly forced: SM.Tree<ClusterId, true>
  /** The executions whose next task may start (see `Execution.isNextTaskReady`). */
  readonly ready: HM.HashMap<ClusterId, true>
  readonly outbox: Outbox.Outbox
  readonly metrics: Metrics.Metrics
  /**
   * The cluster ids of executions that finished, and of end records that went
   * out, while their end is in the metrics window: a `Scheduled`, a history
   * record or a canceled-off-queue record delivered again for one of them
   * changes nothing. Forgotten block by block as the window moves on.
   */
  readonly remembered: R.Remembered
}

/** The state behind a public manager. The one downcast: every manager is made by {@link fromInternal}. */
export const toInternal = <M>(manager: Manager<M>): ManagerState => manager as unknown as ManagerState

/** The state as the opaque public manager. */
export const fromInternal = <M = unknown>(state: ManagerState): Manager<M> => state as unknown as Manager<M>

/** An empty state at `now`, with these settings (defaults for omitted keys). */
export const empty = (now: Instant, settings?: Partial<Settings>): ManagerState => ({
  settings: withDefaults(settings),
  running: HM.empty,
  byNode: HM.empty,
  byJob: HM.empty,
  byExecutionId: HM.empty,
  deadlines: Deadlines.empty,
  toKill: SM.empty,
  forced: SM.empty,
  ready: HM.empty,
  outbox: Outbox.empty,
  metrics: Metrics.create(now),
  remembered: R.empty,
})

/** What a step changes: the fields it names (the settings never change). */
export type Changes = Partial<Omit<ManagerState, 'settings'>>

/** The state with these changes, every other field as it was. */
export const withChanges = (state: ManagerState, changes: Changes): ManagerState => ({
  settings: state.settings,
  running: changes.running ?? state.running,
  byNode: changes.byNode ?? state.byNode,
  byJob: changes.byJob ?? state.byJob,
  byExecutionId: changes.byExecutionId ?? state.byExecutionId,
  deadlines: changes.deadlines ?? state.deadlines,
  toKill: changes.toKill === undefined ? state.toKill : changes.toKill,
  forced: changes.forced === undefined ? state.forced : changes.forced,
  ready: changes.ready ?? state.ready,
  outbox: changes.outbox ?? state.outbox,
  metrics: changes.metrics ?? state.metrics,
  remembered: changes.remembered ?? state.remembered,
})
