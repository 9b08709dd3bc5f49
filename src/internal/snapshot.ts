/**
 * Snapshots of a manager: writing one (version 3, the compact layout; the
 * full layout of version 2 is still written by {@link toSnapshotV2}, for the
 * tests that check it still restores), and reading one back (version 1, 2 or
 * 3) only when it is exactly what the writer of its version gives of some
 * reachable state.
 *
 * Reading goes: the codec (shape, with paths); from version 2 on the integrity
 * (a canonical hash of everything else, see `canonical.ts`), which catches any
 * value changed since; the structural checks (`snapshotChecks.ts`); then the
 * state is rebuilt, and the snapshot of the rebuilt state must equal the input
 * canonically: whatever the checks let through that the state would not hold
 * the same way (order, duplicates, derived counts, stray keys) is refused at
 * its first difference. So every snapshot accepted is what the writer of its
 * version gives of the state restored from it.
 *
 * @internal
 * @module
 */
import * as E from 'fp-ts/Either'
import type { Execution } from '../execution'
import type { Snapshot, SnapshotV2 } from '../manager'
import * as Metrics from '../metrics'
import * as C from './canonical'
import { problemsOf, type Problem } from './decode'
import * as HM from './hashMap'
import { rebuild } from './lifecycle'
import type { ManagerState } from './managerState'
import { withChanges } from './managerState'
import * as Outbox from './outbox'
import * as R from './remembered'
import { blockProblems, executionProblems, rememberedProblems, uniquenessProblems } from './snapshotChecks'
import * as Compact from './snapshotCompact'
import { SnapshotV1Codec, SnapshotV2Codec, SnapshotV3Codec } from './stateCodecs'
import { fromListed, listed, type ListedExecution } from './taskList'

/** The version of the full layout, {@link toSnapshotV2}'s. */
export const V2_VERSION = 2

/** The version {@link toSnapshot} writes: the compact layout (see `snapshotCompact.ts`). */
export const VERSION = 3

type Content = Omit<SnapshotV2, 'integrity'>

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

// Sorted by cluster id: the ids sorted alone (the engine's own string order,
// the same as compareStrings, without a call per comparison), then looked up.
const runningOf = (state: ManagerState): Execution[] => {
  const out: Execution[] = []
  for (const id of HM.keys(state.running).sort()) {
    const execution = HM.get(state.running, id, HM.hashString(id))
    if (execution !== undefined) out.push(execution)
  }
  return out
}

// Whether the cluster ids ascend strictly: the order runningOf lists them in.
const ascending = (running: readonly Execution[]): boolean => {
  for (let i = 1; i < running.length; i++) {
    if (compareStrings(running[i - 1]?.clusterId ?? '', running[i]?.clusterId ?? '') >= 0) return false
  }
  return true
}

const restOf = (state: ManagerState): Omit<Content, 'snapshotVersion' | 'settings' | 'running'> => ({
  outbox: Outbox.toLists(state.outbox),
  metrics: {
    now: state.metrics.now,
    running: Metrics.toEntries(state.metrics.running),
    blocks: state.metrics.blocks.map((block) => ({ start: block.start, counts: Metrics.toEntries(block.counts) })),
  },
  remembered: R.toRows(state.remembered),
})

const contentOf = (state: ManagerState, running: readonly Execution[] = runningOf(state)): Content => ({
  snapshotVersion: V2_VERSION,
  settings: state.settings,
  running: running.map(listed),
  ...restOf(state),
})

type CompactContent = Omit<Snapshot, 'integrity'>

const compactContentOf = (state: ManagerState, listed: readonly Execution[] = runningOf(state)): CompactContent => {
  const { tables, running } = Compact.encode(listed)
  return { snapshotVersion: VERSION, settings: state.settings, tables, running, ...restOf(state) }
}

/** The integrity of a snapshot's content: its canonical hash, with the `integrity` key left out. */
export const integrityOf = (content: Readonly<Record<string, unknown>>): string =>
  C.hash({ ...content, integrity: undefined })

/** The state as a snapshot (version 3, the compact layout). */
export const toSnapshot = (state: ManagerState): Snapshot => {
  const content = compactContentOf(state)
  return { ...content, integrity: integrityOf(content) }
}

/**
 * The state as a version-2 snapshot (the full layout), which still restores:
 * what the tests of that version, and the benchmark comparing the layouts, write.
 */
export const toSnapshotV2 = (state: ManagerState): SnapshotV2 => {
  const content = contentOf(state)
  return { ...content, integrity: integrityOf(content) }
}

const versionOf = (json: unknown): unknown =>
  typeof json === 'object' && json !== null
    ? (json as { readonly snapshotVersion?: unknown }).snapshotVersion
    : undefined

// What every version holds once its running executions are read.
interface Parts {
  readonly settings: SnapshotV2['settings']
  readonly running: readonly ListedExecution[]
  readonly outbox: SnapshotV2['outbox']
  readonly metrics: SnapshotV2['metrics']
  readonly remembered: SnapshotV2['remembered']
}

