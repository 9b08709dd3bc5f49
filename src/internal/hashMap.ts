/**
 * A persistent hash map in the CHAMP layout (compressed hash-array mapped
 * prefix trie: 32-way branches, two bitmaps, path copying), for the manager's
 * point lookups by cluster id and execution id.
 *
 * Why not the sorted tree there: a point update of a 100,000-entry binary tree
 * copies about 17 nodes and compares long cluster ids (which share their
 * `scale_job_{framework}_` prefix) at each; the trie copies about 4 small arrays
 * and compares one key. Why not a library: the well-kept ones (immutable.js,
 * hamt_plus, effect's HashMap) measured slower here and bring a whole
 * collection framework for one structure.
 *
 * Why this layout: the manager keeps every running execution in several maps,
 * and every event copies a path of each map it changes. An entry object
 * (header, tag, hash, key, value) and its slot cost about 64 bytes, where three
 * slots inline cost 24; and a branch object holding its arrays costs a header
 * and an array header more per level, retained and copied. So a branch is one
 * array, `[dataMap, nodeMap, ...entries, ...sub-nodes]`: its bitmaps, then an
 * entry as `hash, key, value` per set bit of `dataMap`, then a sub-node per set
 * bit of `nodeMap`. A lookup reads one bitmap bit to know which it holds.
 *
 * Invariants (checked by {@link brokenInvariants} in the tests):
 * - a branch holds its two bitmaps, which share no bit, then three slots per
 *   set bit of `dataMap` and one per set bit of `nodeMap`, in bit order;
 * - branches sit at shifts 0 to 30 (step 5); only at shift 35, where the hash
 *   has no bits left, a node is a collision node: `hash, key, value` triples of
 *   one hash, in the order of their keys;
 * - canonical form: a sub-node holds at least two entries (a removal that
 *   leaves one moves it up as an entry), and the empty map has no root, so
 *   each key set has one shape however it was reached.
 *
 * Like the sorted tree, it never writes to an existing node and returns the
 * very same map when an operation changes nothing. Its iteration order follows
 * the shape (so it is a function of the key set): callers that list entries
 * sort them.
 *
 * @internal
 * @module
 */
import { fnv1a32 } from './fnv1a'

// A node is an array of slots of mixed kinds (bitmaps, hashes, keys, values,
// sub-nodes): not expressible as a tuple type, so it is read through the
// accessors below, which the layout's invariants make sound. K and V are
// phantoms that keep one map's nodes from passing for another's.
interface Node<K, V> extends ReadonlyArray<unknown> {
  readonly _k?: K
  readonly _v?: V
}

/** A map: its root and its size. */
export interface HashMap<K, V> {
  readonly root: Node<K, V> | null
  readonly size: number
}

/** A hash function. */
export type Hash<K> = (key: K) => number

const BITS = 5
const MASK = 31
// The shift at which a 32-bit hash has no bits left: nodes there are collisions.
const COLLISION_SHIFT = 35
// Where a branch's entries start: after its two bitmaps.
const ENTRIES = 2

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

const bitOf = (hash: number, shift: number): number => 1 << ((hash >>> shift) & MASK)

// The index among the set bits of `bitmap` below `bit`.
const rank = (bitmap: number, bit: number): number => popcount(bitmap & (bit - 1))

const dataMapOf = <K, V>(node: Node<K, V>): number => node[0] as number
const nodeMapOf = <K, V>(node: Node<K, V>): number => node[1] as number
const hashAt = <K, V>(node: Node<K, V>, at: number): number => node[at] as number
const keyAt = <K, V>(node: Node<K, V>, at: number): K => node[at + 1] as K
const valueAt = <K, V>(node: Node<K, V>, at: number): V => node[at + 2] as V
// The slot of a branch's entry of rank r, and of its sub-node of rank r.
const entrySlot = (r: number): number => ENTRIES + 3 * r
const childSlot = <K, V>(node: Node<K, V>, r: number): number => ENTRIES + 3 * popcount(dataMapOf(node)) + r
const childAt = <K, V>(node: Node<K, V>, slot: number): Node<K, V> => node[slot] as Node<K, V>

