/**
 * io-ts codecs of the library's own states, for snapshots: executions and their
 * tasks, end records, counts and the snapshot envelope. They check shape; the
 * manager checks meaning (see `Manager.fromSnapshot`). The records are defined
 * once, in records.ts; a snapshot reads their exact versions.
 *
 * @internal
 * @module
 */
import * as t from 'io-ts'
import { boundary, FiniteNumber, Integer, optional, optionalInner } from './decode'
import {
  EndRecordCodec,
  ErrorCategoryCodec,
  ExecutionCodec,
  ExecutionSpecCodec,
  ExitCodeErrorsCodec,
  JobErrorCodec,
  JobTypeCodec,
  ListedExecutionCodec,
  NodeIdCodec,
  SettingsCodec,
  TaskConfigCodec,
} from './records'

export { EndRecordCodec, ExecutionCodec, ExecutionSpecCodec, ListedExecutionCodec }

const exactProps = (props: t.Props): { readonly props: t.Props; readonly changed: boolean } => {
  const out: Record<string, t.Mixed> = {}
  let changed = false
  for (const key of Object.keys(props)) {
    const codec = props[key]
    if (codec === undefined) continue
    const exact = exactly(codec)
    out[key] = exact
    changed ||= exact !== codec
  }
  return { props: out, changed }
}

const exactAll = (codecs: readonly t.Mixed[]): readonly t.Mixed[] | undefined => {
  const out = codecs.map((c) => exactly(c))
  return out.every((c, i) => c === codecs[i]) ? undefined : out
}

const asExact = (codec: t.Mixed, name: string): t.Mixed => t.exact(codec as unknown as t.HasProps, name)

/**
 * The exact version of a codec, for snapshots: every object in it strips the
 * keys it does not name (so that a snapshot carrying one differs from the
 * snapshot of the state restored from it, and is refused). An object member of
 * an intersection is left open (the intersection itself is exact); an exact
 * interface is wrapped in an intersection first, since io-ts gives an exact
 * interface's keys no context entry of their own and the paths of problems
 * (see decode.ts) would lose a key. Codecs holding no object are returned as
 * they are.
 */
const exactly = (codec: t.Mixed, shut = true): t.Mixed => {
  const inner = optionalInner(codec)
  if (inner !== undefined) {
    const exact = exactly(inner)
    return exact === inner ? codec : optional(exact)
  }
  if (codec instanceof t.InterfaceType) {
    const { props, changed } = exactProps(codec.props as t.Props)
    const open = changed ? t.type(props, codec.name) : (codec as t.Mixed)
    return shut ? asExact(t.intersection([open, t.partial({})], codec.name), codec.name) : open
  }
  if (codec instanceof t.PartialType) {
    const { props, changed } = exactProps(codec.props as t.Props)
    const open = changed ? t.partial(props, codec.name) : (codec as t.Mixed)
    return shut ? asExact(open, codec.name) : open
  }
  if (codec instanceof t.IntersectionType) {
    const members = codec.types as readonly t.Mixed[]
    const open = members.map((c) => exactly(c, false))
    const rebuilt = open.every((c, i) => c === members[i])
      ? (codec as t.Mixed)
      : t.intersection(open as unknown as [t.Mixed, t.Mixed], codec.name)
    return shut ? asExact(rebuilt, codec.name) : rebuilt
  }
  if (codec instanceof t.ReadonlyArrayType) {
    const item = exactly(codec.type as t.Mixed)
    return item === codec.type ? codec : t.readonlyArray(item, codec.name)
  }
  if (codec instanceof t.DictionaryType) {
    const value = exactly(codec.codomain as t.Mixed)
    return value === codec.codomain ? codec : t.record(codec.domain as t.Mixed, value, codec.name)
  }
  if (codec instanceof t.TupleType) {
    const items = exactAll(codec.types as readonly t.Mixed[])
    return items === undefined ? codec : t.tuple(items as unknown as [t.Mixed], codec.name)
  }
  if (codec instanceof t.UnionType) {
    const members = exactAll(codec.types as readonly t.Mixed[])
    return members === undefined ? codec : t.union(members as unknown as [t.Mixed, t.Mixed], codec.name)
  }
  return codec
}