/**
 * The state of the parts, after the structural checks (`pathOf` names the
 * execution problems where the snapshot holds them), accepted only when
 * `again` of it is the input.
 */
const restore = (
  json: unknown,
  parts: Parts,
  problems: Problem[],
  pathOf: (i: number, suffix: string) => string,
  again: (state: ManagerState, running: readonly Execution[]) => Readonly<Record<string, unknown>>,
  idsDerived: boolean,
): E.Either<readonly Problem[], ManagerState> => {
  const { running, metrics, remembered } = parts
  problems.push(...uniquenessProblems(running, 'running').map((p) => withRunningPath(p, pathOf)))
  running.forEach((execution, i) => {
    const found = executionProblems(execution, '', idsDerived)
    for (const p of found) problems.push({ ...p, path: pathOf(i, p.path) })
  })
  const now = metrics.now
  problems.push(...blockProblems(metrics.blocks, now, 'metrics.blocks'))
  const runningIds = new Set(running.map((execution) => execution.clusterId))
  problems.push(...rememberedProblems(remembered, now, (id) => runningIds.has(id), 'remembered'))
  if (problems.length > 0) return E.left(problems)
  const kept = running.map(fromListed)
  const state = rebuild(parts.settings, now, kept)
  if (!Metrics.equals(Metrics.fromEntries(metrics.running), state.metrics.running)) {
    return E.left([{ path: 'metrics.running', message: 'counts disagree with the running executions' }])
  }
  const blocks = metrics.blocks.map((block) => ({
    start: block.start,
    counts: Metrics.fromEntries(block.counts),
  }))
  const restored = withChanges(state, {
    outbox: Outbox.fromLists(parts.outbox),
    metrics: {
      ...state.metrics,
      finished: blocks.reduce((sum, block) => Metrics.add(sum, block.counts), Metrics.empty),
      blocks,
    },
    remembered: R.fromRows(remembered),
  })
  // Only what a snapshot of the restored state holds, in its order, is accepted.
  // When every execution read is running (none left out as a duplicate or a
  // finished one) and they ascend, they are what runningOf would list.
  const inOrder = restored.running.size === kept.length && ascending(kept) ? kept : runningOf(restored)
  const difference = C.firstDifference({ ...(json as object), integrity: undefined }, again(restored, inOrder))
  if (difference !== undefined) {
    return E.left([{ path: difference.path, message: `${difference.message}: not what the restored state holds` }])
  }
  return E.right(restored)
}

// uniquenessProblems names `running.{i}.{field}`: the field is translated as execution problems are.
const withRunningPath = (problem: Problem, pathOf: (i: number, suffix: string) => string): Problem => {
  const match = /^running\.(\d+)(.*)$/.exec(problem.path)
  return match === null ? problem : { ...problem, path: pathOf(Number(match[1]), match[2] ?? '') }
}

const integrityProblems = (json: unknown, integrity: string): Problem[] =>
  integrityOf(json as Readonly<Record<string, unknown>>) === integrity
    ? []
    : [{ path: 'integrity', message: 'does not match the content: the snapshot was changed or damaged' }]

const fromCompact = (json: unknown): E.Either<readonly Problem[], ManagerState> => {
  const decoded = SnapshotV3Codec.decode(json)
  if (E.isLeft(decoded)) return E.left(problemsOf(decoded.left))
  const snapshot = decoded.right
  const rows = snapshot.running
  const { running, problems } = Compact.decode(rows, snapshot.tables, 'running')
  if (problems.length > 0) return E.left(problems)
  const pathOf = (i: number, suffix: string): string => {
    const row = rows[i]
    return `running.${i}${Array.isArray(row) ? Compact.rowPath(suffix, row as Compact.Row) : suffix}`
  }
  return restore(
    json,
    { ...snapshot, running },
    integrityProblems(json, snapshot.integrity),
    pathOf,
    compactContentOf,
    true,
  )
}

/** The state a snapshot holds, or every problem found in it, each with its path. */
export const fromSnapshot = (json: unknown): E.Either<readonly Problem[], ManagerState> => {
  const version = versionOf(json)
  if (version === VERSION) return fromCompact(json)
  const v1 = version === 1
  const decoded = v1
    ? E.map((s: typeof SnapshotV1Codec._A): SnapshotV2 => ({
        ...s,
        snapshotVersion: V2_VERSION,
        remembered: [],
        integrity: '',
      }))(SnapshotV1Codec.decode(json))
    : SnapshotV2Codec.decode(json)
  if (E.isLeft(decoded)) return E.left(problemsOf(decoded.left))
  const snapshot = decoded.right
  return restore(
    json,
    snapshot,
    v1 ? [] : integrityProblems(json, snapshot.integrity),
    (i, suffix) => `running.${i}${suffix}`,
    (state, listed) => {
      const again: Readonly<Record<string, unknown>> = contentOf(state, listed)
      return v1 ? { ...again, snapshotVersion: 1, remembered: undefined } : again
    },
    false,
  )
}
