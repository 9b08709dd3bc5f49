// The persistent hash map under the manager, against a plain Map model.
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import * as HM from '../src/internal/hashMap'

type Op =
  | { readonly kind: 'set'; readonly key: string; readonly value: number }
  | { readonly kind: 'remove'; readonly key: string }

// A weak hash forces collisions and deep branches; the real one spreads keys.
const hashes: ReadonlyArray<readonly [string, HM.Hash<string>]> = [
  ['real', HM.hashString],
  ['colliding', (key) => key.length % 3],
  ['deep', (key) => (key.charCodeAt(0) || 0) << 25],
]

const keyArb = fc.oneof(
  fc.constantFrom('a', 'b', 'c', 'scale_job_fw_1x1', 'scale_job_fw_2x1'),
  fc.string({ maxLength: 4 }),
)

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: keyArb, value: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('remove' as const), key: keyArb }),
)

describe('hashMap', () => {
  for (const [name, hash] of hashes) {
    test.prop([fc.array(opArb, { maxLength: 200, size: 'max' })])(`agrees with a Map (${name} hash)`, (ops) => {
      let map: HM.HashMap<string, number> = HM.empty
      const model = new Map<string, number>()
      for (const op of ops) {
        const before = map
        const beforeKeys = HM.keys(before).sort()
        if (op.kind === 'set') {
          map = HM.set(map, op.key, hash(op.key), op.value)
          if (model.get(op.key) === op.value) expect(map).toBe(before)
          model.set(op.key, op.value)
        } else {
          map = HM.remove(map, op.key, hash(op.key))
          if (!model.has(op.key)) expect(map).toBe(before)
          model.delete(op.key)
        }
        expect(HM.keys(before).sort()).toEqual(beforeKeys)
        expect(map.size).toBe(model.size)
        expect(HM.keys(map).sort()).toEqual([...model.keys()].sort())
        for (const [key, value] of model) expect(HM.get(map, key, hash(key))).toBe(value)
      }
    })
  }

  for (const [name, hash] of hashes) {
    // Each key set has one shape (see removeIn): the empty one too, however it was reached.
    test.prop([fc.array(opArb, { maxLength: 100, size: 'max' })])(
      `is the empty map again once every key is removed (${name} hash)`,
      (ops) => {
        let map: HM.HashMap<string, number> = HM.empty
        for (const op of ops) {
          map = op.kind === 'set' ? HM.set(map, op.key, hash(op.key), op.value) : HM.remove(map, op.key, hash(op.key))
        }
        for (const key of HM.keys(map)) map = HM.remove(map, key, hash(key))
        expect(map).toEqual(HM.empty)
      },
    )
  }

  test.prop([fc.integer(), fc.double()])('hashes numbers and strings to 32-bit signed integers', (n, d) => {
    for (const h of [HM.hashNumber(n), HM.hashNumber(d), HM.hashString(String(n))]) {
      expect(h === (h | 0)).toBe(true)
    }
  })
})
