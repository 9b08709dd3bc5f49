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
 * Why CHAMP rather than a plain trie of entry objects: the manager keeps every
 * running execution in several maps, and an entry object (header, tag, hash,
 * key, value) plus its slot in the branch cost about 64 bytes, where three
 * slots inline in the branch's `data` array cost 24. Entries and sub-nodes
 * live in two arrays with a bitmap each, so a lookup reads one bitmap bit to
 * know which it holds.
 *
 * Invariants (checked by {@link brokenInvariants} in the tests):
 * - a branch's `data` holds `[hash, key, value]` triples in the order of the
 *   set bits of `dataMap`, its `nodes` one sub-node per set bit of `nodeMap`,
 *   and the two bitmaps share no bit;
 * - branches sit at shifts 0 to 30 (step 5); only at shift 35, where the hash
 *   has no bits left, a node is a collision node (triples of one hash, in
 *   the order of their keys);
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

// `data`: [hash, key, value, hash, key, value, ...]. Typed loosely because a
// tuple list of three kinds is not expressible; read through hashAt/keyAt/valueAt.
type Slots = ReadonlyArray<unknown>

interface Branch<K, V> {
  readonly dataMap: number
  readonly nodeMap: number
  readonly data: Slots
  readonly nodes: ReadonlyArray<Node<K, V>>
  // Phantom: ties the slots to K and V for the type checker.
  readonly _k?: K
  readonly _v?: V
}

interface Collision<K, V> {
  readonly hash: number
  readonly data: Slots
  readonly _k?: K
  readonly _v?: V
}

// Which one a node is follows from its depth: below the last branch level, a collision.
type Node<K, V> = Branch<K, V> | Collision<K, V>

/** A map: its root and its size. */
export interface HashMap<K, V> {
  readonly root: Branch<K, V> | null
  readonly size: number
}

/** A hash function. */
export type Hash<K> = (key: K) => number

const BITS = 5
const MASK = 31
// The shift at which a 32-bit hash has no bits left: nodes there are collisions.
const COLLISION_SHIFT = 35

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

const hashAt = (data: Slots, at: number): number => data[at] as number
const keyAt = <K>(data: Slots, at: number): K => data[at + 1] as K
const valueAt = <V>(data: Slots, at: number): V => data[at + 2] as V

// Shared by every branch without sub-nodes (most of them): never written to.
const NO_NODES: ReadonlyArray<never> = Object.freeze([])
const NO_DATA: Slots = Object.freeze([])

// Copies of exactly the new length: a trie of 100,000 entries holds tens of
// thousands of these arrays, and growth slack would be kept in each.
const withSlot = <T>(items: ReadonlyArray<T>, at: number, item: T): ReadonlyArray<T> => {
  const out = new Array<T>(items.length + 1)
  for (let i = 0; i < at; i++) out[i] = items[i] as T
  out[at] = item
  for (let i = at; i < items.length; i++) out[i + 1] = items[i] as T
  return out
}

const withoutSlot = <T>(items: ReadonlyArray<T>, at: number): ReadonlyArray<T> => {
  if (items.length === 1) return NO_NODES
  const out = new Array<T>(items.length - 1)
  for (let i = 0; i < at; i++) out[i] = items[i] as T
  for (let i = at + 1; i < items.length; i++) out[i - 1] = items[i] as T
  return out
}

const replacedSlot = <T>(items: ReadonlyArray<T>, at: number, item: T): ReadonlyArray<T> => {
  const out = items.slice()
  out[at] = item
  return out
}

const withTriple = (data: Slots, at: number, hash: number, key: unknown, value: unknown): Slots => {
  const out = new Array<unknown>(data.length + 3)
  for (let i = 0; i < at; i++) out[i] = data[i]
  out[at] = hash
  out[at + 1] = key
  out[at + 2] = value
  for (let i = at; i < data.length; i++) out[i + 3] = data[i]
  return out
}

const withoutTriple = (data: Slots, at: number): Slots => {
  if (data.length === 3) return NO_DATA
  const out = new Array<unknown>(data.length - 3)
  for (let i = 0; i < at; i++) out[i] = data[i]
  for (let i = at + 3; i < data.length; i++) out[i - 3] = data[i]
  return out
}

const branch = <K, V>(
  dataMap: number,
  nodeMap: number,
  data: Slots,
  nodes: ReadonlyArray<Node<K, V>>,
): Branch<K, V> => ({
  dataMap,
  nodeMap,
  data,
  nodes,
})

