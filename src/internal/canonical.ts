/**
 * JSON values compared and hashed canonically: object keys in sorted order
 * (hosts store snapshots in PostgreSQL `jsonb`, which reorders them), keys
 * whose value is `undefined` left out and `undefined` in arrays read as
 * `null` (as `JSON.stringify` writes them), numbers by their JSON text.
 *
 * The hash has two 32-bit lanes (64 bits, as 16 hex digits), computed while
 * walking the value, so that no canonical text is built and no keys are
 * sorted: strings by FNV-1a, numbers by their bits, arrays in order, objects
 * as the sum of their entries' mixed hashes (which does not depend on key
 * order). It detects damage and careless edits, not an adversary: anyone can
 * reseal.
 *
 * @internal
 * @module
 */
import { mix } from './hashMap'

// What JSON.stringify leaves out of an object (and writes as null in an array).
const isAbsent = (value: unknown): boolean =>
  value === undefined || typeof value === 'function' || typeof value === 'symbol'

// Keys of objects with the same keys in the same order share their sorted list.
const sortedKeysCache = new Map<string, readonly string[]>()

const presentKeys = (value: Readonly<Record<string, unknown>>): readonly string[] => {
  const keys = Object.keys(value).filter((key) => !isAbsent(value[key]))
  const id = keys.join('\u0000')
  const known = sortedKeysCache.get(id)
  if (known !== undefined) return known
  const sorted = [...keys].sort()
  if (sortedKeysCache.size < 1_000) sortedKeysCache.set(id, sorted)
  return sorted
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const hasToJson = (value: object): value is { toJSON: () => unknown } =>
  typeof (value as { toJSON?: unknown }).toJSON === 'function'

const hexOf = (h: number): string => (h >>> 0).toString(16).padStart(8, '0')

// The two lanes of the hash of the value last walked (module state, so that
// walking allocates nothing).
let laneA = 0
let laneB = 0

const words = new Float64Array(1)
const halves = new Int32Array(words.buffer)

const walkString = (x: string, seed: number): void => {
  let a = 0x811c9dc5 ^ seed
  let b = 0x050c5d1f ^ seed
  for (let i = 0; i < x.length; i++) {
    const c = x.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
  }
  laneA = mix(a ^ x.length)
  laneB = mix(b + x.length)
}

const walk = (x: unknown): void => {
  if (typeof x === 'string') return walkString(x, 1)
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) return walk(null)
    words[0] = x === 0 ? 0 : x // JSON writes -0 as 0
    laneA = mix((halves[0] ?? 0) ^ 0x2545f491)
    laneB = mix((halves[1] ?? 0) + Math.imul(laneA, 0x9e3779b1))
    return
  }
  if (typeof x === 'boolean') {
    laneA = x ? 0x71 : 0x66
    laneB = x ? 0x1b873593 : 0x2b3c4d5e
    return
  }
  if (typeof x !== 'object' || x === null) {
    laneA = 0x6e
    laneB = 0x3c6ef372
    return
  }
  if (hasToJson(x)) return walk(x.toJSON())
  if (Array.isArray(x)) {
    const items = x as readonly unknown[]
    let a = 0x5b ^ items.length
    let b = 0x9e3779b9 + items.length
    for (const item of items) {
      walk(item)
      a = mix(Math.imul(a, 0x01000193) ^ laneA)
      b = mix(Math.imul(b, 0x5bd1e995) + laneB)
    }
    laneA = a
    laneB = b
    return
  }
  // An object: the sum of its entries' hashes, so that key order does not matter.
  const record = x as Readonly<Record<string, unknown>>
  let a = 0
  let b = 0
  let count = 0
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue
    const value = record[key]
    if (isAbsent(value)) continue
    walk(value)
    const valueA = laneA
    const valueB = laneB
    walkString(key, 2)
    a = (a + mix(laneA ^ Math.imul(valueA, 0x27d4eb2d))) | 0
    b = (b + mix(laneB + Math.imul(valueB, 0x165667b1))) | 0
    count++
  }
  laneA = mix(a ^ Math.imul(count, 0x7b))
  laneB = mix(b + count)
}