/** The exact version of `codec` (see {@link exactly}), of the same type. */
const exact = <C extends t.Mixed>(codec: C): C => exactly(codec) as C

const KindCodec = t.keyof({ running: null, completed: null, algorithm: null, data: null, system: null }, 'Kind')

export const CountRowsCodec = t.readonlyArray(
  t.tuple([NodeIdCodec, KindCodec, Integer, t.refinement(Integer, (n) => n > 0, 'PositiveCount')]),
  'CountRows',
)

const RefusalCodec = t.union(
  [
    t.type(
      {
        type: t.literal('ExecutionRefused'),
        clusterId: t.string,
        id: Integer,
        reason: t.keyof({ 'cluster-id-without-job-prefix': null, 'unroutable-task-ids': null }),
      },
      'ExecutionRefused',
    ),
    t.type(
      { type: t.literal('MessageRefused'), message: t.unknown, reason: t.literal('core-message-type') },
      'MessageRefused',
    ),
  ],
  'Refusal',
)

const SNAPSHOT_PROPS = {
  settings: SettingsCodec,
  running: t.readonlyArray(ListedExecutionCodec),
  // `refused` since 0.2.0, there only when something is refused: snapshots
  // written before it, and those with nothing refused, read as they were.
  outbox: t.intersection([
    t.type({
      host: t.readonlyArray(t.unknown),
      ends: t.readonlyArray(EndRecordCodec),
      completed: t.readonlyArray(t.type({ jobId: Integer, exeNum: Integer })),
      failed: t.readonlyArray(t.type({ jobId: Integer, exeNum: Integer, error: JobErrorCodec })),
    }),
    t.partial({ refused: t.readonlyArray(RefusalCodec) }),
  ]),
  metrics: t.type({
    now: FiniteNumber,
    running: CountRowsCodec,
    blocks: t.readonlyArray(t.type({ start: Integer, counts: CountRowsCodec })),
  }),
}

/** Version 1 of the snapshot: no remembered ids, no integrity. */
// The boundaries of snapshots: checked for `__proto__` keys and foreign
// prototypes once (see plainData), then decoded.
export const SnapshotV1Codec = boundary(exact(t.type({ snapshotVersion: t.literal(1), ...SNAPSHOT_PROPS }, 'Snapshot')))

/** Version 2: the remembered cluster ids by block, and the integrity of the content. */
export const SnapshotV2Codec = boundary(
  exact(
    t.type(
      {
        snapshotVersion: t.literal(2),
        ...SNAPSHOT_PROPS,
        remembered: t.readonlyArray(t.type({ start: Integer, clusterIds: t.readonlyArray(t.string) })),
        integrity: t.string,
      },
      'Snapshot',
    ),
  ),
)

/**
 * Version 3: the running executions as compact rows (see `snapshotCompact.ts`,
 * which decodes them) over tables of the values they share.
 */
export const SnapshotV3Codec = boundary(
  exact(
    t.type(
      {
        snapshotVersion: t.literal(3),
        ...SNAPSHOT_PROPS,
        tables: t.type({
          settings: t.readonlyArray(SettingsCodec),
          jobTypes: t.readonlyArray(JobTypeCodec),
          exitCodeErrors: t.readonlyArray(ExitCodeErrorsCodec),
          configs: t.readonlyArray(TaskConfigCodec),
          agents: t.readonlyArray(t.string),
          frameworks: t.readonlyArray(t.string),
          base: Integer,
        }),
        running: t.readonlyArray(t.unknown),
        remembered: t.readonlyArray(t.type({ start: Integer, clusterIds: t.readonlyArray(t.string) })),
        integrity: t.string,
      },
      'Snapshot',
    ),
  ),
)

export const CountedCodec = t.intersection(
  [
    t.type({ nodeId: NodeIdCodec, jobTypeId: Integer, status: t.string }),
    t.partial({
      error: optional(t.type({ category: ErrorCategoryCodec })),
      finished: optional(FiniteNumber),
    }),
  ],
  'FinishedRecord',
)
