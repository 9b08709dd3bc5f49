/**
 * Snapshots of a manager: writing one, and reading one back only when it is
 * exactly what {@link toSnapshot} of some reachable state gives.
 *
 * Reading goes: the codec (shape, with paths); for version 2 the integrity
 * (a canonical hash of everything else, see `canonical.ts`), which catches any
 * value changed since; the structural checks (`snapshotChecks.ts`); then the
 * state is rebuilt, and the snapshot of the rebuilt state must equal the input
 * canonically: whatever the checks let through that the state would not hold
 * the same way (order, duplicates, derived counts, stray keys) is refused at
 * its first difference. So every snapshot accepted is `toSnapshot` of the
 * state restored from it.
 *
 * @internal
 * @module
 */
import * as E from 'fp-ts/Either'
import type { Snapshot } from '../manager'
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
import { SnapshotV1Codec, SnapshotV2Codec } from './stateCodecs'

/** The current version. */
export const VERSION = 2

type Content = Omit<Snapshot, 'integrity'>

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const contentOf = (state: ManagerState): Content => ({
  snapshotVersion: VERSION,
  settings: state.settings,
  running: HM.values(state.running).sort((a, b) => compareStrings(a.clusterId, b.clusterId)),
  outbox: Outbox.toLists(state.outbox),
  metrics: {
    now: state.metrics.now,
    running: Metrics.toEntries(state.metrics.running),
    blocks: state.metrics.blocks.map((block) => ({ start: block.start, counts: Metrics.toEntries(block.counts) })),
  },
  remembered: R.toRows(state.remembered),
})

/** The integrity of a snapshot's content: its canonical hash, with the `integrity` key left out. */
export const integrityOf = (content: Readonly<Record<string, unknown>>): string =>
  C.hash({ ...content, integrity: undefined })

/** The state as a snapshot. */
export const toSnapshot = (state: ManagerState): Snapshot => {
  const content = contentOf(state)
  return { ...content, integrity: integrityOf(content) }
}

const versionOf = (json: unknown): unknown =>
  typeof json === 'object' && json !== null
    ? (json as { readonly snapshotVersion?: unknown }).snapshotVersion
    : undefined

/** The state a snapshot holds, or every problem found in it, each with its path. */
export const fromSnapshot = (json: unknown): E.Either<readonly Problem[], ManagerState> => {
  const v1 = versionOf(json) === 1
  const decoded = v1
    ? E.map((s: typeof SnapshotV1Codec._A): Snapshot => ({
        ...s,
        snapshotVersion: VERSION,
        remembered: [],
        integrity: '',
      }))(SnapshotV1Codec.decode(json))
    : SnapshotV2Codec.decode(json)
  if (E.isLeft(decoded)) return E.left(problemsOf(decoded.left))
  const snapshot = decoded.right
  const problems: Problem[] = []
  if (!v1 && integrityOf(json as Readonly<Record<string, unknown>>) !== snapshot.integrity) {
    problems.push({ path: 'integrity', message: 'does not match the content: the snapshot was changed or damaged' })
  }
  const running = snapshot.running
  problems.push(...uniquenessProblems(running, 'running'))
  running.forEach((execution, i) => problems.push(...executionProblems(execution, `running.${i}`)))
  const now = snapshot.metrics.now
  problems.push(...blockProblems(snapshot.metrics.blocks, now, 'metrics.blocks'))
  const runningIds = new Set(running.map((execution) => execution.clusterId))
  problems.push(...rememberedProblems(snapshot.remembered, now, (id) => runningIds.has(id), 'remembered'))
  if (problems.length > 0) return E.left(problems)
  const state = rebuild(snapshot.settings, now, running)
  if (!Metrics.equals(Metrics.fromEntries(snapshot.metrics.running), state.metrics.running)) {
    return E.left([{ path: 'metrics.running', message: 'counts disagree with the running executions' }])
  }
  const blocks = snapshot.metrics.blocks.map((block) => ({
    start: block.start,
    counts: Metrics.fromEntries(block.counts),
  }))
  const restored = withChanges(state, {
    outbox: Outbox.fromLists(snapshot.outbox),
    metrics: {
      ...state.metrics,
      finished: blocks.reduce((sum, block) => Metrics.add(sum, block.counts), Metrics.empty),
      blocks,
    },
    remembered: R.fromRows(snapshot.remembered),
  })
  // Only what a snapshot of the restored state holds, in its order, is accepted.
  const again: Readonly<Record<string, unknown>> = contentOf(restored)
  const expected = v1 ? { ...again, snapshotVersion: 1, remembered: undefined } : again
  const difference = C.firstDifference({ ...(json as object), integrity: undefined }, expected)
  if (difference !== undefined) {
    return E.left([{ path: difference.path, message: `${difference.message}: not what the restored state holds` }])
  }
  return E.right(restored)
}
