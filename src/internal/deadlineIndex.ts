/**
 * The deadline index: the running executions with a deadline (see
 * {@link Execution.deadline}: a timeout, a reconciliation, the drop of a task
 * never launched, a starvation), by that deadline, so that the periodic checks
 * visit only the executions that are due and the next deadline of all costs
 * the same at any size.
 *
 * The index is lazy, because nearly every event moves an execution's deadline
 * later (each update pushes its reconciliation out, an ended task drops it) and
 * a tree move per event was half of an event's cost. Its invariant, which
 * {@link brokenInvariants} checks:
 *
 * - each running execution with a deadline sits under one key, at or before
 *   its deadline (a lower bound), and `keys` records that key;
 * - every key belongs to a running execution (whose deadline may since have
 *   moved later, or gone: the key is then a stale lower bound);
 * - the first key is exact: it is the deadline of its execution, so it is the
 *   earliest deadline of all, and `earliest` holds it.
 *
 * A key moves only when the deadline comes earlier than it (or its execution
 * stops running); when the execution under the first key moves on, that key
 * is settled, and so on until the first key is exact again.
 *
 * @internal
 * @module
 */
import * as Execution from '../execution'
import type { ClusterId, Instant } from '../ids'
import * as HM from './hashMap'
import * as SM from './sortedMap'

type Running = HM.HashMap<ClusterId, Execution.Execution>

/**
 * The executions under one key: one cluster id (nearly always), or a set of
 * them when several share the instant (a batch scheduled at one `now`). A set
 * always holds two or more, so each group has one shape.
 */
export type Group = ClusterId | HM.HashMap<ClusterId, true>

type GroupTree = SM.Tree<Instant, Group>

/** The index. */
export interface DeadlineIndex {
  /**
   * Each execution with a deadline under a key at or before it; the first key
   * is exact. Keyed by the instant alone: a key of `[instant, clusterId]`
   * would cost a pair per running execution and a string comparison of long
   * cluster ids at each step down the tree.
   */
  readonly tree: GroupTree
  /** The key of each execution in `tree`. */
  readonly keys: HM.HashMap<ClusterId, Instant>
  /** The smallest key of `tree`: the earliest deadline of all. */
  readonly earliest: Instant | undefined
}

const compareInstants = (a: Instant, b: Instant): number => a - b
const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const compareDue = (a: readonly [Instant, ClusterId], b: readonly [Instant, ClusterId]): number =>
  a[0] - b[0] || compareStrings(a[1], b[1])

/** No deadline. */
export const empty: DeadlineIndex = { tree: SM.empty, keys: HM.empty, earliest: undefined }

/** Calls `visit` for each execution of a group. */
export const forEachMember = (group: Group, visit: (id: ClusterId) => void): void => {
  if (typeof group === 'string') visit(group)
  else HM.forEach(group, (id) => visit(id))
}

const withMember = (tree: GroupTree, at: Instant, id: ClusterId, hash: number): GroupTree => {
  const group = SM.get(tree, at, compareInstants)
  if (group === undefined) return SM.set(tree, at, id, compareInstants)
  if (typeof group !== 'string') return SM.set(tree, at, HM.set(group, id, hash, true), compareInstants)
  if (group === id) return tree
  const pair = HM.set(HM.set(HM.empty, group, HM.hashString(group), true), id, hash, true)
  return SM.set(tree, at, pair, compareInstants)
}

const withoutMember = (tree: GroupTree, at: Instant, id: ClusterId, hash: number): GroupTree => {
  const group = SM.get(tree, at, compareInstants)
  if (group === undefined) return tree
  if (typeof group === 'string') return group === id ? SM.remove(tree, at, compareInstants) : tree
  const rest = HM.remove(group, id, hash)
  if (rest === group) return tree
  const only = rest.size === 1 ? HM.firstKey(rest) : undefined
  return SM.set(tree, at, only ?? rest, compareInstants)
}

// One execution under a group: the one to settle first.
const someMember = (group: Group): ClusterId | undefined => (typeof group === 'string' ? group : HM.firstKey(group))

interface Moved {
  readonly tree: GroupTree
  readonly keys: HM.HashMap<ClusterId, Instant>
}

// Callers never move a key to where it is.
const moveKey = (
  index: Moved,
  id: ClusterId,
  hash: number,
  from: Instant | undefined,
  to: Instant | undefined,
): Moved => {
  let tree = index.tree
  if (from !== undefined) tree = withoutMember(tree, from, id, hash)
  if (to !== undefined) tree = withMember(tree, to, id, hash)
  const keys = to === undefined ? HM.remove(index.keys, id, hash) : HM.set(index.keys, id, hash, to)
  return { tree, keys }
}

// Settles executions under the first key until one of them is exact: then
// that key is the earliest deadline of all, whatever the others under it are.
// Each stale one settled moves later or out, so the work is paid once per key.
const settleFront = (index: Moved, running: Running): Moved => {
  let next = index
  for (;;) {
    const first = SM.min(next.tree)
    if (first === undefined) return next
    const key = first.key
    const id = someMember(first.value)
    if (id === undefined) return next
    const hash = HM.hashString(id)
    const execution = HM.get(running, id, hash)
    const due = execution === undefined ? undefined : Execution.deadline(execution)
    if (due === key) return next
    next = moveKey(next, id, hash, key, due)
  }
}

