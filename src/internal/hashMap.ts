/**
 * A persistent hash map: a hash array mapped trie (32-way, bitmap-indexed
 * branches, path copying), for the manager's point lookups by cluster id and
 * execution id.
 *
 * Why not the sorted tree there: a point update of a 100,000-entry binary tree
 * copies about 17 nodes and compares long cluster ids (which share their
 * `scale_job_{framework}_` prefix) at each; the trie copies about 4 small arrays
 * and compares one key. Why not a library: the well-kept ones (immutable.js)
 * bring a whole collection framework for one structure. Like the sorted tree, it
 * never writes to an existing node and returns the very same map when an
 * operation changes nothing. Its iteration order follows the hashes: callers
 * that list entries sort them.
 *
 * @internal
 * @module
 */
import { fnv1a32 } from './fnv1a'

interface Entry<K, V> {
  readonly kind: 0
  readonly hash: number
  readonly key: K
  readonly value: V
}

interface Collision<K, V> {
  readonly kind: 1
  readonly hash: number
  readonly entries: ReadonlyArray<Entry<K, V>>
}

interface Branch<K, V> {
  readonly kind: 2
  readonly bitmap: number
  readonly children: ReadonlyArray<Child<K, V>>
}

type Child<K, V> = Entry<K, V> | Collision<K, V> | Branch<K, V>

/** A map: its root and its size. */
export interface HashMap<K, V> {
  readonly root: Branch<K, V> | null
  readonly size: number
}

/** A hash function. */
export type Hash<K> = (key: K) => number

const BITS = 5
const MASK = 31

/** The empty map. */
export const empty: HashMap<never, never> = { root: null, size: 0 }

// murmur3's finaliser: spreads the bits so that keys sharing a prefix, or a
// shard number, still fill the trie evenly. Signed, so that every hash is a
// small integer to the engine rather than a boxed number in each entry.
export const mix = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/**
 * FNV-1a of a string, mixed: the same FNV-1a as `Manager.shardOf` (one
 * implementation, in fnv1a.ts). For the ASCII ids hosts use it hashes each
 * character once, as a loop over code units would.
 */
export const hashString: Hash<string> = (key) => mix(fnv1a32(key))

/** A hash of a number (integers by value, others by their text). */
export const hashNumber: Hash<number> = (key) =>
  Number.isSafeInteger(key) ? mix((key | 0) ^ Math.floor(key / 0x100000000)) : hashString(String(key))

const popcount = (x: number): number => {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  x = (x + (x >>> 4)) & 0x0f0f0f0f
  return Math.imul(x, 0x01010101) >>> 24
}

const entry = <K, V>(hash: number, key: K, value: V): Entry<K, V> => ({ kind: 0, hash, key, value })

/** The value at `key`, if any. */
export const get = <K, V>(map: HashMap<K, V>, key: K, hash: number): V | undefined => {
  let node: Child<K, V> | null = map.root
  let shift = 0
  while (node !== null) {
    if (node.kind === 0) return node.key === key ? node.value : undefined
    if (node.kind === 1) {
      for (const e of node.entries) if (e.key === key) return e.value
      return undefined
    }
    const bit = 1 << ((hash >>> shift) & MASK)
    if ((node.bitmap & bit) === 0) return undefined
    node = node.children[popcount(node.bitmap & (bit - 1))] ?? null
    shift += BITS
  }
  return undefined
}

/** Whether `key` is in the map. */
export const has = <K, V>(map: HashMap<K, V>, key: K, hash: number): boolean => get(map, key, hash) !== undefined

const merge = <K, V>(shift: number, a: Entry<K, V>, b: Entry<K, V>): Child<K, V> => {
  if (a.hash === b.hash) return { kind: 1, hash: a.hash, entries: [a, b] }
  const ia = (a.hash >>> shift) & MASK
  const ib = (b.hash >>> shift) & MASK
  if (ia === ib) return { kind: 2, bitmap: 1 << ia, children: [merge(shift + BITS, a, b)] }
  return { kind: 2, bitmap: (1 << ia) | (1 << ib), children: ia < ib ? [a, b] : [b, a] }
}

