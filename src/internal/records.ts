/**
 * The one definition of each record the library stores or is given: a job
 * error, a job type, settings, a task and its config, an execution spec, an
 * execution and an end record. Each is an io-ts codec here; the public
 * interfaces (`Errors.JobError`, `Execution.ExecutionSpec`, ...) are the
 * read-only types of these codecs (`interface JobError extends
 * Readonly<t.TypeOf<typeof JobErrorShape>> {}`), and the snapshot codecs are
 * their exact versions (see stateCodecs.ts). A field is added, removed or
 * documented here, once.
 *
 * Each record has a shape (the codec as built, whose type the interface
 * extends) and a codec (the same object, typed by the interface, so that the
 * records holding it name it: an execution's `error` is a `JobError`).
 *
 * @internal
 * @module
 */
import * as t from 'io-ts'
import type { ExitCodeErrors, JobError } from '../errors'
import type { EndRecord, Execution, ExecutionSpec, JobType } from '../execution'
import type { Settings } from '../settings'
import type { Task, TaskConfig } from '../task'
import { codec as TaskResultsCodec } from '../taskResults'
import { FiniteNumber, Integer, NonNegativeInteger, optional } from './decode'
import { ERROR_CATEGORY, EXECUTION_STATUS, TASK_TYPE, TERMINAL_STATUS } from './literals'

/** A node id: an integer or a string. */
export const NodeIdCodec = t.union([Integer, t.string], 'NodeId')

/** One of the three error categories. */
export const ErrorCategoryCodec = ERROR_CATEGORY.codec

export const JobErrorShape = t.type({ name: t.string, category: ErrorCategoryCodec, title: t.string }, 'JobError')
export const JobErrorCodec: t.Type<JobError, JobError, unknown> = JobErrorShape

const IntegerKey = t.refinement(t.string, (key) => /^-?\d+$/.test(key), 'IntegerKey')

/** Exit codes (integer keys) to job errors. */
export const ExitCodeErrorsCodec: t.Type<ExitCodeErrors, ExitCodeErrors, unknown> = t.record(
  IntegerKey,
  JobErrorCodec,
  'ExitCodeErrors',
)

/** The settings that are durations: required in a stored execution, each with its default. */
export const DURATION_SETTINGS = {
  /** How long a task may stage (launched, not started) before it times out. 2 minutes. */
  stagingTimeout: NonNegativeInteger,
  /** How long a pull task may run. 30 minutes. */
  pullTimeout: NonNegativeInteger,
  /** How long a pre task may run. 1 hour. */
  preTimeout: NonNegativeInteger,
  /** How long a post task may run. 1 hour. */
  postTimeout: NonNegativeInteger,
  /** How old the last update of a staging task may get before it needs reconciliation. 30 seconds. */
  stagingReconcileDelay: NonNegativeInteger,
  /** How old the last update of a running task may get before it needs reconciliation. 10 minutes. */
  runningReconcileDelay: NonNegativeInteger,
  /** How long an execution may wait for resources for its next task. 10 minutes. */
  starvationDelay: NonNegativeInteger,
}

/** The settings that may be absent. */
export const OPTIONAL_SETTINGS = {
  /**
   * How often the same task may be lost and retried; the next loss fails the
   * execution with `node-lost`. Absent (the default, as in Scale): unbounded.
   */
  maxLostRetries: optional(NonNegativeInteger),
}

export const SettingsShape = t.intersection([t.type(DURATION_SETTINGS), t.partial(OPTIONAL_SETTINGS)], 'Settings')
export const SettingsCodec: t.Type<Settings, Settings, unknown> = SettingsShape

export const JobTypeShape = t.intersection(
  [
    t.type({
      name: t.string,
      isSystem: t.boolean,
      isLongRunning: t.boolean,
      /** The main task's running timeout, in milliseconds. */
      timeout: NonNegativeInteger,
    }),
    t.partial({
      /**
       * Non-zero exit code of the main task to error; unmapped codes give
       * `algorithm-unknown`. No exit code, or 0, is never looked up (an entry for 0
       * is never used), as in Scale.
       */
      errorMapping: optional(ExitCodeErrorsCodec),
    }),
  ],
  'JobType',
)
export const JobTypeCodec: t.Type<JobType, JobType, unknown> = JobTypeShape

