/**
 * The structural check of a task status update passed directly to a reducer:
 * what the task and execution reducers read of it.
 *
 * @internal
 * @module
 */
import type { TaskStatus, TaskUpdate } from '../taskUpdate'
import { isInteger, isObject, isOptionalInteger, isOptionalString } from './shapes'

/** One of the seven task statuses (a switch: cheaper than a lookup, and no prototype to read). */
export const isTaskStatus = (value: unknown): value is TaskStatus => {
  switch (value) {
    case 'STAGING':
    case 'RUNNING':
    case 'FINISHED':
    case 'FAILED':
    case 'KILLED':
    case 'LOST':
    case 'UNKNOWN':
      return true
    default:
      return false
  }
}

/**
 * A task update the reducers can apply: a string `taskId`, a known `status`, a
 * safe-integer `timestamp`; `agentId`, `message`, `source`, `reason` and
 * `containerName` absent or strings, `exitCode` absent or a safe integer.
 * Other fields are ignored.
 */
export const isTaskUpdate = (value: unknown): value is TaskUpdate =>
  isObject(value) &&
  typeof value.taskId === 'string' &&
  isTaskStatus(value.status) &&
  isInteger(value.timestamp) &&
  isOptionalInteger(value.exitCode) &&
  isOptionalString(value.containerName) &&
  isOptionalString(value.reason) &&
  isOptionalString(value.agentId) &&
  isOptionalString(value.message) &&
  isOptionalString(value.source)