/** The value at `key`, if any. */
export const get = <K, V>(map: HashMap<K, V>, key: K, hash: number): V | undefined => {
  let node: Branch<K, V> | null = map.root
  let shift = 0
  while (node !== null) {
    const bit = bitOf(hash, shift)
    if ((node.dataMap & bit) !== 0) {
      const at = 3 * rank(node.dataMap, bit)
      return keyAt(node.data, at) === key ? valueAt<V>(node.data, at) : undefined
    }
    if ((node.nodeMap & bit) === 0) return undefined
    const child: Node<K, V> | undefined = node.nodes[rank(node.nodeMap, bit)]
    shift += BITS
    if (child === undefined) return undefined
    if (shift === COLLISION_SHIFT) return collisionGet(child as Collision<K, V>, key)
    node = child as Branch<K, V>
  }
  return undefined
}

const collisionGet = <K, V>(node: Collision<K, V>, key: K): V | undefined => {
  const at = collisionIndex(node.data, key)
  return at < 0 ? undefined : valueAt<V>(node.data, at)
}

const collisionIndex = (data: Slots, key: unknown): number => {
  for (let at = 0; at < data.length; at += 3) if (data[at + 1] === key) return at
  return -1
}

/** Whether `key` is in the map. */
export const has = <K, V>(map: HashMap<K, V>, key: K, hash: number): boolean => get(map, key, hash) !== undefined

// Two entries of different keys, placed apart from `shift` on.
const pair = <K, V>(shift: number, h1: number, k1: K, v1: V, h2: number, k2: K, v2: V): Node<K, V> => {
  if (shift === COLLISION_SHIFT) {
    const collision: Collision<K, V> = {
      hash: h1,
      data: precedes(k1, k2) ? [h1, k1, v1, h2, k2, v2] : [h2, k2, v2, h1, k1, v1],
    }
    return collision
  }
  const b1 = bitOf(h1, shift)
  const b2 = bitOf(h2, shift)
  if (b1 === b2) return branch(0, b1, NO_DATA, [pair(shift + BITS, h1, k1, v1, h2, k2, v2)])
  const data = b1 >>> 0 < b2 >>> 0 ? [h1, k1, v1, h2, k2, v2] : [h2, k2, v2, h1, k1, v1]
  return branch(b1 | b2, 0, data, NO_NODES)
}

// `added` counts a new key, so that the size stays right.
const setIn = <K, V>(
  node: Branch<K, V>,
  shift: number,
  hash: number,
  key: K,
  value: V,
  added: { n: number },
): Branch<K, V> => {
  const bit = bitOf(hash, shift)
  if ((node.dataMap & bit) !== 0) {
    const at = 3 * rank(node.dataMap, bit)
    const there = keyAt<K>(node.data, at)
    if (there === key) {
      if (valueAt<V>(node.data, at) === value) return node
      return branch(node.dataMap, node.nodeMap, replacedSlot(node.data, at + 2, value), node.nodes)
    }
    added.n = 1
    const child = pair(shift + BITS, hashAt(node.data, at), there, valueAt<V>(node.data, at), hash, key, value)
    return branch(
      node.dataMap ^ bit,
      node.nodeMap | bit,
      withoutTriple(node.data, at),
      withSlot(node.nodes, rank(node.nodeMap, bit), child),
    )
  }
  if ((node.nodeMap & bit) !== 0) {
    const index = rank(node.nodeMap, bit)
    const child = node.nodes[index]
    if (child === undefined) return node
    const next =
      shift + BITS === COLLISION_SHIFT
        ? collisionSet(child as Collision<K, V>, hash, key, value, added)
        : setIn(child as Branch<K, V>, shift + BITS, hash, key, value, added)
    if (next === child) return node
    return branch(node.dataMap, node.nodeMap, node.data, replacedSlot(node.nodes, index, next))
  }
  added.n = 1
  return branch(
    node.dataMap | bit,
    node.nodeMap,
    withTriple(node.data, 3 * rank(node.dataMap, bit), hash, key, value),
    node.nodes,
  )
}

const collisionSet = <K, V>(
  node: Collision<K, V>,
  hash: number,
  key: K,
  value: V,
  added: { n: number },
): Collision<K, V> => {
  const at = collisionIndex(node.data, key)
  if (at >= 0) {
    if (valueAt<V>(node.data, at) === value) return node
    return { hash, data: replacedSlot(node.data, at + 2, value) }
  }
  added.n = 1
  let place = 0
  while (place < node.data.length && precedes(keyAt(node.data, place), key)) place += 3
  return { hash, data: withTriple(node.data, place, hash, key, value) }
}

