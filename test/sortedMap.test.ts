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
