/**
 * A persistent sorted map: a weight-balanced binary tree (Adams' trees, as in
 * Haskell's Data.Map) with path copying.
 *
 * Why not a library: a manager holds 100,000 running executions, and every
 * event must cost O(log n), not a copy of the whole set. A HAMT gives no order
 * (and the deadline indexes need one); sorted-btree's persistent `with` flags
 * shared nodes of the *old* tree on clone, so it changes its input and breaks on
 * frozen state. This tree never writes to an existing node, lists its entries
 * in key order (so every listing is the same after a snapshot restore, whatever
 * order the keys came in), and hands back the very same tree when an operation
 * changes nothing.
 *
 * @internal
 * @module
 */

/** A node; `null` is the empty tree. */
export interface Node<K, V> {
  readonly key: K
  readonly value: V
  readonly left: Tree<K, V>
  readonly right: Tree<K, V>
  readonly size: number
}

/** A tree, possibly empty. */
export type Tree<K, V> = Node<K, V> | null

/** A total order on keys. */
export type Compare<K> = (a: K, b: K) => number

const DELTA = 3
const RATIO = 2

/** The empty tree. */
export const empty = null

/** The number of entries. */
export const size = <K, V>(tree: Tree<K, V>): number => (tree === null ? 0 : tree.size)

const node = <K, V>(key: K, value: V, left: Tree<K, V>, right: Tree<K, V>): Node<K, V> => ({
  key,
  value,
  left,
  right,
  size: size(left) + size(right) + 1,
})

const rotateLeft = <K, V>(key: K, value: V, left: Tree<K, V>, right: Node<K, V>): Node<K, V> => {
  const inner = right.left
  if (inner !== null && size(inner) >= RATIO * size(right.right)) {
    return node(
      inner.key,
      inner.value,
      node(key, value, left, inner.left),
      node(right.key, right.value, inner.right, right.right),
    )
  }
  return node(right.key, right.value, node(key, value, left, inner), right.right)
}

const rotateRight = <K, V>(key: K, value: V, left: Node<K, V>, right: Tree<K, V>): Node<K, V> => {
  const inner = left.right
  if (inner !== null && size(inner) >= RATIO * size(left.left)) {
    return node(
      inner.key,
      inner.value,
      node(left.key, left.value, left.left, inner.left),
      node(key, value, inner.right, right),
    )
  }
  return node(left.key, left.value, left.left, node(key, value, inner, right))
}

// Restores the weight balance after one insertion or deletion below this node.
const balance = <K, V>(key: K, value: V, left: Tree<K, V>, right: Tree<K, V>): Node<K, V> => {
  const sl = size(left)
  const sr = size(right)
  if (sl + sr <= 1) return node(key, value, left, right)
  if (right !== null && sr > DELTA * sl) return rotateLeft(key, value, left, right)
  if (left !== null && sl > DELTA * sr) return rotateRight(key, value, left, right)
  return node(key, value, left, right)
}

/** The value at `key`, if any. */
export const get = <K, V>(tree: Tree<K, V>, key: K, compare: Compare<K>): V | undefined => {
  let at = tree
  while (at !== null) {
    const c = compare(key, at.key)
    if (c === 0) return at.value
    at = c < 0 ? at.left : at.right
  }
  return undefined
}

/** The tree with `key` set to `value`; the same tree when it already holds that very value. */
export const set = <K, V>(tree: Tree<K, V>, key: K, value: V, compare: Compare<K>): Node<K, V> => {
  if (tree === null) return node(key, value, null, null)
  const c = compare(key, tree.key)
  if (c === 0) return tree.value === value ? tree : node(tree.key, value, tree.left, tree.right)
  if (c < 0) {
    const left = set(tree.left, key, value, compare)
    return left === tree.left ? tree : balance(tree.key, tree.value, left, tree.right)
  }
  const right = set(tree.right, key, value, compare)
  return right === tree.right ? tree : balance(tree.key, tree.value, tree.left, right)
}

interface Popped<K, V> {
  readonly key: K
  readonly value: V
  readonly rest: Tree<K, V>
}

const popMin = <K, V>(tree: Node<K, V>): Popped<K, V> => {
  if (tree.left === null) return { key: tree.key, value: tree.value, rest: tree.right }
  const popped = popMin(tree.left)
  return { key: popped.key, value: popped.value, rest: balance(tree.key, tree.value, popped.rest, tree.right) }
}

const popMax = <K, V>(tree: Node<K, V>): Popped<K, V> => {
  if (tree.right === null) return { key: tree.key, value: tree.value, rest: tree.left }
  const popped = popMax(tree.right)
  return { key: popped.key, value: popped.value, rest: balance(tree.key, tree.value, tree.left, popped.rest) }
}

