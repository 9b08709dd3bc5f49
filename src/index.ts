/**
 * job-execution-core: the job-execution core of a cluster scheduler as a pure
 * functional core. One namespace per concept:
 *
 * ```ts
 * import { Execution, Manager, TaskUpdate } from 'job-execution-core'
 * ```
 *
 * @since 0.1.0
 * @module job-execution-core
 */
export * as Container from './container'
export * as Errors from './errors'
export * as EventLog from './eventLog'
export * as Execution from './execution'
export * as Ids from './ids'
export * as Manager from './manager'
export * as Metrics from './metrics'
export * as Task from './task'
export * as TaskResults from './taskResults'
export * as TaskUpdate from './taskUpdate'
