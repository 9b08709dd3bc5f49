// The persistent sorted map under the manager, against a plain Map model.
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import * as SM from '../src/internal/sortedMap'

const compare = (a: number, b: number): number => a - b

type Op =
  | { readonly kind: 'set'; readonly key: number; readonly value: number }
  | { readonly kind: 'remove'; readonly key: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    key: fc.integer({ min: 0, max: 60 }),
    value: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ kind: fc.constant('remove' as const), key: fc.integer({ min: 0, max: 60 }) }),
)

describe('sortedMap', () => {
  test.prop([fc.array(opArb, { maxLength: 300, size: 'max' })])('agrees with a Map and stays balanced', (ops) => {
    let tree: SM.Tree<number, number> = SM.empty
    const model = new Map<number, number>()
    for (const op of ops) {
      const before = tree
      const beforeEntries = SM.entries(before)
      if (op.kind === 'set') {
        tree = SM.set(tree, op.key, op.value, compare)
        if (model.get(op.key) === op.value) expect(tree).toBe(before)
        model.set(op.key, op.value)
      } else {
        tree = SM.remove(tree, op.key, compare)
        if (!model.has(op.key)) expect(tree).toBe(before)
        model.delete(op.key)
      }
      expect(SM.entries(before)).toEqual(beforeEntries)
      expect(SM.isValid(tree, compare)).toBe(true)
      expect(SM.size(tree)).toBe(model.size)
      expect(SM.entries(tree)).toEqual([...model.entries()].sort(([a], [b]) => a - b))
    }
    for (const key of model.keys()) expect(SM.get(tree, key, compare)).toBe(model.get(key))
    const sorted = [...model.keys()].sort((a, b) => a - b)
    expect(SM.min(tree)?.key).toBe(sorted[0])
    expect(SM.range(tree, 10, 30, compare).map(([k]) => k)).toEqual(sorted.filter((k) => k >= 10 && k <= 30))
  })

  test.prop([fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { maxLength: 200 })])(
    'lists the same entries in key order, whatever the insertion order',
    (keys) => {
      const forward = SM.fromEntries(
        keys.map((k) => [k, k] as const),
        compare,
      )
      const backward = SM.fromEntries(
        [...keys].reverse().map((k) => [k, k] as const),
        compare,
      )
      expect(SM.entries(forward)).toEqual(SM.entries(backward))
      expect(SM.isValid(forward, compare) && SM.isValid(backward, compare)).toBe(true)
    },
  )
})

describe('sortedMap.isValid', () => {
  const leaf = (key: number): SM.Node<number, number> => ({ key, value: 0, left: null, right: null, size: 1 })
  const node = (
    key: number,
    left: SM.Tree<number, number>,
    right: SM.Tree<number, number>,
    size = SM.size(left) + SM.size(right) + 1,
  ): SM.Node<number, number> => ({ key, value: 0, left, right, size })
  const chain = (keys: readonly number[]): SM.Tree<number, number> =>
    keys.reduceRight<SM.Tree<number, number>>((right, key) => node(key, null, right), null)

  test('accepts a balanced, ordered, sized tree, and the empty one', () => {
    expect(SM.isValid(node(2, leaf(1), leaf(3)), compare)).toBe(true)
    expect(SM.isValid(node(2, null, leaf(3)), compare)).toBe(true)
    expect(SM.isValid(SM.empty, compare)).toBe(true)
  })

  test('refuses keys out of order, on either side and below the top', () => {
    expect(SM.isValid(node(2, leaf(3), leaf(4)), compare)).toBe(false)
    expect(SM.isValid(node(2, leaf(1), leaf(0)), compare)).toBe(false)
    expect(SM.isValid(node(2, leaf(2), null), compare)).toBe(false)
    expect(SM.isValid(node(2, null, leaf(2)), compare)).toBe(false)
    expect(SM.isValid(node(5, node(2, leaf(1), leaf(6)), leaf(7)), compare)).toBe(false)
    expect(SM.isValid(node(5, leaf(1), node(8, leaf(4), leaf(9))), compare)).toBe(false)
  })

  test('refuses a wrong size', () => {
    expect(SM.isValid(node(2, leaf(1), leaf(3), 4), compare)).toBe(false)
    expect(SM.isValid(node(5, node(2, leaf(1), leaf(3), 2), leaf(7), 5), compare)).toBe(false)
  })

  test('refuses a tree out of balance on either side', () => {
    expect(SM.isValid(chain([1, 2, 3, 4, 5]), compare)).toBe(false)
    expect(SM.isValid(node(6, chain([1, 2, 3, 4, 5]), null), compare)).toBe(false)
    expect(SM.isValid(node(1, null, node(3, leaf(2), leaf(4))), compare)).toBe(false)
    expect(SM.isValid(node(2, leaf(1), node(4, leaf(3), leaf(5))), compare)).toBe(true)
    expect(SM.isValid(node(9, node(5, leaf(3), node(7, leaf(6), leaf(8))), null), compare)).toBe(false)
  })
})