/**
 * A copy of `node` (of exactly its new length: a trie of 100,000 entries holds
 * tens of thousands of nodes, and growth slack would be kept in each) with
 * `remove` slots dropped at `at` and `items` put there instead.
 */
const spliced = <K, V>(node: Node<K, V>, at: number, remove: number, items: ReadonlyArray<unknown>): Node<K, V> => {
  const out = new Array<unknown>(node.length - remove + items.length)
  for (let i = 0; i < at; i++) out[i] = node[i]
  for (let i = 0; i < items.length; i++) out[at + i] = items[i]
  for (let i = at + remove; i < node.length; i++) out[i - remove + items.length] = node[i]
  return out
}

// Sets the bitmaps of a copy `spliced` has just made, before any map holds
// it: the one write to a node, and never to one already shared.
const withMaps = <K, V>(node: Node<K, V>, dataMap: number, nodeMap: number): Node<K, V> => {
  const out = node as unknown[]
  out[0] = dataMap
  out[1] = nodeMap
  return node
}

const replaced = <K, V>(node: Node<K, V>, slot: number, item: unknown): Node<K, V> => {
  const out = node.slice()
  out[slot] = item
  return out
}

const EMPTY_BRANCH: Node<never, never> = Object.freeze([0, 0])

/** The value at `key`, if any. */
export const get = <K, V>(map: HashMap<K, V>, key: K, hash: number): V | undefined => {
  let node: Node<K, V> | null = map.root
  let shift = 0
  while (node !== null) {
    if (shift === COLLISION_SHIFT) {
      const at = collisionIndex(node, key)
      return at < 0 ? undefined : valueAt(node, at)
    }
    const bit = bitOf(hash, shift)
    const dataMap = dataMapOf(node)
    if ((dataMap & bit) !== 0) {
      const at = entrySlot(rank(dataMap, bit))
      return keyAt(node, at) === key ? valueAt(node, at) : undefined
    }
    const nodeMap = nodeMapOf(node)
    if ((nodeMap & bit) === 0) return undefined
    node = childAt(node, ENTRIES + 3 * popcount(dataMap) + rank(nodeMap, bit))
    shift += BITS
  }
  return undefined
}

const collisionIndex = <K, V>(node: Node<K, V>, key: K): number => {
  for (let at = 0; at < node.length; at += 3) if (node[at + 1] === key) return at
  return -1
}

// Collision nodes keep their keys in order (the manager's keys are strings and
// numbers), so that their shape too depends on the key set alone.
const precedes = (a: unknown, b: unknown): boolean => (a as string) < (b as string)

/** Whether `key` is in the map. */
export const has = <K, V>(map: HashMap<K, V>, key: K, hash: number): boolean => get(map, key, hash) !== undefined

// Two entries of different keys, placed apart from `shift` on.
const pair = <K, V>(shift: number, h1: number, k1: K, v1: V, h2: number, k2: K, v2: V): Node<K, V> => {
  if (shift === COLLISION_SHIFT) return precedes(k1, k2) ? [h1, k1, v1, h2, k2, v2] : [h2, k2, v2, h1, k1, v1]
  const b1 = bitOf(h1, shift)
  const b2 = bitOf(h2, shift)
  if (b1 === b2) return [0, b1, pair(shift + BITS, h1, k1, v1, h2, k2, v2)]
  return b1 >>> 0 < b2 >>> 0 ? [b1 | b2, 0, h1, k1, v1, h2, k2, v2] : [b1 | b2, 0, h2, k2, v2, h1, k1, v1]
}