/** The four task types. */
export const TaskTypeCodec = TASK_TYPE.codec

export const TaskConfigShape = t.intersection([
  t.type({
    /** Whether the task runs in a container (all but `pull`). */
    usesDocker: t.boolean,
    /** Whether the task belongs to a system job type. */
    isSystem: t.boolean,
    stagingTimeout: NonNegativeInteger,
    stagingReconcileDelay: NonNegativeInteger,
    runningReconcileDelay: NonNegativeInteger,
    /** The error a timeout of this task, once started, fails its execution with. */
    timeoutError: JobErrorCodec,
  }),
  t.partial({
    /** Absent: the task may run for ever (main task of a long-running job type). */
    runningTimeout: optional(NonNegativeInteger),
  }),
])
export const TaskConfigCodec: t.Type<TaskConfig, TaskConfig, unknown> = TaskConfigShape

export const TaskShape = t.intersection(
  [
    t.type({
      /** The current cluster task id (it changes each time the task is lost). */
      id: t.string,
      /** The id before any loss: `{clusterId}_{type}`. */
      baseId: t.string,
      type: TaskTypeCodec,
      /** How often this task has been lost and retried. */
      lostCount: NonNegativeInteger,
      config: TaskConfigCodec,
      timedOut: t.boolean,
      /** A kill was asked for; see `Task.needsKill` for whether one is needed now. */
      killRequested: t.boolean,
      forceReconciliation: t.boolean,
    }),
    t.partial({
      launched: optional(FiniteNumber),
      started: optional(FiniteNumber),
      ended: optional(FiniteNumber),
      lastStatusUpdate: optional(FiniteNumber),
      finalStatus: optional(TERMINAL_STATUS.codec),
      exitCode: optional(Integer),
      containerName: optional(t.string),
    }),
  ],
  'Task',
)
export const TaskCodec: t.Type<Task, Task, unknown> = TaskShape

/** The four execution statuses. */
export const StatusCodec = EXECUTION_STATUS.codec

// What an execution spec, an execution and an end record all hold.
const IDS = {
  id: Integer,
  clusterId: t.string,
  jobId: Integer,
  exeNum: Integer,
  jobTypeId: Integer,
  nodeId: NodeIdCodec,
}

// What an execution spec and an execution both hold.
const SPEC = {
  ...IDS,
  agentId: t.string,
  queued: FiniteNumber,
  started: FiniteNumber,
  jobType: JobTypeCodec,
}

const SPEC_OPTIONAL = {
  priority: optional(FiniteNumber),
  /** The registry of system exit codes. */
  exitCodeErrors: optional(ExitCodeErrorsCodec),
}

export const ExecutionSpecShape = t.intersection(
  [
    t.type(SPEC),
    t.partial({
      priority: SPEC_OPTIONAL.priority,
      /** The task types to run, in order; default `pull`, `pre`, `main`, `post`. */
      taskTypes: optional(t.readonlyArray(TaskTypeCodec)),
      exitCodeErrors: SPEC_OPTIONAL.exitCodeErrors,
    }),
  ],
  'ExecutionSpec',
)
export const ExecutionSpecCodec: t.Type<ExecutionSpec, ExecutionSpec, unknown> = ExecutionSpecShape

export const ExecutionShape = t.intersection(
  [
    t.type({
      ...SPEC,
      settings: SettingsCodec,
      status: StatusCodec,
      tasks: t.readonlyArray(TaskCodec),
      next: NonNegativeInteger,
    }),
    t.partial({
      ...SPEC_OPTIONAL,
      error: optional(JobErrorCodec),
      finished: optional(FiniteNumber),
      current: optional(NonNegativeInteger),
      lastTaskFinished: optional(FiniteNumber),
    }),
  ],
  'Execution',
)
export const ExecutionCodec: t.Type<Execution, Execution, unknown> = ExecutionShape

export const EndRecordShape = t.intersection(
  [
    t.type({
      ...IDS,
      status: StatusCodec,
      queued: FiniteNumber,
      started: FiniteNumber,
      taskResults: TaskResultsCodec,
    }),
    t.partial({ error: optional(JobErrorCodec), finished: optional(FiniteNumber) }),
  ],
  'EndRecord',
)
export const EndRecordCodec: t.Type<EndRecord, EndRecord, unknown> = EndRecordShape
