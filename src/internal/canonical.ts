/**
 * JSON values compared and hashed canonically: object keys in sorted order
 * (hosts store snapshots in PostgreSQL `jsonb`, which reorders them), keys
 * whose value is `undefined` left out and `undefined` in arrays read as
 * `null` (as `JSON.stringify` writes them), numbers by their JSON text.
 *
 * The hash is two 32-bit FNV-1a variants side by side (64 bits, as 16 hex
 * digits), fed while walking the value, so that no canonical text is built. It
 * detects damage and careless edits, not an adversary: anyone can reseal.
 *
 * @internal
 * @module
 */

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

/**
 * The canonical hash of a value, as 16 hex digits: the same for the value and
 * for `JSON.parse(JSON.stringify(value))`.
 */
export const hash = (value: unknown): string => {
  let a = 0x811c9dc5
  let b = 0x050c5d1f
  const feed = (text: string): void => {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      a = Math.imul(a ^ c, 0x01000193)
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15)
    }
  }
  const walk = (x: unknown): void => {
    if (typeof x === 'string') {
      feed(`s${x.length}:`)
      feed(x)
    } else if (typeof x === 'number') feed(Number.isFinite(x) ? `d${JSON.stringify(x)};` : 'n')
    else if (typeof x === 'boolean') feed(x ? 't' : 'f')
    else if (typeof x !== 'object' || x === null) feed('n')
    else if (hasToJson(x)) walk(x.toJSON())
    else if (Array.isArray(x)) {
      const items = x as readonly unknown[]
      feed(`[${items.length}:`)
      for (const item of items) walk(item)
    } else {
      const record = x as Readonly<Record<string, unknown>>
      const keys = presentKeys(record)
      feed(`{${keys.length}:`)
      for (const key of keys) {
        feed(`${key.length}:`)
        feed(key)
        walk(record[key])
      }
    }
  }
  walk(value)
  return hexOf(a) + hexOf(b)
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
export const firstDifference = (actual: unknown, expected: unknown, path = ''): Difference | undefined => {
  const at = (key: string | number): string => (path === '' ? String(key) : `${path}.${key}`)
  const here = path === '' ? '<root>' : path
  if (Array.isArray(actual) && Array.isArray(expected)) {
    const a = actual as readonly unknown[]
    const e = expected as readonly unknown[]
    const shared = Math.min(a.length, e.length)
    for (let i = 0; i < shared; i++) {
      const found = firstDifference(isAbsent(a[i]) ? null : a[i], isAbsent(e[i]) ? null : e[i], at(i))
      if (found !== undefined) return found
    }
    return a.length === e.length ? undefined : { path: here, message: `has ${a.length} items, not ${e.length}` }
  }
  if (isRecord(actual) && isRecord(expected)) {
    const keys = new Set([...presentKeys(actual), ...presentKeys(expected)])
    for (const key of [...keys].sort()) {
      const found = firstDifference(actual[key], expected[key], at(key))
      if (found !== undefined) return found
    }
    return undefined
  }
  if (actual === expected) return undefined
  if (typeof actual === 'number' && typeof expected === 'number' && JSON.stringify(actual) === JSON.stringify(expected))
    return undefined
  return { path: here, message: `is ${describe(actual)}, not ${describe(expected)}` }
}
