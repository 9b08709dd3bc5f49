// What the boundary codecs read (src/internal/plainData.ts): plain data is
// recognised whatever its size or shape, shared values and cycles included,
// and anything not plain (an own `__proto__`, a foreign prototype) is found
// wherever it sits, also past the point where a walk starts remembering.
import { describe, expect, it } from 'vitest'
import { isPlain, plain } from '../src/internal/plainData'

// More objects than a walk visits before it switches to remembering them.
const LARGE = 10_001

class Foreign {
  readonly field = 1
}

describe('isPlain', () => {
  it('accepts a cycle of plain objects, and a shared value', () => {
    const cyclic: Record<string, unknown> = { name: 'a' }
    cyclic['self'] = cyclic
    expect(isPlain(cyclic)).toBe(true)
    const shared = { x: 1 }
    const ring: unknown[] = [shared, shared]
    ring.push(ring)
    expect(isPlain(ring)).toBe(true)
  })

  it('finds an own __proto__ key or a foreign object in a cycle', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    cyclic['next'] = JSON.parse('{"__proto__": {"admin": true}}')
    expect(isPlain(cyclic)).toBe(false)
    const ring: unknown[] = [new Foreign()]
    ring.push(ring)
    expect(isPlain(ring)).toBe(false)
  })

  it('finds an own __proto__ key past the first ten thousand objects of a large input', () => {
    // The stack walks an array from its end: the first item is met last.
    const input: unknown = JSON.parse(`[{"__proto__": {"admin": true}}${',{"a":1}'.repeat(LARGE)}]`)
    expect(isPlain(input)).toBe(false)
    const copy = plain(input)
    expect(Array.isArray(copy)).toBe(true)
    const first: unknown = Array.isArray(copy) ? copy[0] : undefined
    expect(Object.getPrototypeOf(first)).toBe(Object.prototype)
    expect(Object.hasOwn(first as object, '__proto__')).toBe(false)
  })

  it('finds a foreign object past the first ten thousand objects of a large input', () => {
    const input: unknown[] = [new Foreign()]
    for (let i = 0; i < LARGE; i++) input.push({ i })
    expect(isPlain(input)).toBe(false)
    input[0] = { i: -1 }
    expect(isPlain(input)).toBe(true)
  })

  it('walks a list that holds itself beside many objects a bounded number of times', () => {
    // Each time the walk met such a list it pushed all its objects again: some
    // hundred million reads before the walk switched to remembering. The
    // proxy counts the reads of the list's items, and refuses past a bound.
    const items: unknown[] = []
    for (let i = 0; i < LARGE; i++) items.push({ i })
    let reads = 0
    const list: unknown[] = new Proxy(items, {
      get: (target, key, receiver) => {
        if (typeof key === 'string' && /^\d+$/.test(key) && ++reads > 10 * LARGE) throw new Error('read too often')
        return Reflect.get(target, key, receiver) as unknown
      },
    })
    items.push(list)
    expect(isPlain(list)).toBe(true)
    expect(reads).toBeLessThanOrEqual(4 * LARGE)
  })
})
