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
 * Each record is a table of fields, each field a codec (what the JSON
 * boundary and the snapshots decode) and a guard (what the reducers check of a
 * record a JavaScript host passes directly, on every event: hand-rolled
 * `typeof` tests rather than io-ts' `is`, which was too slow there). From the
 * table come the record's shape (the codec, whose type the interface extends),
 * its codec (the same object, typed by the interface, so that the records
 * holding it name it: an execution's `error` is a `JobError`) and its guard.
 * The guards are stricter in one respect: an instant is any finite number to
 * a codec (a snapshot's fraction is refused after decoding, with its path, by
 * snapshotChecks) and a safe integer to a guard (the reducers' indexes key on
 * whole milliseconds).
 *
 * @internal
 * @module
 */
import * as t from 'io-ts'
import type { ExitCodeErrors, JobError } from '../errors'
import type { ClusterId, TaskId } from '../ids'
import type { EndRecord, Execution, ExecutionSpec, JobType, ListedExecution } from '../execution'
import type { Settings } from '../settings'
import type { Task, TaskConfig } from '../task'
import { codec as TaskResultsCodec } from '../taskResults'
import { FiniteNumber, Integer, NonNegativeInteger, optional } from './decode'
import { ERROR_CATEGORY, EXECUTION_STATUS, TASK_TYPE, TERMINAL_STATUS, type Literals } from './literals'

/**
 * One field of a record: its codec, and the check the reducers' entry guard
 * makes of it, as a TypeScript expression of `$` (the field's value) that
 * scripts/guards.ts writes into the generated fieldGuards.ts.
 */
export interface Field<C extends t.Mixed> {
  readonly codec: C
  readonly check: string
}

const field = <C extends t.Mixed>(codec: C, check: string): Field<C> => ({ codec, check })

type Table = Readonly<Record<string, Field<t.Mixed>>>

// The field kinds.
const STRING = field(t.string, "typeof $ === 'string'")
/** Ids are strings to the codec and the guard, typed by their kind (see `Ids.ClusterId`). */
const ClusterIdCodec: t.Type<ClusterId, string, unknown> = t.string
const TaskIdCodec: t.Type<TaskId, string, unknown> = t.string
const CLUSTER_ID = field(ClusterIdCodec, STRING.check)
const TASK_ID = field(TaskIdCodec, STRING.check)
const BOOLEAN = field(t.boolean, "typeof $ === 'boolean'")
/** An id or an exit code: a safe integer. */
const INTEGER = field(Integer, 'isInteger($)')
/** A duration or a count: a non-negative safe integer. */
const COUNT = field(NonNegativeInteger, 'isNonNegativeInteger($)')
/** Milliseconds since the epoch: every finite number to the codec, a safe integer to the guard. */
const INSTANT = field(FiniteNumber, 'isInteger($)')
const NUMBER = field(FiniteNumber, 'Number.isFinite($)')
/**
 * One of a set of literals.ts: the guard compares with each value in turn
 * (faster than the set's own `is` for these few strings).
 */
const literal = <L extends string>(set: Literals<L>): Field<t.Type<L, L, unknown>> =>
  field(set.codec, `(${set.values.map((value) => `$ === ${JSON.stringify(value)}`).join(' || ')})`)

/** A node id: an integer or a string. */
export const NodeIdCodec = t.union([Integer, t.string], 'NodeId')
const NODE_ID = field(NodeIdCodec, 'isNodeId($)')

type Codecs<F extends Table> = { [K in keyof F]: F[K]['codec'] }
type Optionals<F extends Table> = {
  [K in keyof F]: t.Type<t.TypeOf<F[K]['codec']> | undefined, t.OutputOf<F[K]['codec']> | undefined, unknown>
}

const codecsOf = <F extends Table>(table: F): Codecs<F> => {
  const out: Record<string, t.Mixed> = {}
  for (const key of Object.keys(table)) {
    const f = table[key]
    if (f !== undefined) out[key] = f.codec
  }
  return out as Codecs<F>
}

const optionalsOf = <F extends Table>(table: F): Optionals<F> => {
  const out: Record<string, t.Mixed> = {}
  for (const key of Object.keys(table)) {
    const f = table[key]
    if (f !== undefined) out[key] = optional(f.codec)
  }
  return out as Optionals<F>
}

/** A record as scripts/guards.ts compiles its guard. */
export interface GuardedRecord {
  /** The guard's name in fieldGuards.ts. */
  readonly guard: string
  /** The type the guard narrows to, and the module that exports it. */
  readonly type: string
  readonly from: string
  readonly required: Table
  readonly optional: Table
  /** Checked once per object (shared by many records: a job type's, a registry). */
  readonly cached: boolean
  readonly doc: string
}

/** Every record with a guard, in an order where each guard's record fields come before it. */
export const GUARDED: GuardedRecord[] = []
const guarded = (record: GuardedRecord): void => {
  GUARDED.push(record)
}

/** One of the three error categories. */
export const ErrorCategoryCodec = ERROR_CATEGORY.codec

const JOB_ERROR = { name: STRING, category: literal(ERROR_CATEGORY), title: STRING }
export const JobErrorShape = t.type(codecsOf(JOB_ERROR), 'JobError')
export const JobErrorCodec: t.Type<JobError, JobError, unknown> = JobErrorShape
guarded({
  guard: 'isJobError',
  type: 'JobError',
  from: '../errors',
  required: JOB_ERROR,
  optional: {},
  cached: false,
  doc: 'A `{ name, category, title }` with a known category.',
})

const IntegerKey = t.refinement(t.string, (key) => /^-?\d+$/.test(key), 'IntegerKey')

/** Exit codes (integer keys) to job errors. */
export const ExitCodeErrorsCodec: t.Type<ExitCodeErrors, ExitCodeErrors, unknown> = t.record(
  IntegerKey,
  JobErrorCodec,
  'ExitCodeErrors',
)

// Checked by fieldGuards' `isLookup`: a plain object of job errors, once per object.
const LOOKUP = field(ExitCodeErrorsCodec, 'isLookup($)')

const DURATION = COUNT

/** The settings that are durations: required in a stored execution, each with its default. */
export const DURATION_SETTINGS = {
  /** How long a task may stage (launched, not started) before it times out. 2 minutes. */
  stagingTimeout: DURATION,
  /** How long a pull task may run. 30 minutes. */
  pullTimeout: DURATION,
  /** How long a pre task may run. 1 hour. */
  preTimeout: DURATION,
  /** How long a post task may run. 1 hour. */
  postTimeout: DURATION,
  /** How old the last update of a staging task may get before it needs reconciliation. 30 seconds. */
  stagingReconcileDelay: DURATION,
  /** How old the last update of a running task may get before it needs reconciliation. 10 minutes. */
  runningReconcileDelay: DURATION,
  /** How long an execution may wait for resources for its next task. 10 minutes. */
  starvationDelay: DURATION,
}

/** The settings that may be absent. */
export const OPTIONAL_SETTINGS = {
  /**
   * How often the same task may be lost and retried; the next loss fails the
   * execution with `node-lost`. Absent (the default, as in Scale): unbounded.
   */
  maxLostRetries: COUNT,
}

export const SettingsShape = t.intersection(
  [t.type(codecsOf(DURATION_SETTINGS)), t.partial(optionalsOf(OPTIONAL_SETTINGS))],
  'Settings',
)
export const SettingsCodec: t.Type<Settings, Settings, unknown> = SettingsShape
guarded({
  guard: 'isSettings',
  type: 'Settings',
  from: '../settings',
  required: DURATION_SETTINGS,
  optional: OPTIONAL_SETTINGS,
  cached: true,
  doc: 'Complete settings.',
})

const JOB_TYPE = {
  name: STRING,
  isSystem: BOOLEAN,
  isLongRunning: BOOLEAN,
  /** The main task's running timeout, in milliseconds. */
  timeout: DURATION,
}
const JOB_TYPE_OPTIONAL = {
  /**
   * Non-zero exit code of the main task to error; unmapped codes give
   * `algorithm-unknown`. No exit code, or 0, is never looked up (an entry for 0
   * is never used), as in Scale.
   */
  errorMapping: LOOKUP,
}

export const JobTypeShape = t.intersection(
  [t.type(codecsOf(JOB_TYPE)), t.partial(optionalsOf(JOB_TYPE_OPTIONAL))],
  'JobType',
)
export const JobTypeCodec: t.Type<JobType, JobType, unknown> = JobTypeShape
guarded({
  guard: 'isJobType',
  type: 'JobType',
  from: '../execution',
  required: JOB_TYPE,
  optional: JOB_TYPE_OPTIONAL,
  cached: false,
  doc: 'A job type.',
})

/** The four task types. */
export const TaskTypeCodec = TASK_TYPE.codec

const TASK_CONFIG = {
  /** Whether the task runs in a container (all but `pull`). */
  usesDocker: BOOLEAN,
  /** Whether the task belongs to a system job type. */
  isSystem: BOOLEAN,
  stagingTimeout: DURATION,
  stagingReconcileDelay: DURATION,
  runningReconcileDelay: DURATION,
  /** The error a timeout of this task, once started, fails its execution with. */
  timeoutError: field(JobErrorCodec, 'isJobError($)'),
}
const TASK_CONFIG_OPTIONAL = {
  /** Absent: the task may run for ever (main task of a long-running job type). */
  runningTimeout: DURATION,
}

export const TaskConfigShape = t.intersection([
  t.type(codecsOf(TASK_CONFIG)),
  t.partial(optionalsOf(TASK_CONFIG_OPTIONAL)),
])
export const TaskConfigCodec: t.Type<TaskConfig, TaskConfig, unknown> = TaskConfigShape
guarded({
  guard: 'isTaskConfig',
  type: 'TaskConfig',
  from: '../task',
  required: TASK_CONFIG,
  optional: TASK_CONFIG_OPTIONAL,
  // Task configurations are shared by many tasks.
  cached: true,
  doc: "A task's configuration.",
})

const TASK = {
  /** The current cluster task id (it changes each time the task is lost). */
  id: TASK_ID,
  /** The id before any loss: `{clusterId}_{type}`. */
  baseId: TASK_ID,
  type: literal(TASK_TYPE),
  /** How often this task has been lost and retried. */
  lostCount: COUNT,
  config: field(TaskConfigCodec, 'isTaskConfig($)'),
  timedOut: BOOLEAN,
  /** A kill was asked for; see `Task.needsKill` for whether one is needed now. */
  killRequested: BOOLEAN,
  forceReconciliation: BOOLEAN,
}
const TASK_OPTIONAL = {
  launched: INSTANT,
  started: INSTANT,
  ended: INSTANT,
  lastStatusUpdate: INSTANT,
  finalStatus: literal(TERMINAL_STATUS),
  exitCode: INTEGER,
  containerName: STRING,
}

export const TaskShape = t.intersection([t.type(codecsOf(TASK)), t.partial(optionalsOf(TASK_OPTIONAL))], 'Task')
export const TaskCodec: t.Type<Task, Task, unknown> = TaskShape
guarded({
  guard: 'isTaskFields',
  type: 'Task',
  from: '../task',
  required: TASK,
  optional: TASK_OPTIONAL,
  cached: false,
  doc: "A task's fields, each of its type (how they relate to its execution: see executionGuard).",
})

/** The four execution statuses. */
export const StatusCodec = EXECUTION_STATUS.codec

// What an execution spec, an execution and an end record all hold.
const IDS = {
  id: INTEGER,
  clusterId: CLUSTER_ID,
  jobId: INTEGER,
  exeNum: INTEGER,
  jobTypeId: INTEGER,
  nodeId: NODE_ID,
}

// What an execution spec and an execution both hold.
const SPEC = {
  ...IDS,
  agentId: STRING,
  queued: INSTANT,
  started: INSTANT,
  jobType: field(JobTypeCodec, 'isJobType($)'),
}

const SPEC_OPTIONAL = {
  priority: NUMBER,
  /** The registry of system exit codes. */
  exitCodeErrors: LOOKUP,
}

const SPEC_ONLY_OPTIONAL = {
  priority: SPEC_OPTIONAL.priority,
  /** The task types to run, in order; default `pull`, `pre`, `main`, `post`. */
  // To the codec any list of them; to the guard a non-empty list of known
  // types in execution order, without duplicates (see shapes.ts).
  taskTypes: field(t.readonlyArray(TaskTypeCodec), 'isTaskTypeList($)'),
  exitCodeErrors: SPEC_OPTIONAL.exitCodeErrors,
}

export const ExecutionSpecShape = t.intersection(
  [t.type(codecsOf(SPEC)), t.partial(optionalsOf(SPEC_ONLY_OPTIONAL))],
  'ExecutionSpec',
)
export const ExecutionSpecCodec: t.Type<ExecutionSpec, ExecutionSpec, unknown> = ExecutionSpecShape
guarded({
  guard: 'isExecutionSpecFields',
  type: 'ExecutionSpec',
  from: '../execution',
  required: SPEC,
  optional: SPEC_ONLY_OPTIONAL,
  cached: false,
  doc: "A spec's fields, each of its type.",
})

// An execution as the library keeps it: the tasks reached so far (each made
// when it first becomes current), and the types of all its tasks; a task not
// reached yet is what `Task.create` makes of its type (see taskList.ts).
const EXECUTION = {
  ...SPEC,
  settings: field(SettingsCodec, 'isSettings($)'),
  status: literal(EXECUTION_STATUS),
  /** The types of all its tasks, in order. */
  taskTypes: field(t.readonlyArray(TaskTypeCodec), 'isTaskTypeList($)'),
  // Each task, and how the tasks relate to the execution, is checked by executionGuard.
  /** The tasks that have been current so far, in order. */
  tasksSoFar: field(t.readonlyArray(TaskCodec), 'Array.isArray($)'),
  next: COUNT,
}
const EXECUTION_OPTIONAL = {
  ...SPEC_OPTIONAL,
  error: field(JobErrorCodec, 'isJobError($)'),
  finished: INSTANT,
  current: COUNT,
  lastTaskFinished: INSTANT,
}

export const ExecutionShape = t.intersection(
  [t.type(codecsOf(EXECUTION)), t.partial(optionalsOf(EXECUTION_OPTIONAL))],
  'Execution',
)
export const ExecutionCodec: t.Type<Execution, Execution, unknown> = ExecutionShape
guarded({
  guard: 'isExecutionFields',
  type: 'Execution',
  from: '../execution',
  required: EXECUTION,
  optional: EXECUTION_OPTIONAL,
  cached: false,
  doc: "An execution's own fields, each of its type (its tasks and how they relate: see executionGuard).",
})

// An execution with all its tasks listed: how snapshots of versions 1 and 2,
// event logs and hosts before 0.4.0 hold one.
const LISTED_EXECUTION = {
  ...SPEC,
  settings: EXECUTION.settings,
  status: EXECUTION.status,
  tasks: field(t.readonlyArray(TaskCodec), 'Array.isArray($)'),
  next: COUNT,
}

export const ListedExecutionShape = t.intersection(
  [t.type(codecsOf(LISTED_EXECUTION)), t.partial(optionalsOf(EXECUTION_OPTIONAL))],
  'Execution',
)
export const ListedExecutionCodec: t.Type<ListedExecution, ListedExecution, unknown> = ListedExecutionShape
guarded({
  guard: 'isListedExecutionFields',
  type: 'ListedExecution',
  from: '../execution',
  required: LISTED_EXECUTION,
  optional: EXECUTION_OPTIONAL,
  cached: false,
  doc: "A listed execution's own fields, each of its type (its tasks and how they relate: see executionGuard).",
})

const END_RECORD = {
  ...IDS,
  status: literal(EXECUTION_STATUS),
  queued: INSTANT,
  started: INSTANT,
  // The outbox passes on their version and task list (see shapes.ts).
  taskResults: field(TaskResultsCodec, 'isTaskResultsLike($)'),
}
const END_RECORD_OPTIONAL = { error: field(JobErrorCodec, 'isJobError($)'), finished: INSTANT }

export const EndRecordShape = t.intersection(
  [t.type(codecsOf(END_RECORD)), t.partial(optionalsOf(END_RECORD_OPTIONAL))],
  'EndRecord',
)
export const EndRecordCodec: t.Type<EndRecord, EndRecord, unknown> = EndRecordShape
guarded({
  guard: 'isEndRecord',
  type: 'EndRecord',
  from: '../execution',
  required: END_RECORD,
  optional: END_RECORD_OPTIONAL,
  cached: false,
  doc: 'An end record as the outbox passes it on: ids, a known status, instants, task results.',
})
