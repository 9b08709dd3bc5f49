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

// The codecs, built twice: as they are for events (unknown keys pass), and
// exact for snapshots (unknown keys are stripped, so that a snapshot carrying
// one differs from the snapshot of the state restored from it, and is refused).
const build = (exact: boolean) => {
  // An exact interface is wrapped in an intersection first: io-ts gives an exact
  // interface's keys no context entry of their own, and the paths of problems
  // (see decode.ts) would lose a key.
  const shut = <C extends t.HasProps>(codec: C): C => {
    if (!exact) return codec
    const wrapped = codec instanceof t.InterfaceType ? t.intersection([codec, t.partial({})], codec.name) : codec
    return t.exact(wrapped, codec.name) as unknown as C
  }

  const NodeIdCodec = t.union([Integer, t.string], 'NodeId')

  const JobErrorCodec = shut(
    t.type(
      { name: t.string, category: t.keyof({ SYSTEM: null, ALGORITHM: null, DATA: null }), title: t.string },
      'JobError',
    ),
  )

  const IntegerKey = t.refinement(t.string, (key) => /^-?\d+$/.test(key), 'IntegerKey')

  const ExitCodeErrorsCodec = t.record(IntegerKey, JobErrorCodec, 'ExitCodeErrors')

  const SettingsCodec = shut(
    t.intersection(
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
    ),
  )

  const JobTypeCodec = shut(
    t.intersection(
      [
        t.type({ name: t.string, isSystem: t.boolean, isLongRunning: t.boolean, timeout: NonNegativeInteger }),
        t.partial({ errorMapping: optional(ExitCodeErrorsCodec) }),
      ],
      'JobType',
    ),
  )

  const TaskTypeCodec = t.keyof({ pull: null, pre: null, main: null, post: null }, 'TaskType')

  const TaskConfigCodec = shut(
    t.intersection([
      t.type({
        usesDocker: t.boolean,
        isSystem: t.boolean,
        stagingTimeout: NonNegativeInteger,
        stagingReconcileDelay: NonNegativeInteger,
        runningReconcileDelay: NonNegativeInteger,
        timeoutError: JobErrorCodec,
      }),
      t.partial({ runningTimeout: optional(NonNegativeInteger) }),
    ]),
  )

  const TaskCodec = shut(
    t.intersection(
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
    ),
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

  const ExecutionCodec = shut(
    t.intersection(
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
    ),
  )

  const EndRecordCodec = shut(
    t.intersection(
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
    ),
  )

  const KindCodec = t.keyof({ running: null, completed: null, algorithm: null, data: null, system: null }, 'Kind')

  const CountRowsCodec = t.readonlyArray(
    t.tuple([NodeIdCodec, KindCodec, Integer, t.refinement(Integer, (n) => n > 0, 'PositiveCount')]),
    'CountRows',
  )

  const SNAPSHOT_PROPS = {
    settings: SettingsCodec,
    running: t.readonlyArray(ExecutionCodec),
    outbox: shut(
      t.type({
        host: t.readonlyArray(t.unknown),
        ends: t.readonlyArray(EndRecordCodec),
        completed: t.readonlyArray(shut(t.type({ jobId: Integer, exeNum: Integer }))),
        failed: t.readonlyArray(shut(t.type({ jobId: Integer, exeNum: Integer, error: JobErrorCodec }))),
      }),
    ),
    metrics: shut(
      t.type({
        now: FiniteNumber,
        running: CountRowsCodec,
        blocks: t.readonlyArray(shut(t.type({ start: Integer, counts: CountRowsCodec }))),
      }),
    ),
  }

  /** Version 1: no remembered ids, no integrity. */
  const SnapshotV1Codec = shut(t.type({ snapshotVersion: t.literal(1), ...SNAPSHOT_PROPS }, 'Snapshot'))

  /** Version 2: the remembered cluster ids by block, and the integrity of the content. */
  const SnapshotV2Codec = shut(
    t.type(
      {
        snapshotVersion: t.literal(2),
        ...SNAPSHOT_PROPS,
        remembered: t.readonlyArray(shut(t.type({ start: Integer, clusterIds: t.readonlyArray(t.string) }))),
        integrity: t.string,
      },
      'Snapshot',
    ),
  )

  return {
    ExecutionCodec,
    EndRecordCodec,
    CountRowsCodec,
    JobErrorCodec,
    NodeIdCodec,
    TaskTypeCodec,
    ExitCodeErrorsCodec,
    SPEC_PROPS,
    SnapshotV1Codec,
    SnapshotV2Codec,
  }
}

const loose = build(false)
const exact = build(true)

export const ExecutionCodec = loose.ExecutionCodec
export const EndRecordCodec = loose.EndRecordCodec
export const CountRowsCodec = loose.CountRowsCodec
const { JobErrorCodec, NodeIdCodec, TaskTypeCodec, ExitCodeErrorsCodec, SPEC_PROPS } = loose

/** Version 1 of the snapshot: no remembered ids, no integrity. */
// The boundaries of snapshots: checked for `__proto__` keys and foreign
// prototypes once (see plainData), then decoded.
export const SnapshotV1Codec = boundary(exact.SnapshotV1Codec)

/** Version 2: the remembered cluster ids by block, and the integrity of the content. */
export const SnapshotV2Codec = boundary(exact.SnapshotV2Codec)

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
