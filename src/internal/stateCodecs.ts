/**
 * io-ts codecs of the library's own states, for snapshots: executions and their
 * tasks, end records, counts and the snapshot envelope. They check shape; the
 * manager checks meaning (see `Manager.fromSnapshot`).
 *
 * @internal
 * @module
 */
import * as t from 'io-ts'
import { codec as TaskResultsCodec } from '../taskResults'
import { boundary, FiniteNumber, Integer, NonNegativeInteger, optional } from './decode'

const NodeIdCodec = t.union([Integer, t.string], 'NodeId')

const JobErrorCodec = t.type(
  { name: t.string, category: t.keyof({ SYSTEM: null, ALGORITHM: null, DATA: null }), title: t.string },
  'JobError',
)

const IntegerKey = t.refinement(t.string, (key) => /^-?\d+$/.test(key), 'IntegerKey')

const ExitCodeErrorsCodec = t.record(IntegerKey, JobErrorCodec, 'ExitCodeErrors')

const SettingsCodec = t.intersection(
  [
    t.type({
      stagingTimeout: NonNegativeInteger,
      pullTimeout: NonNegativeInteger,
      preTimeout: NonNegativeInteger,
      postTimeout: NonNegativeInteger,
      stagingReconcileDelay: NonNegativeInteger,
      runningReconcileDelay: NonNegativeInteger,
      starvationDelay: NonNegativeInteger,
    }),
    t.partial({ maxLostRetries: optional(NonNegativeInteger) }),
  ],
  'Settings',
)

const JobTypeCodec = t.intersection(
  [
    t.type({ name: t.string, isSystem: t.boolean, isLongRunning: t.boolean, timeout: NonNegativeInteger }),
    t.partial({ errorMapping: optional(ExitCodeErrorsCodec) }),
  ],
  'JobType',
)

const TaskTypeCodec = t.keyof({ pull: null, pre: null, main: null, post: null }, 'TaskType')

const TaskConfigCodec = t.intersection([
  t.type({
    usesDocker: t.boolean,
    isSystem: t.boolean,
    stagingTimeout: NonNegativeInteger,
    stagingReconcileDelay: NonNegativeInteger,
    runningReconcileDelay: NonNegativeInteger,
    timeoutError: JobErrorCodec,
  }),
  t.partial({ runningTimeout: optional(NonNegativeInteger) }),
])

const TaskCodec = t.intersection(
  [
    t.type({
      id: t.string,
      baseId: t.string,
      type: TaskTypeCodec,
      lostCount: NonNegativeInteger,
      config: TaskConfigCodec,
      timedOut: t.boolean,
      killRequested: t.boolean,
      forceReconciliation: t.boolean,
    }),
    t.partial({
      launched: optional(FiniteNumber),
      started: optional(FiniteNumber),
      ended: optional(FiniteNumber),
      lastStatusUpdate: optional(FiniteNumber),
      finalStatus: optional(t.keyof({ FINISHED: null, FAILED: null, KILLED: null })),
      exitCode: optional(Integer),
      containerName: optional(t.string),
    }),
  ],
  'Task',
)

const StatusCodec = t.keyof({ RUNNING: null, COMPLETED: null, FAILED: null, CANCELED: null }, 'ExecutionStatus')

// What an execution spec and a running execution both hold.
const SPEC_PROPS = {
  id: Integer,
  clusterId: t.string,
  jobId: Integer,
  exeNum: Integer,
  jobTypeId: Integer,
  nodeId: NodeIdCodec,
  agentId: t.string,
  queued: FiniteNumber,
  started: FiniteNumber,
  jobType: JobTypeCodec,
}

export const ExecutionCodec = t.intersection(
  [
    t.type({
      ...SPEC_PROPS,
      settings: SettingsCodec,
      status: StatusCodec,
      tasks: t.readonlyArray(TaskCodec),
      next: NonNegativeInteger,
    }),
    t.partial({
      priority: optional(FiniteNumber),
      exitCodeErrors: optional(ExitCodeErrorsCodec),
      error: optional(JobErrorCodec),
      finished: optional(FiniteNumber),
      current: optional(NonNegativeInteger),
      lastTaskFinished: optional(FiniteNumber),
    }),
  ],
  'Execution',
)

export const EndRecordCodec = t.intersection(
  [
    t.type({
      id: Integer,
      clusterId: t.string,
      jobId: Integer,
      exeNum: Integer,
      jobTypeId: Integer,
      nodeId: NodeIdCodec,
      status: StatusCodec,
      queued: FiniteNumber,
      started: FiniteNumber,
      taskResults: TaskResultsCodec,
    }),
    t.partial({ error: optional(JobErrorCodec), finished: optional(FiniteNumber) }),
  ],
  'EndRecord',
)

const KindCodec = t.keyof({ running: null, completed: null, algorithm: null, data: null, system: null }, 'Kind')

export const CountRowsCodec = t.readonlyArray(
  t.tuple([NodeIdCodec, KindCodec, Integer, t.refinement(Integer, (n) => n > 0, 'PositiveCount')]),
  'CountRows',
)

// The boundary of snapshots: checked for `__proto__` keys and foreign
// prototypes once (see plainData), then decoded.
export const SnapshotCodec = boundary(
  t.type({
    snapshotVersion: t.literal(1),
    settings: SettingsCodec,
    running: t.readonlyArray(ExecutionCodec),
    outbox: t.type({
      host: t.readonlyArray(t.unknown),
      ends: t.readonlyArray(EndRecordCodec),
      completed: t.readonlyArray(t.type({ jobId: Integer, exeNum: Integer })),
      failed: t.readonlyArray(t.type({ jobId: Integer, exeNum: Integer, error: JobErrorCodec })),
    }),
    metrics: t.type({
      now: FiniteNumber,
      running: CountRowsCodec,
      blocks: t.readonlyArray(t.type({ start: Integer, counts: CountRowsCodec })),
    }),
  }),
  'Snapshot',
)

const TaskTypesCodec = t.readonlyArray(TaskTypeCodec)

export const ExecutionSpecCodec = t.intersection(
  [
    t.type({
      ...SPEC_PROPS,
    }),
    t.partial({
      priority: optional(FiniteNumber),
      taskTypes: optional(TaskTypesCodec),
      exitCodeErrors: optional(ExitCodeErrorsCodec),
    }),
  ],
  'ExecutionSpec',
)

export const CountedCodec = t.intersection(
  [
    t.type({ nodeId: NodeIdCodec, jobTypeId: Integer, status: t.string }),
    t.partial({
      error: optional(t.type({ category: JobErrorCodec.props.category })),
      finished: optional(FiniteNumber),
    }),
  ],
  'FinishedRecord',
)