// Collision nodes keep their keys in order (the manager's keys are strings and
// numbers), so that their shape too depends on the key set alone.
const precedes = (a: unknown, b: unknown): boolean => (a as string) < (b as string)

/** The map with `key` set to `value`; the very same map when it already holds that value. */
export const set = <K, V>(map: HashMap<K, V>, key: K, hash: number, value: V): HashMap<K, V> => {
  const added = { n: 0 }
  const root: Branch<K, V> = map.root ?? branch(0, 0, NO_DATA, NO_NODES)
  const next = setIn(root, 0, hash, key, value, added)
  if (next === root) return map
  return { root: next, size: map.size + added.n }
}

// The one entry a sub-node holds, when it holds only one: it moves up into its parent.
const loneEntry = <K, V>(node: Node<K, V>, shift: number): Slots | undefined => {
  if (shift === COLLISION_SHIFT) return node.data.length === 3 ? node.data : undefined
  const b = node as Branch<K, V>
  return b.nodeMap === 0 && b.data.length === 3 ? b.data : undefined
}

// Returns the node without the key, or the very same node.
const removeIn = <K, V>(node: Branch<K, V>, shift: number, hash: number, key: K): Branch<K, V> => {
  const bit = bitOf(hash, shift)
  if ((node.dataMap & bit) !== 0) {
    const at = 3 * rank(node.dataMap, bit)
    if (keyAt(node.data, at) !== key) return node
    return branch(node.dataMap ^ bit, node.nodeMap, withoutTriple(node.data, at), node.nodes)
  }
  if ((node.nodeMap & bit) === 0) return node
  const index = rank(node.nodeMap, bit)
  const child = node.nodes[index]
  if (child === undefined) return node
  const below = shift + BITS
  const next =
    below === COLLISION_SHIFT
      ? collisionRemove(child as Collision<K, V>, key)
      : removeIn(child as Branch<K, V>, below, hash, key)
  if (next === child) return node
  const lone = loneEntry(next, below)
  if (lone === undefined) return branch(node.dataMap, node.nodeMap, node.data, replacedSlot(node.nodes, index, next))
  return branch(
    node.dataMap | bit,
    node.nodeMap ^ bit,
    withTriple(node.data, 3 * rank(node.dataMap, bit), hashAt(lone, 0), keyAt(lone, 0), valueAt(lone, 0)),
    withoutSlot(node.nodes, index),
  )
}

const collisionRemove = <K, V>(node: Collision<K, V>, key: K): Collision<K, V> => {
  const at = collisionIndex(node.data, key)
  return at < 0 ? node : { hash: node.hash, data: withoutTriple(node.data, at) }
}

/** The map without `key`; the very same map when the key is not there. */
export const remove = <K, V>(map: HashMap<K, V>, key: K, hash: number): HashMap<K, V> => {
  if (map.root === null) return map
  const next = removeIn(map.root, 0, hash, key)
  if (next === map.root) return map
  if (next.dataMap === 0 && next.nodeMap === 0) return empty
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
  return { root: buildBranch(all, 0, { hashes, keys, values }), size: keys.length }
}

/** The set of `keys` (distinct), each mapped to `true`, built at once as by {@link fromDistinct}. */
export const setOfDistinct = <K>(hashes: readonly number[], keys: readonly K[]): HashMap<K, true> =>
  fromDistinct(
    hashes,
    keys,
    keys.map((): true => true),
  )

interface Entries<K, V> {
  readonly hashes: readonly number[]
  readonly keys: readonly K[]
  readonly values: readonly V[]
}

// The triples of the entries `at` (indexes into the lists), in that order.
const triplesOf = <K, V>(at: readonly number[], entries: Entries<K, V>): Slots => {
  const data = new Array<unknown>(3 * at.length)
  at.forEach((i, r) => {
    data[3 * r] = entries.hashes[i]
    data[3 * r + 1] = entries.keys[i]
    data[3 * r + 2] = entries.values[i]
  })
  return data
}

// The branch at `shift` holding the entries `at` (two or more, or the root's).
const buildBranch = <K, V>(at: readonly number[], shift: number, entries: Entries<K, V>): Branch<K, V> => {
  const buckets: number[][] = []
  for (const i of at) {
    const fragment = ((entries.hashes[i] ?? 0) >>> shift) & MASK
    const bucket = buckets[fragment]
    if (bucket === undefined) buckets[fragment] = [i]
    else bucket.push(i)
  }
  let dataMap = 0
  let nodeMap = 0
  const alone: number[] = []
  const nodes: Array<Node<K, V>> = []
  buckets.forEach((bucket, fragment) => {
    if (bucket.length === 1) {
      dataMap |= 1 << fragment
      alone.push(...bucket)
    } else {
      nodeMap |= 1 << fragment
      nodes.push(buildNode(bucket, shift + BITS, entries))
    }
  })
  return branch(
    dataMap,
    nodeMap,
    alone.length === 0 ? NO_DATA : triplesOf(alone, entries),
    // Copied to its length: an array grown by push keeps spare slots, which a
    // restored trie would hold in each of its thousands of branches.
    nodes.length === 0 ? NO_NODES : nodes.slice(),
  )
}

