/**
 * Input as the decoders may read it: plain data, that is arrays and objects
 * whose prototype is `Object.prototype` (or `null`), none holding an own
 * `__proto__` key.
 *
 * Why: `JSON.parse('{"__proto__": {...}}')` gives an object with an own data
 * property named `__proto__`. io-ts' `type` and `partial` copy an object they
 * change with an `Object.assign`-like helper, which assigns that key through the
 * prototype setter, and `intersection` merges its members with `for ... in`,
 * which walks the prototype: the attacker's object becomes the prototype of
 * the decoded value and its fields come through unvalidated. Objects of another
 * prototype (class instances handed over by a caller) would leak their
 * prototype's fields the same way. So every boundary codec first checks its
 * input (one walk, no copy: the common case) and, only when something is not
 * plain, decodes a plain copy instead: own enumerable properties only, the
 * `__proto__` keys dropped. Codecs that refuse unknown keys (`noExtraKeys`)
 * still refuse a dropped `__proto__` key: the copy remembers which objects
 * held one, and what it held.
 *
 * @internal
 * @module
 */

/** The key that JSON may carry as an own property but no decoder may see. */
export const PROTO = '__proto__'

/**
 * The plain copies that had an own `__proto__` key, with the value it held.
 * Only copies made here are keys: it is a side table of fresh objects, never
 * of the caller's.
 */
export const droppedProto = new WeakMap<object, unknown>()

const isPlainObject = (value: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

const isPlainArray = (value: unknown[]): boolean => Object.getPrototypeOf(value) === Array.prototype

// Past this many objects met a walk starts over remembering what it met: JSON
// has neither cycles nor shared values, so small inputs (every status, every
// log line) are walked without allocating a set. The budget counts objects as
// they are met, not as they are walked: a list that holds itself beside many
// objects would otherwise push them all again each time it is met.
const UNGUARDED_WALK = 10_000

const walk = (input: object, seen: Set<object> | undefined): boolean | undefined => {
  const stack: object[] = [input]
  let budget = UNGUARDED_WALK
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (seen !== undefined) {
      if (seen.has(next)) continue
      seen.add(next)
    }
    if (Array.isArray(next)) {
      if (!isPlainArray(next)) return false
      for (let i = 0; i < next.length; i++) {
        const item: unknown = next[i]
        if (typeof item !== 'object' || item === null) continue
        if (seen === undefined && --budget < 0) return undefined
        stack.push(item)
      }
      continue
    }
    if (!isPlainObject(next) || Object.hasOwn(next, PROTO)) return false
    const record = next as Record<string, unknown>
    for (const key in record) {
      const value = record[key]
      if (typeof value !== 'object' || value === null) continue
      if (seen === undefined && --budget < 0) return undefined
      stack.push(value)
    }
  }
  return true
}

/**
 * Whether `input` is plain data throughout. One walk without recursion (so
 * that no nesting depth overflows the stack) and without copying; a large
 * input is walked remembering the values it met, so that a value met twice
 * (shared, or a cycle: not JSON, but callers may pass anything) is walked once.
 */
export const isPlain = (input: unknown): boolean => {
  if (typeof input !== 'object' || input === null) return true
  return walk(input, undefined) ?? walk(input, new Set()) ?? false
}

/**
 * A plain copy of `input`: arrays as arrays, every other object as an object
 * of `Object.prototype` holding its own enumerable properties but `__proto__`
 * (remembered in {@link droppedProto}). Shared values and cycles are copied
 * once. Recursive: only hostile or foreign input gets here, and the decoder
 * turns a stack overflow on absurd nesting into a refusal.
 */
export const plainCopy = (input: unknown): unknown => {
  const copies = new Map<object, unknown>()
  const copy = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value
    const known = copies.get(value)
    if (known !== undefined) return known
    if (Array.isArray(value)) {
      const out: unknown[] = []
      copies.set(value, out)
      for (let i = 0; i < value.length; i++) out.push(copy(value[i]))
      return out
    }
    const out: Record<string, unknown> = {}
    copies.set(value, out)
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) {
      if (key === PROTO) droppedProto.set(out, record[key])
      else out[key] = copy(record[key])
    }
    return out
  }
  return copy(input)
}

/** `input` itself when it is plain data, else its plain copy. */
export const plain = (input: unknown): unknown => (isPlain(input) ? input : plainCopy(input))