const glue = <K, V>(left: Tree<K, V>, right: Tree<K, V>): Tree<K, V> => {
  if (left === null) return right
  if (right === null) return left
  if (left.size > right.size) {
    const max = popMax(left)
    return balance(max.key, max.value, max.rest, right)
  }
  const min = popMin(right)
  return balance(min.key, min.value, left, min.rest)
}

/** The tree without `key`; the same tree when the key is not there. */
export const remove = <K, V>(tree: Tree<K, V>, key: K, compare: Compare<K>): Tree<K, V> => {
  if (tree === null) return tree
  const c = compare(key, tree.key)
  if (c === 0) return glue(tree.left, tree.right)
  if (c < 0) {
    const left = remove(tree.left, key, compare)
    return left === tree.left ? tree : balance(tree.key, tree.value, left, tree.right)
  }
  const right = remove(tree.right, key, compare)
  return right === tree.right ? tree : balance(tree.key, tree.value, tree.left, right)
}

/** The smallest entry, if any. */
export const min = <K, V>(tree: Tree<K, V>): Node<K, V> | undefined => {
  if (tree === null) return undefined
  let at = tree
  while (at.left !== null) at = at.left
  return at
}

/**
 * Calls `visit` for each entry with `low <= key` (all when `low` is absent) in
 * ascending order, while `visit` returns true.
 */
export const forEachFrom = <K, V>(
  tree: Tree<K, V>,
  low: K | undefined,
  compare: Compare<K>,
  visit: (key: K, value: V) => boolean,
): void => {
  const stack: Node<K, V>[] = []
  let at = tree
  while (at !== null) {
    if (low === undefined || compare(low, at.key) <= 0) {
      stack.push(at)
      at = at.left
    } else {
      at = at.right
    }
  }
  while (stack.length > 0) {
    const top = stack.pop()
    if (top === undefined) return
    if (!visit(top.key, top.value)) return
    at = top.right
    while (at !== null) {
      stack.push(at)
      at = at.left
    }
  }
}

/** The entries with `low <= key` (all when absent) and `key <= high`, ascending. */
export const range = <K, V>(
  tree: Tree<K, V>,
  low: K | undefined,
  high: K,
  compare: Compare<K>,
): Array<readonly [K, V]> => {
  const out: Array<readonly [K, V]> = []
  forEachFrom(tree, low, compare, (key, value) => {
    if (compare(key, high) > 0) return false
    out.push([key, value])
    return true
  })
  return out
}

/** All entries, ascending. */
export const entries = <K, V>(tree: Tree<K, V>): Array<readonly [K, V]> => {
  const out: Array<readonly [K, V]> = []
  const walk = (at: Tree<K, V>): void => {
    if (at === null) return
    walk(at.left)
    out.push([at.key, at.value])
    walk(at.right)
  }
  walk(tree)
  return out
}

/** Builds a tree from entries (later entries win for equal keys). */
export const fromEntries = <K, V>(items: Iterable<readonly [K, V]>, compare: Compare<K>): Tree<K, V> => {
  let tree: Tree<K, V> = null
  for (const [key, value] of items) tree = set(tree, key, value, compare)
  return tree
}

/**
 * The tree of `entries` (their keys strictly ascending, as the caller knows),
 * built at once and perfectly balanced: no path copy and no rotation per key.
 */
export const fromAscending = <K, V>(entries: ReadonlyArray<readonly [K, V]>): Tree<K, V> => {
  const build = (low: number, high: number): Tree<K, V> => {
    const middle = (low + high) >>> 1
    const entry = low < high ? entries[middle] : undefined
    if (entry === undefined) return null
    return node(entry[0], entry[1], build(low, middle), build(middle + 1, high))
  }
  return build(0, entries.length)
}

/** Whether every node is weight-balanced, ordered, and sized right: for tests. */
export const isValid = <K, V>(tree: Tree<K, V>, compare: Compare<K>): boolean => {
  const check = (at: Tree<K, V>, low: K | undefined, high: K | undefined): boolean => {
    if (at === null) return true
    if (low !== undefined && compare(at.key, low) <= 0) return false
    if (high !== undefined && compare(at.key, high) >= 0) return false
    const sl = size(at.left)
    const sr = size(at.right)
    if (at.size !== sl + sr + 1) return false
    if (sl + sr > 1 && (sl > DELTA * sr || sr > DELTA * sl)) return false
    return check(at.left, low, at.key) && check(at.right, at.key, high)
  }
  return check(tree, undefined, undefined)
}