/**
 * The index once the execution `id` became `after` (`undefined`: no longer
 * running), `running` being the running map that already holds that change;
 * the very same index when no key moves.
 */
export const update = (
  index: DeadlineIndex,
  running: Running,
  id: ClusterId,
  hash: number,
  after: Execution.Execution | undefined,
): DeadlineIndex => {
  let moved: Moved = index
  const key = HM.get(index.keys, id, hash)
  const due = after === undefined ? undefined : Execution.deadline(after)
  // A later deadline keeps its key (a lower bound still); only an earlier one, or an end, moves it.
  if (after === undefined ? key !== undefined : due !== undefined && (key === undefined || due < key)) {
    moved = moveKey(moved, id, hash, key, due)
  }
  // Only the first key can go stale, and only when its execution moves on or ends.
  if (key !== undefined && key === index.earliest) moved = settleFront(moved, running)
  if (moved === index) return index
  const earliest = moved.tree === index.tree ? index.earliest : SM.min(moved.tree)?.key
  return { tree: moved.tree, keys: moved.keys, earliest }
}

/**
 * The index of `executions` (distinct cluster ids, as the caller knows),
 * `hashes[i]` the hash of the cluster id of `executions[i]`, built at once:
 * each under its exact deadline, so every key is exact.
 */
export const fromExecutions = (
  executions: readonly Execution.Execution[],
  hashes: readonly number[],
): DeadlineIndex => {
  const dated: Array<readonly [Instant, number]> = []
  executions.forEach((execution, i) => {
    const due = Execution.deadline(execution)
    if (due !== undefined) dated.push([due, i])
  })
  dated.sort((a, b) => a[0] - b[0])
  const ids = dated.map(([, i]) => executions[i]?.clusterId ?? '')
  const idHashes = dated.map(([, i]) => hashes[i] ?? 0)
  const groups: Array<readonly [Instant, Group]> = []
  for (let start = 0; start < dated.length;) {
    const at = dated[start]?.[0] ?? 0
    let end = start + 1
    while (end < dated.length && dated[end]?.[0] === at) end++
    const members = ids.slice(start, end)
    const group: Group =
      members.length === 1 ? (members[0] ?? '') : HM.setOfDistinct(idHashes.slice(start, end), members)
    groups.push([at, group])
    start = end
  }
  return {
    tree: SM.fromAscending(groups),
    keys: HM.fromDistinct(
      idHashes,
      ids,
      dated.map(([due]) => due),
    ),
    earliest: dated[0]?.[0],
  }
}

/** The earliest deadline of all the running executions. */
export const earliest = (index: DeadlineIndex): Instant | undefined => index.earliest

/**
 * The executions whose deadline has come at `now`, by deadline, then cluster
 * id. The keys are lower bounds, so the candidates are checked against their
 * deadlines and put in the order those give.
 */
export const dueAt = (index: DeadlineIndex, running: Running, now: Instant): ClusterId[] => {
  const due: Array<readonly [Instant, ClusterId]> = []
  SM.forEachFrom(index.tree, undefined, compareInstants, (key, group) => {
    if (key > now) return false
    forEachMember(group, (id) => {
      const execution = HM.get(running, id, HM.hashString(id))
      const deadline = execution === undefined ? undefined : Execution.deadline(execution)
      if (deadline !== undefined && deadline <= now) due.push([deadline, id])
    })
    return true
  })
  return due.sort(compareDue).map(([, id]) => id)
}

/** What of the invariant (see the module) the index breaks for these running executions, each as a sentence. */
export const brokenInvariants = (index: DeadlineIndex, running: Running): string[] => {
  const broken: string[] = []
  if (!SM.isValid(index.tree, compareInstants)) broken.push('the deadline tree is not balanced and ordered')
  const inTree = new Map<ClusterId, Instant>()
  let members = 0
  for (const [key, group] of SM.entries(index.tree)) {
    if (typeof group !== 'string' && group.size < 2) broken.push('a deadline group holds fewer than two executions')
    forEachMember(group, (id) => {
      members++
      inTree.set(id, key)
    })
  }
  if (inTree.size !== members || inTree.size !== index.keys.size) {
    broken.push('the deadline index has more than one key for an execution')
  }
  HM.forEach(index.keys, (id, key) => {
    if (inTree.get(id) !== key) broken.push(`the deadline key of ${id} is not the one in the tree`)
    if (!HM.has(running, id, HM.hashString(id))) broken.push(`${id} has a deadline key but is not running`)
  })
  let earliestDue: Instant | undefined
  HM.forEach(running, (id, execution) => {
    const due = Execution.deadline(execution)
    if (due === undefined) return
    if (earliestDue === undefined || due < earliestDue) earliestDue = due
    const key = inTree.get(id)
    if (key === undefined || key > due) broken.push(`the deadline of ${id} is not indexed at or before it`)
  })
  if (index.earliest !== SM.min(index.tree)?.key) broken.push('the earliest deadline is not the first key')
  if (index.earliest !== earliestDue) broken.push('the earliest deadline is not the earliest of the executions')
  return broken
}
