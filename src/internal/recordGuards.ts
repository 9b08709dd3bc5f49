/**
 * Structural checks of the records hosts pass to the manager: end records
 * (`CanceledOffQueue`), counted records (`HistoryLoaded`) and synced jobs
 * (`JobsSynced`).
 *
 * @internal
 * @module
 */
import type { ExecutionStatus } from '../execution'
import type { JobStatus, SyncedJob } from '../manager'
import type { Counted } from '../metrics'
import { EXECUTION_STATUS, JOB_STATUS } from './literals'
import { isErrorCategory, isInteger, isNodeId, isObject, isOptionalInteger } from './shapes'

/** One of the four execution statuses. */
export const isExecutionStatus: (value: unknown) => value is ExecutionStatus = EXECUTION_STATUS.is

/**
 * What the metrics read of a finished execution: a node id, an integer job
 * type id, a string status, an error (if any) with a known category, and a
 * safe-integer finished instant (if any).
 */
export const isCounted = (value: unknown): value is Counted =>
  isObject(value) &&
  isNodeId(value.nodeId) &&
  isInteger(value.jobTypeId) &&
  typeof value.status === 'string' &&
  (value.error === undefined || (isObject(value.error) && isErrorCategory(value.error.category))) &&
  isOptionalInteger(value.finished)

export { isEndRecord } from './fieldGuards'

/** Scale's job statuses, in its order (published as `Manager.JOB_STATUSES`). */
export const JOB_STATUS_LIST: readonly JobStatus[] = JOB_STATUS.values

/** A synced job: one of Scale's job statuses and a safe-integer number of executions. */
export const isSyncedJob = (value: unknown): value is SyncedJob =>
  isObject(value) && JOB_STATUS.is(value.status) && isInteger(value.numExes)