// `added` counts a new key, so that the size stays right.
const setIn = <K, V>(
  node: Child<K, V>,
  shift: number,
  hash: number,
  key: K,
  value: V,
  added: { n: number },
): Child<K, V> => {
  if (node.kind === 0) {
    if (node.key === key) return node.value === value ? node : entry(hash, key, value)
    added.n = 1
    return merge(shift, node, entry(hash, key, value))
  }
  if (node.kind === 1) {
    if (node.hash !== hash) {
      added.n = 1
      return wrapCollision(shift, node, entry(hash, key, value))
    }
    const at = node.entries.findIndex((e) => e.key === key)
    if (at >= 0) {
      if (node.entries[at]?.value === value) return node
      const entries = node.entries.slice()
      entries[at] = entry(hash, key, value)
      return { kind: 1, hash, entries }
    }
    added.n = 1
    return { kind: 1, hash, entries: [...node.entries, entry(hash, key, value)] }
  }
  const bit = 1 << ((hash >>> shift) & MASK)
  const index = popcount(node.bitmap & (bit - 1))
  if ((node.bitmap & bit) === 0) {
    added.n = 1
    const children = node.children.slice()
    children.splice(index, 0, entry(hash, key, value))
    return { kind: 2, bitmap: node.bitmap | bit, children }
  }
  const child = node.children[index]
  if (child === undefined) return node
  const next = setIn(child, shift + BITS, hash, key, value, added)
  if (next === child) return node
  const children = node.children.slice()
  children[index] = next
  return { kind: 2, bitmap: node.bitmap, children }
}

// A collision node and an entry of another hash, placed apart from `shift` on.
const wrapCollision = <K, V>(shift: number, collision: Collision<K, V>, other: Entry<K, V>): Child<K, V> => {
  const ia = (collision.hash >>> shift) & MASK
  const ib = (other.hash >>> shift) & MASK
  if (ia === ib) return { kind: 2, bitmap: 1 << ia, children: [wrapCollision(shift + BITS, collision, other)] }
  return { kind: 2, bitmap: (1 << ia) | (1 << ib), children: ia < ib ? [collision, other] : [other, collision] }
}

/** The map with `key` set to `value`; the very same map when it already holds that value. */
export const set = <K, V>(map: HashMap<K, V>, key: K, hash: number, value: V): HashMap<K, V> => {
  const added = { n: 0 }
  const root: Branch<K, V> = map.root ?? { kind: 2, bitmap: 0, children: [] }
  const next = setIn(root, 0, hash, key, value, added)
  if (next === root && map.root !== null) return map
  return { root: next as Branch<K, V>, size: map.size + added.n }
}

const REMOVED = null

// Returns the node without the key (null when nothing is left), or the same node.
const removeIn = <K, V>(node: Child<K, V>, shift: number, hash: number, key: K): Child<K, V> | null => {
  if (node.kind === 0) return node.key === key ? REMOVED : node
  if (node.kind === 1) {
    const at = node.entries.findIndex((e) => e.key === key)
    if (at < 0) return node
    const entries = node.entries.filter((_, i) => i !== at)
    const only = entries[0]
    return entries.length === 1 && only !== undefined ? only : { kind: 1, hash: node.hash, entries }
  }
  const bit = 1 << ((hash >>> shift) & MASK)
  if ((node.bitmap & bit) === 0) return node
  const index = popcount(node.bitmap & (bit - 1))
  const child = node.children[index]
  if (child === undefined) return node
  const next = removeIn(child, shift + BITS, hash, key)
  if (next === child) return node
  if (next === REMOVED) {
    const bitmap = node.bitmap & ~bit
    if (bitmap === 0) return REMOVED
    const children = node.children.filter((_, i) => i !== index)
    const only = children[0]
    // A branch left with one entry collapses into it, so that each key set has one shape.
    if (shift > 0 && children.length === 1 && only !== undefined && only.kind !== 2) return only
    return { kind: 2, bitmap, children }
  }
  if (shift > 0 && node.children.length === 1 && next.kind !== 2) return next
  const children = node.children.slice()
  children[index] = next
  return { kind: 2, bitmap: node.bitmap, children }
}

/** The map without `key`; the very same map when the key is not there. */
export const remove = <K, V>(map: HashMap<K, V>, key: K, hash: number): HashMap<K, V> => {
  if (map.root === null) return map
  const next = removeIn(map.root, 0, hash, key)
  if (next === map.root) return map
  if (next === REMOVED) return { root: null, size: 0 }
  const root: Branch<K, V> = next.kind === 2 ? next : { kind: 2, bitmap: 1 << (next.hash & MASK), children: [next] }
  return { root, size: map.size - 1 }
}

/** Calls `visit` for every entry, in hash order. */
export const forEach = <K, V>(map: HashMap<K, V>, visit: (key: K, value: V) => void): void => {
  const walk = (node: Child<K, V>): void => {
    if (node.kind === 0) visit(node.key, node.value)
    else if (node.kind === 1) for (const e of node.entries) visit(e.key, e.value)
    else for (const child of node.children) walk(child)
  }
  if (map.root !== null) walk(map.root)
}

/** All values, in hash order. */
export const values = <K, V>(map: HashMap<K, V>): V[] => {
  const out: V[] = []
  forEach(map, (_, value) => out.push(value))
  return out
}

/** All keys, in hash order. */
export const keys = <K, V>(map: HashMap<K, V>): K[] => {
  const out: K[] = []
  forEach(map, (key) => out.push(key))
  return out
}