// `added` counts a new key, so that the size stays right.
const setIn = <K, V>(
  node: Node<K, V>,
  shift: number,
  hash: number,
  key: K,
  value: V,
  added: { n: number },
): Node<K, V> => {
  if (shift === COLLISION_SHIFT) return collisionSet(node, hash, key, value, added)
  const bit = bitOf(hash, shift)
  const dataMap = dataMapOf(node)
  const nodeMap = nodeMapOf(node)
  if ((dataMap & bit) !== 0) {
    const at = entrySlot(rank(dataMap, bit))
    const there = keyAt(node, at)
    if (there === key) return valueAt(node, at) === value ? node : replaced(node, at + 2, value)
    added.n = 1
    const child = pair(shift + BITS, hashAt(node, at), there, valueAt(node, at), hash, key, value)
    // The entry leaves the entries, and its pair joins the sub-nodes.
    const withoutEntry = spliced(node, at, 3, [])
    const slot = childSlot(withoutEntry, rank(nodeMap, bit)) - 3
    return withMaps(spliced(withoutEntry, slot, 0, [child]), dataMap ^ bit, nodeMap | bit)
  }
  if ((nodeMap & bit) !== 0) {
    const slot = childSlot(node, rank(nodeMap, bit))
    const child = childAt(node, slot)
    const next = setIn(child, shift + BITS, hash, key, value, added)
    return next === child ? node : replaced(node, slot, next)
  }
  added.n = 1
  return withMaps(spliced(node, entrySlot(rank(dataMap, bit)), 0, [hash, key, value]), dataMap | bit, nodeMap)
}

const collisionSet = <K, V>(node: Node<K, V>, hash: number, key: K, value: V, added: { n: number }): Node<K, V> => {
  const at = collisionIndex(node, key)
  if (at >= 0) return valueAt(node, at) === value ? node : replaced(node, at + 2, value)
  added.n = 1
  let place = 0
  while (place < node.length && precedes(keyAt(node, place), key)) place += 3
  return spliced(node, place, 0, [hash, key, value])
}

/** The map with `key` set to `value`; the very same map when it already holds that value. */
export const set = <K, V>(map: HashMap<K, V>, key: K, hash: number, value: V): HashMap<K, V> => {
  const added = { n: 0 }
  const root: Node<K, V> = map.root ?? EMPTY_BRANCH
  const next = setIn(root, 0, hash, key, value, added)
  if (next === root) return map
  return { root: next, size: map.size + added.n }
}

// The slot of the one entry a sub-node holds, when it holds only one: it moves up into its parent.
const loneEntry = <K, V>(node: Node<K, V>, shift: number): number => {
  if (shift === COLLISION_SHIFT) return node.length === 3 ? 0 : -1
  return nodeMapOf(node) === 0 && node.length === ENTRIES + 3 ? ENTRIES : -1
}

// Returns the node without the key, or the very same node.
const removeIn = <K, V>(node: Node<K, V>, shift: number, hash: number, key: K): Node<K, V> => {
  if (shift === COLLISION_SHIFT) {
    const at = collisionIndex(node, key)
    return at < 0 ? node : spliced(node, at, 3, [])
  }
  const bit = bitOf(hash, shift)
  const dataMap = dataMapOf(node)
  const nodeMap = nodeMapOf(node)
  if ((dataMap & bit) !== 0) {
    const at = entrySlot(rank(dataMap, bit))
    if (keyAt(node, at) !== key) return node
    return withMaps(spliced(node, at, 3, []), dataMap ^ bit, nodeMap)
  }
  if ((nodeMap & bit) === 0) return node
  const slot = childSlot(node, rank(nodeMap, bit))
  const child = childAt(node, slot)
  const next = removeIn(child, shift + BITS, hash, key)
  if (next === child) return node
  const lone = loneEntry(next, shift + BITS)
  if (lone < 0) return replaced(node, slot, next)
  // The sub-node's last entry leaves the sub-nodes and joins the entries.
  const withoutChild = spliced(node, slot, 1, [])
  const entry = [hashAt(next, lone), keyAt(next, lone), valueAt(next, lone)]
  return withMaps(spliced(withoutChild, entrySlot(rank(dataMap, bit)), 0, entry), dataMap | bit, nodeMap ^ bit)
}

