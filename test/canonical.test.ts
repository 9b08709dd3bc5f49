// The canonical comparison and hash of JSON values (src/internal/canonical.ts),
// against a simple model: the text JSON.stringify writes, with object keys
// sorted. Snapshots are sealed and compared with it, and hosts store them in
// PostgreSQL `jsonb`, which reorders keys: equal canonical texts must compare
// equal and hash alike, and a difference must be found where it is.
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import * as C from '../src/internal/canonical'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const sortedJson = (json: Json): Json =>
  json === null || typeof json !== 'object'
    ? json
    : Array.isArray(json)
      ? json.map(sortedJson)
      : Object.fromEntries(
          Object.keys(json)
            .sort()
            .map((key) => [key, sortedJson(json[key] ?? null)]),
        )

/** The model: what JSON.stringify writes, object keys sorted. */
const canonicalText = (value: unknown): string => {
  const text = JSON.stringify(value)
  return text === undefined ? 'undefined' : JSON.stringify(sortedJson(JSON.parse(text) as Json))
}

// Values as hosts and the library hand them over: JSON, and what JSON.stringify
// leaves out or rewrites (undefined, functions, -0, NaN, infinities, dates).
const leaf = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -0, 1, 'a', '', NaN, Infinity, undefined, () => 1, new Date(0)),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 4 }),
)
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'ab', 'd'), tie('value'), { maxKeys: 4 }),
  ),
}))

// A value like another: often equal canonically, often one change away.
const variantOf = (x: unknown): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constant(x),
    fc.constant(JSON.parse(JSON.stringify(x) ?? 'null') as unknown),
    value,
    fc.constant(
      typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).reverse()) : x,
    ),
    fc.constant(typeof x === 'object' && x !== null && !Array.isArray(x) ? { ...x, e: undefined } : [x]),
  )

const pair = value.chain((a) => variantOf(a).map((b) => [a, b] as const))

describe('canonical comparison', () => {
  test.prop([pair], { numRuns: 500 })('finds a difference exactly when the canonical texts differ', ([a, b]) => {
    expect(C.firstDifference(a, b) === undefined).toBe(canonicalText(a) === canonicalText(b))
    expect(C.firstDifference(b, a) === undefined).toBe(canonicalText(a) === canonicalText(b))
  })

  test.prop([pair], { numRuns: 500 })('hashes alike what compares equal, as 16 hex digits', ([a, b]) => {
    if (C.firstDifference(a, b) === undefined) expect(C.hash(a)).toBe(C.hash(b))
    expect(C.hash(a)).toMatch(/^[0-9a-f]{16}$/)
  })

  it.each<[string, unknown, unknown]>([
    ['a key set to undefined', { a: undefined, b: 1 }, { b: 1 }],
    ['a key set to a function', { a: () => 1 }, {}],
    ['a key set to a symbol', { a: Symbol('s') }, {}],
    ['undefined and a function in a list, as null', [undefined, () => 1], [null, null]],
    ['-0 as 0', { a: -0 }, { a: 0 }],
    ['NaN and infinities as null', [NaN, Infinity, -Infinity], [null, null, null]],
    ['a date as its text', { at: new Date(0) }, { at: '1970-01-01T00:00:00.000Z' }],
    ['keys in another order', { a: 1, b: [2, { c: 3, d: 4 }] }, { b: [2, { d: 4, c: 3 }], a: 1 }],
  ])('equals %s', (_name, a, b) => {
    expect(C.firstDifference(a, b)).toBeUndefined()
    expect(C.firstDifference(b, a)).toBeUndefined()
    expect(C.hash(a)).toBe(C.hash(b))
  })

  it.each<[string, unknown, unknown]>([
    ['a list and an object with its indexes as keys', [1], { 0: 1 }],
    ['lists of other lengths', [1], [1, 2]],
    ['an object with one more key', { a: 1 }, { a: 1, b: 2 }],
    ['an object with one key fewer', { a: 1, b: 2 }, { a: 1 }],
    ['a key moved', { a: 1 }, { b: 1 }],
    ['a string and a number', '1', 1],
    ['null and an empty object', null, {}],
  ])('tells apart %s', (_name, a, b) => {
    expect(C.firstDifference(a, b)).toBeDefined()
    expect(C.firstDifference(b, a)).toBeDefined()
    expect(C.hash(a)).not.toBe(C.hash(b))
  })
})

describe('where the first difference is', () => {
  it('names the root as <root>, and says what each side holds', () => {
    expect(C.firstDifference(1, 2)).toEqual({ path: '<root>', message: 'is 1, not 2' })
    expect(C.firstDifference('x', undefined)).toEqual({ path: '<root>', message: 'is "x", not nothing' })
  })

  it('walks keys in sorted order, whichever side has them', () => {
    expect(C.firstDifference({ b: 1, a: 1 }, { b: 2, a: 2 })?.path).toBe('a')
    expect(C.firstDifference({ b: 1 }, { a: 1, b: 2 })).toEqual({ path: 'a', message: 'is nothing, not 1' })
  })

  it('passes over what is left out and what is written alike', () => {
    expect(C.firstDifference({ a: () => 1, b: 1 }, { b: 2 })?.path).toBe('b')
    expect(C.firstDifference({ a: -0, b: 1 }, { a: 0, b: 2 })?.path).toBe('b')
    expect(C.firstDifference([undefined, 1], [null, 2])?.path).toBe('1')
  })

  it('keeps apart objects whose keys would run together', () => {
    expect(C.firstDifference({ ab: 1 }, { ab: 2 })?.path).toBe('ab')
    expect(C.firstDifference({ a: 1, b: 1 }, { a: 1, b: 2 })?.path).toBe('b')
    expect(C.firstDifference({ a: 1, b: 1 }, { a: 1, b: 1 })).toBeUndefined()
  })

  it('gives the path of a nested difference, and a list whose length differs', () => {
    expect(C.firstDifference({ x: [{ y: 1 }] }, { x: [{ y: 2 }] })).toEqual({ path: 'x.0.y', message: 'is 1, not 2' })
    expect(C.firstDifference({ x: [1, 2] }, { x: [1] })).toEqual({ path: 'x', message: 'has 2 items, not 1' })
  })

  it('shortens what it shows of a long value', () => {
    const long = 'x'.repeat(60)
    expect(C.firstDifference(long, 'y')?.message).toBe(`is "${'x'.repeat(36)}..., not "y"`)
    // Forty characters, quotes included, are shown whole.
    expect(C.firstDifference('x'.repeat(38), 'y')?.message).toBe(`is "${'x'.repeat(38)}", not "y"`)
  })

  test.prop([fc.jsonValue(), fc.array(fc.constantFrom('p', 'q', 'r'), { maxLength: 3 })])(
    'finds a leaf changed at a path there',
    (leafValue, path) => {
      const at = (inner: unknown): unknown => path.reduceRight<unknown>((child, key) => ({ [key]: child, z: 0 }), inner)
      const changed = JSON.stringify(leafValue) === '1' ? 2 : 1
      const found = C.firstDifference(at(leafValue), at(changed))
      expect(found?.path).toBe(path.length === 0 ? '<root>' : path.join('.'))
    },
  )
})