const buildNode = <K, V>(at: readonly number[], shift: number, entries: Entries<K, V>): Node<K, V> => {
  if (shift !== COLLISION_SHIFT) return buildBranch(at, shift, entries)
  const { keys } = entries
  const sorted = [...at].sort((a, b) => (precedes(keys[a], keys[b]) ? -1 : precedes(keys[b], keys[a]) ? 1 : 0))
  const collision: Collision<K, V> = { hash: entries.hashes[sorted[0] ?? 0] ?? 0, data: triplesOf(sorted, entries) }
  return collision
}

/** The first key in the order of {@link forEach}, without walking the rest; none for the empty map. */
export const firstKey = <K, V>(map: HashMap<K, V>): K | undefined => {
  let node: Node<K, V> | undefined = map.root ?? undefined
  let shift = 0
  while (node !== undefined) {
    if (node.data.length > 0) return keyAt<K>(node.data, 0)
    if (shift === COLLISION_SHIFT) return undefined
    node = (node as Branch<K, V>).nodes[0]
    shift += BITS
  }
  return undefined
}

/** Calls `visit` for every entry, in the order of the trie's shape. */
export const forEach = <K, V>(map: HashMap<K, V>, visit: (key: K, value: V) => void): void => {
  const walk = (node: Node<K, V>, shift: number): void => {
    const data = node.data
    for (let at = 0; at < data.length; at += 3) visit(keyAt<K>(data, at), valueAt<V>(data, at))
    if (shift !== COLLISION_SHIFT) for (const child of (node as Branch<K, V>).nodes) walk(child, shift + BITS)
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
  const entryAt = (data: Slots, at: number, path: number, shift: number): void => {
    const key = keyAt<K>(data, at)
    count++
    if (seen.has(key)) broken.add('a key is held twice')
    seen.add(key)
    if (hashAt(data, at) !== hash(key)) broken.add("an entry's stored hash is not its key's hash")
    const mask = shift >= 32 ? -1 : (1 << shift) - 1
    if ((hashAt(data, at) & mask) !== (path & mask)) broken.add("an entry is off its hash's path")
  }
  const walk = (node: Node<K, V>, shift: number, path: number): number => {
    const before = count
    if (node.data.length % 3 !== 0) broken.add('a data array is not made of triples')
    if (shift === COLLISION_SHIFT) {
      for (let at = 0; at < node.data.length; at += 3) {
        entryAt(node.data, at, path, 32)
        if (hashAt(node.data, at) !== (node as Collision<K, V>).hash) broken.add('a collision node holds two hashes')
        if (at > 0 && !precedes(keyAt(node.data, at - 3), keyAt(node.data, at)))
          broken.add("a collision node's keys are out of order")
      }
      return count - before
    }
    const b = node as Branch<K, V>
    if ((b.dataMap & b.nodeMap) !== 0) broken.add('a bit is set in both bitmaps')
    if (3 * popcount(b.dataMap) !== b.data.length) broken.add("a branch's data does not match its bitmap")
    if (popcount(b.nodeMap) !== b.nodes.length) broken.add("a branch's nodes do not match their bitmap")
    let d = 0
    let n = 0
    for (let slot = 0; slot < 32; slot++) {
      const bit = 1 << slot
      const here = path | (slot << shift)
      if ((b.dataMap & bit) !== 0) {
        if (3 * d < b.data.length) entryAt(b.data, 3 * d, here, Math.min(32, shift + BITS))
        d++
      } else if ((b.nodeMap & bit) !== 0) {
        const child = b.nodes[n]
        n++
        if (child !== undefined && walk(child, shift + BITS, here) < 2)
          broken.add('a sub-node holds fewer than two entries')
      }
    }
    return count - before
  }
  if (map.root === null) {
    if (map.size !== 0) broken.add('an empty map has a size')
  } else {
    if (map.root.dataMap === 0 && map.root.nodeMap === 0) broken.add('an empty map has a root')
    walk(map.root, 0, 0)
  }
  if (count !== map.size) broken.add('the size is not the number of entries')
  return [...broken]
}