/** The map without `key`; the very same map when the key is not there. */
export const remove = <K, V>(map: HashMap<K, V>, key: K, hash: number): HashMap<K, V> => {
  if (map.root === null) return map
  const next = removeIn(map.root, 0, hash, key)
  if (next === map.root) return map
  if (next.length === ENTRIES) return empty
  return { root: next, size: map.size - 1 }
}

/**
 * The map of `keys` (distinct, as the caller knows: a repeated key would be
 * held twice), `hashes[i]` being the hash of `keys[i]` and `values[i]` its
 * value, built at once: the very shape setting them one by one gives (the
 * shape is a function of the key set), without a path copy per key, which
 * made rebuilding 100,000 entries mostly garbage.
 */
export const fromDistinct = <K, V>(
  hashes: readonly number[],
  keys: readonly K[],
  values: readonly V[],
): HashMap<K, V> => {
  if (keys.length === 0) return empty
  const all = new Array<number>(keys.length)
  for (let i = 0; i < all.length; i++) all[i] = i
  return { root: build(all, 0, hashes, keys, values), size: keys.length }
}

// The node at `shift` holding the entries `at` (indexes into the three lists; two or more, or the root).
const build = <K, V>(
  at: readonly number[],
  shift: number,
  hashes: readonly number[],
  keys: readonly K[],
  values: readonly V[],
): Node<K, V> => {
  if (shift === COLLISION_SHIFT) {
    const sorted = [...at].sort((a, b) => (precedes(keys[a], keys[b]) ? -1 : precedes(keys[b], keys[a]) ? 1 : 0))
    const node = new Array<unknown>(3 * sorted.length)
    sorted.forEach((i, r) => {
      node[3 * r] = hashes[i]
      node[3 * r + 1] = keys[i]
      node[3 * r + 2] = values[i]
    })
    return node
  }
  const buckets: number[][] = []
  for (const i of at) {
    const fragment = ((hashes[i] ?? 0) >>> shift) & MASK
    const bucket = buckets[fragment]
    if (bucket === undefined) buckets[fragment] = [i]
    else bucket.push(i)
  }
  let dataMap = 0
  let nodeMap = 0
  const entries: unknown[] = []
  const children: unknown[] = []
  for (let fragment = 0; fragment <= MASK; fragment++) {
    const bucket = buckets[fragment]
    if (bucket === undefined) continue
    const first = bucket[0] ?? 0
    if (bucket.length === 1) {
      dataMap |= 1 << fragment
      entries.push(hashes[first], keys[first], values[first])
    } else {
      nodeMap |= 1 << fragment
      children.push(build(bucket, shift + BITS, hashes, keys, values))
    }
  }
  const node = new Array<unknown>(ENTRIES + entries.length + children.length)
  node[0] = dataMap
  node[1] = nodeMap
  for (let i = 0; i < entries.length; i++) node[ENTRIES + i] = entries[i]
  for (let i = 0; i < children.length; i++) node[ENTRIES + entries.length + i] = children[i]
  return node
}

/** The first key in the order of {@link forEach}, without walking the rest; none for the empty map. */
export const firstKey = <K, V>(map: HashMap<K, V>): K | undefined => {
  let node: Node<K, V> | null = map.root
  let shift = 0
  while (node !== null) {
    if (shift === COLLISION_SHIFT) return node.length > 0 ? keyAt(node, 0) : undefined
    if (dataMapOf(node) !== 0) return keyAt(node, ENTRIES)
    if (nodeMapOf(node) === 0) return undefined
    node = childAt(node, ENTRIES)
    shift += BITS
  }
  return undefined
}

