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
type Key = readonly [Instant, ClusterId]

/** The index. */
export interface DeadlineIndex {
  /** Each execution with a deadline under a key at or before it; the first key is exact. */
  readonly tree: SM.Tree<Key, true>
  /** The key of each execution in `tree`. */
  readonly keys: HM.HashMap<ClusterId, Instant>
  /** The smallest key of `tree`: the earliest deadline of all. */
  readonly earliest: Instant | undefined
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const compareKeys = (a: Key, b: Key): number => a[0] - b[0] || compareStrings(a[1], b[1])

/** No deadline. */
export const empty: DeadlineIndex = { tree: SM.empty, keys: HM.empty, earliest: undefined }

interface Moved {
  readonly tree: SM.Tree<Key, true>
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
  if (from !== undefined) tree = SM.remove(tree, [from, id], compareKeys)
  if (to !== undefined) tree = SM.set(tree, [to, id], true, compareKeys)
  const keys = to === undefined ? HM.remove(index.keys, id, hash) : HM.set(index.keys, id, hash, to)
  return { tree, keys }
}

// Settles first keys until the first one is exact.
const settleFront = (index: Moved, running: Running): Moved => {
  let next = index
  for (;;) {
    const first = SM.min(next.tree)
    if (first === undefined) return next
    const [key, id] = first.key
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
  const earliest = moved.tree === index.tree ? index.earliest : SM.min(moved.tree)?.key[0]
  return { tree: moved.tree, keys: moved.keys, earliest }
}

/** The earliest deadline of all the running executions. */
export const earliest = (index: DeadlineIndex): Instant | undefined => index.earliest

/**
 * The executions whose deadline has come at `now`, by deadline, then cluster
 * id. The keys are lower bounds, so the candidates are checked against their
 * deadlines and put in the order those give.
 */
export const dueAt = (index: DeadlineIndex, running: Running, now: Instant): ClusterId[] => {
  const due: Key[] = []
  SM.forEachFrom(index.tree, undefined, compareKeys, ([key, id]) => {
    if (key > now) return false
    const execution = HM.get(running, id, HM.hashString(id))
    const deadline = execution === undefined ? undefined : Execution.deadline(execution)
    if (deadline !== undefined && deadline <= now) due.push([deadline, id])
    return true
  })
  return due.sort(compareKeys).map(([, id]) => id)
}

/** What of the invariant (see the module) the index breaks for these running executions, each as a sentence. */
export const brokenInvariants = (index: DeadlineIndex, running: Running): string[] => {
  const broken: string[] = []
  if (!SM.isValid(index.tree, compareKeys)) broken.push('the deadline tree is not balanced and ordered')
  const inTree = new Map<ClusterId, Instant>()
  for (const [[key, id]] of SM.entries(index.tree)) inTree.set(id, key)
  if (inTree.size !== SM.size(index.tree) || inTree.size !== index.keys.size) {
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
  if (index.earliest !== SM.min(index.tree)?.key[0]) broken.push('the earliest deadline is not the first key')
  if (index.earliest !== earliestDue) broken.push('the earliest deadline is not the earliest of the executions')
  return broken
}
