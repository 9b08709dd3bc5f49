/**
 * Structural checks of the records hosts pass to the manager: end records
 * (`CanceledOffQueue`), counted records (`HistoryLoaded`) and synced jobs
 * (`JobsSynced`).
 *
 * @internal
 * @module
 */
import type { EndRecord, ExecutionStatus } from '../execution'
import type { JobStatus, SyncedJob } from '../manager'
import type { Counted } from '../metrics'
import { EXECUTION_STATUS, JOB_STATUS } from './literals'
import { isErrorCategory, isInteger, isJobError, isNodeId, isObject, isOptionalInteger } from './shapes'

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

/** An end record as the outbox passes it on: ids, a known status, instants, task results. */
export const isEndRecord = (value: unknown): value is EndRecord =>
  isObject(value) &&
  isInteger(value.id) &&
  typeof value.clusterId === 'string' &&
  isInteger(value.jobId) &&
  isInteger(value.exeNum) &&
  isInteger(value.jobTypeId) &&
  isNodeId(value.nodeId) &&
  isExecutionStatus(value.status) &&
  (value.error === undefined || isJobError(value.error)) &&
  isInteger(value.queued) &&
  isInteger(value.started) &&
  isOptionalInteger(value.finished) &&
  isObject(value.taskResults) &&
  typeof value.taskResults.version === 'string' &&
  Array.isArray(value.taskResults.tasks)

/** Scale's job statuses, in its order (published as `Manager.JOB_STATUSES`). */
export const JOB_STATUS_LIST: readonly JobStatus[] = JOB_STATUS.values

/** A synced job: one of Scale's job statuses and a safe-integer number of executions. */
export const isSyncedJob = (value: unknown): value is SyncedJob =>
  isObject(value) && JOB_STATUS.is(value.status) && isInteger(value.numExes)