/** Calls `visit` for every entry, in the order of the trie's shape. */
export const forEach = <K, V>(map: HashMap<K, V>, visit: (key: K, value: V) => void): void => {
  const walk = (node: Node<K, V>, shift: number): void => {
    if (shift === COLLISION_SHIFT) {
      for (let at = 0; at < node.length; at += 3) visit(keyAt(node, at), valueAt(node, at))
      return
    }
    const children = childSlot(node, 0)
    for (let at = ENTRIES; at < children; at += 3) visit(keyAt(node, at), valueAt(node, at))
    for (let at = children; at < node.length; at++) walk(childAt(node, at), shift + BITS)
  }
  if (map.root !== null) walk(map.root, 0)
}

/** All values, in the order of {@link forEach}. */
export const values = <K, V>(map: HashMap<K, V>): V[] => {
  const out: V[] = []
  forEach(map, (_, value) => out.push(value))
  return out
}

/** All keys, in the order of {@link forEach}. */
export const keys = <K, V>(map: HashMap<K, V>): K[] => {
  const out: K[] = []
  forEach(map, (key) => out.push(key))
  return out
}

/**
 * The invariants of the layout (see the module's header) that `map` breaks,
 * as sentences; none for a well-formed map. `hash` is the map's hash
 * function, to check that each entry sits where its key's hash puts it.
 * For the tests: it walks the whole map.
 */
export const brokenInvariants = <K, V>(map: HashMap<K, V>, hash: Hash<K>): string[] => {
  const broken = new Set<string>()
  let count = 0
  const seen = new Set<K>()
  const entryAt = (node: Node<K, V>, at: number, path: number, bits: number): void => {
    const key = keyAt(node, at)
    count++
    if (seen.has(key)) broken.add('a key is held twice')
    seen.add(key)
    if (hashAt(node, at) !== hash(key)) broken.add("an entry's stored hash is not its key's hash")
    const mask = bits >= 32 ? -1 : (1 << bits) - 1
    if ((hashAt(node, at) & mask) !== (path & mask)) broken.add("an entry is off its hash's path")
  }
  const walkCollision = (node: Node<K, V>, path: number): void => {
    if (node.length % 3 !== 0) broken.add('a collision node is not made of triples')
    for (let at = 0; at + 2 < node.length; at += 3) {
      entryAt(node, at, path, 32)
      if (hashAt(node, at) !== hashAt(node, 0)) broken.add('a collision node holds two hashes')
      if (at > 0 && !precedes(keyAt(node, at - 3), keyAt(node, at))) {
        broken.add("a collision node's keys are out of order")
      }
    }
  }
  // Returns how many entries the node holds.
  const walk = (node: Node<K, V>, shift: number, path: number): number => {
    const before = count
    if (shift === COLLISION_SHIFT) {
      walkCollision(node, path)
      return count - before
    }
    const dataMap = dataMapOf(node)
    const nodeMap = nodeMapOf(node)
    if ((dataMap & nodeMap) !== 0) broken.add('a bit is set in both bitmaps')
    if (node.length !== ENTRIES + 3 * popcount(dataMap) + popcount(nodeMap)) {
      broken.add("a branch's length does not match its bitmaps")
      return count - before
    }
    let entry = 0
    let child = 0
    for (let slot = 0; slot < 32; slot++) {
      const bit = 1 << slot
      const here = path | (slot << shift)
      if ((dataMap & bit) !== 0) entryAt(node, entrySlot(entry++), here, Math.min(32, shift + BITS))
      else if ((nodeMap & bit) !== 0) {
        if (walk(childAt(node, childSlot(node, child++)), shift + BITS, here) < 2) {
          broken.add('a sub-node holds fewer than two entries')
        }
      }
    }
    return count - before
  }
  if (map.root === null) {
    if (map.size !== 0) broken.add('an empty map has a size')
  } else {
    if (map.root.length === ENTRIES) broken.add('an empty map has a root')
    walk(map.root, 0, 0)
  }
  if (count !== map.size) broken.add('the size is not the number of entries')
  return [...broken]
}
