/**
 * Keeping the indexes in step with the running map: when one execution
 * changes, is added or leaves, its entries in the deadline index and in the
 * ready, to-kill and forced sets move from what its old version needs to what
 * its new one needs, at O(log n), never a scan. Only the current task can be
 * launched and not ended, so only it and the execution's starvation (or, after
 * a final status, the drop of a current task never launched) matter: the
 * execution answers (see `Execution.deadline`, `needsKill`,
 * `isReconciliationForced`, `isNextTaskReady`).
 *
 * @internal
 * @module
 */
import * as Execution from '../execution'
import type { ClusterId } from '../ids'
import * as Deadlines from './deadlineIndex'
import * as HM from './hashMap'
import { withChanges, type ManagerState } from './managerState'
import * as Groups from './nodeJobGroups'
import * as SM from './sortedMap'

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const toggle = (
  tree: SM.Tree<ClusterId, true>,
  id: ClusterId,
  before: boolean,
  after: boolean,
): SM.Tree<ClusterId, true> => {
  if (before === after) return tree
  return after ? SM.set(tree, id, true, compareStrings) : SM.remove(tree, id, compareStrings)
}

const isReady = (execution: Execution.Execution | undefined): boolean =>
  execution !== undefined && Execution.isNextTaskReady(execution)
const needsKill = (execution: Execution.Execution | undefined): boolean =>
  execution !== undefined && Execution.needsKill(execution)
const isForced = (execution: Execution.Execution | undefined): boolean =>
  execution !== undefined && Execution.isReconciliationForced(execution)

/**
 * The state once the running execution `before` became `after` (either
 * `undefined`: not running, before or after): its running entry and its index
 * entries moved. `hash` is that of its cluster id; `id` is the cluster id the
 * indexes keep, the execution's own string (an event's task id holds a copy
 * whose slice would keep that whole string alive). Callers return early when
 * nothing changed, so the running map always changes.
 */
export const reindex = (
  state: ManagerState,
  id: ClusterId,
  hash: number,
  before: Execution.Execution | undefined,
  after: Execution.Execution | undefined,
): ManagerState => {
  const running = after === undefined ? HM.remove(state.running, id, hash) : HM.set(state.running, id, hash, after)
  const readyBefore = isReady(before)
  const readyAfter = isReady(after)
  return withChanges(state, {
    running,
    deadlines: Deadlines.update(state.deadlines, running, id, hash, after),
    toKill: toggle(state.toKill, id, needsKill(before), needsKill(after)),
    forced: toggle(state.forced, id, isForced(before), isForced(after)),
    ready:
      readyBefore === readyAfter
        ? state.ready
        : readyAfter
          ? HM.set(state.ready, id, hash, true)
          : HM.remove(state.ready, id, hash),
  })
}

const sameIds = (a: readonly ClusterId[], b: readonly ClusterId[]): boolean =>
  a.length === b.length && a.every((id, i) => id === b[i])

const idsOf = <V>(tree: SM.Tree<ClusterId, V>): ClusterId[] => SM.entries(tree).map(([id]) => id)

/**
 * What is broken in the indexes of `state`, each as a sentence: each
 * structure's own invariant, and every index against those of `rebuilt`, the
 * same running executions indexed afresh one by one.
 */
export const brokenInvariants = (state: ManagerState, rebuilt: ManagerState): string[] => {
  const broken: string[] = []
  if (state.running.size !== HM.keys(state.running).length) broken.push('the running map miscounts its size')
  broken.push(...Deadlines.brokenInvariants(state.deadlines, state.running))
  for (const name of ['toKill', 'forced'] as const) {
    if (!SM.isValid(state[name], compareStrings)) broken.push(`the ${name} tree is not balanced and ordered`)
    if (!sameIds(idsOf(state[name]), idsOf(rebuilt[name]))) {
      broken.push(`the ${name} index disagrees with the running set`)
    }
  }
  for (const name of ['byNode', 'byJob'] as const) {
    broken.push(...Groups.brokenInvariants<string | number>(state[name], name))
    if (!Groups.equals<string | number>(state[name], rebuilt[name])) {
      broken.push(`the ${name} index disagrees with the running set`)
    }
  }
  const sorted = (keys: readonly unknown[]): string => JSON.stringify([...keys].sort())
  if (sorted(HM.keys(state.ready)) !== sorted(HM.keys(rebuilt.ready))) {
    broken.push('the ready index disagrees with the running set')
  }
  if (sorted(HM.keys(state.byExecutionId)) !== sorted(HM.keys(rebuilt.byExecutionId))) {
    broken.push('the byExecutionId index disagrees with the running set')
  }
  return broken
}