/**
 * The canonical hash of a value, as 16 hex digits: the same for the value and
 * for `JSON.parse(JSON.stringify(value))`, whatever the order of object keys.
 */
export const hash = (value: unknown): string => {
  walk(value)
  return hexOf(laneA) + hexOf(laneB)
}

// A value as JSON.stringify writes it, containers aside: a number that is not
// finite as null, a value with toJSON as its result (as the hash reads them).
const asWritten = (x: unknown): unknown => {
  if (typeof x === 'number') return Number.isFinite(x) ? x : null
  return typeof x === 'object' && x !== null && hasToJson(x) ? asWritten(x.toJSON()) : x
}

// Whether two JSON values are canonically equal, without sorting anything.
const equal = (given: unknown, wanted: unknown): boolean => {
  if (given === wanted) return true
  const actual = asWritten(given)
  const expected = asWritten(wanted)
  // -0 === 0, as JSON writes them alike.
  if (actual === expected) return true
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null) return false
  if (Array.isArray(actual) || Array.isArray(expected)) {
    if (!Array.isArray(actual) || !Array.isArray(expected)) return false
    const a = actual as readonly unknown[]
    const e = expected as readonly unknown[]
    if (a.length !== e.length) return false
    for (let i = 0; i < a.length; i++) {
      if (!equal(isAbsent(a[i]) ? null : a[i], isAbsent(e[i]) ? null : e[i])) return false
    }
    return true
  }
  const a = actual as Readonly<Record<string, unknown>>
  const e = expected as Readonly<Record<string, unknown>>
  let present = 0
  for (const key in a) {
    if (!Object.prototype.hasOwnProperty.call(a, key) || isAbsent(a[key])) continue
    present++
    if (!Object.prototype.hasOwnProperty.call(e, key) || !equal(a[key], e[key])) return false
  }
  for (const key in e) {
    if (Object.prototype.hasOwnProperty.call(e, key) && !isAbsent(e[key])) present--
  }
  return present === 0
}

const describe = (x: unknown): string => {
  if (x === undefined) return 'nothing'
  const text = JSON.stringify(x) ?? typeof x
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

/** One difference: where, and what is there. */
export interface Difference {
  readonly path: string
  readonly message: string
}

/**
 * Where two JSON values first differ canonically (in sorted key order), and
 * what each holds there; `undefined` when they are canonically equal.
 */
export const firstDifference = (actual: unknown, expected: unknown, path = ''): Difference | undefined =>
  equal(actual, expected) ? undefined : differenceOf(actual, expected, path)

const differenceOf = (given: unknown, wanted: unknown, path: string): Difference | undefined => {
  const actual = asWritten(given)
  const expected = asWritten(wanted)
  const at = (key: string | number): string => (path === '' ? String(key) : `${path}.${key}`)
  const here = path === '' ? '<root>' : path
  if (Array.isArray(actual) && Array.isArray(expected)) {
    const a = actual as readonly unknown[]
    const e = expected as readonly unknown[]
    const shared = Math.min(a.length, e.length)
    for (let i = 0; i < shared; i++) {
      const found = differenceOf(isAbsent(a[i]) ? null : a[i], isAbsent(e[i]) ? null : e[i], at(i))
      if (found !== undefined) return found
    }
    return a.length === e.length ? undefined : { path: here, message: `has ${a.length} items, not ${e.length}` }
  }
  if (isRecord(actual) && isRecord(expected)) {
    const keys = new Set([...presentKeys(actual), ...presentKeys(expected)])
    for (const key of [...keys].sort()) {
      const found = differenceOf(actual[key], expected[key], at(key))
      if (found !== undefined) return found
    }
    return undefined
  }
  if (actual === expected) return undefined
  return { path: here, message: `is ${describe(actual)}, not ${describe(expected)}` }
}
