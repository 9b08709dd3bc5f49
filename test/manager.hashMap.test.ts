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
        expect(HM.brokenInvariants(map, hash)).toEqual([])
        expect(HM.firstKey(map)).toBe(HM.keys(map)[0])
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

  for (const [name, hash] of hashes) {
    // The canonical form: the same key set, reached by other paths (other
    // insertion orders, keys added then removed), is the same structure.
    test.prop([
      fc
        .uniqueArray(keyArb, { maxLength: 60 })
        .chain((keys) =>
          fc.tuple(fc.constant(keys), fc.shuffledSubarray(keys, { minLength: keys.length }), fc.uniqueArray(keyArb)),
        ),
    ])(`has one shape per key set (${name} hash)`, ([keys, shuffled, extra]) => {
      let direct: HM.HashMap<string, number> = HM.empty
      for (const key of keys) direct = HM.set(direct, key, hash(key), 1)
      let detour: HM.HashMap<string, number> = HM.empty
      const added = extra.filter((key) => !keys.includes(key))
      for (const key of [...added, ...shuffled]) detour = HM.set(detour, key, hash(key), 1)
      for (const key of added) detour = HM.remove(detour, key, hash(key))
      expect(detour).toEqual(direct)
      expect(HM.keys(detour)).toEqual(HM.keys(direct))
    })
  }

  describe('brokenInvariants', () => {
    const h = (key: string): number => Number(key)
    const entries = (...keys: string[]): unknown[] => keys.flatMap((key) => [h(key), key, 0])
    const map = (root: unknown, size: number): HM.HashMap<string, number> =>
      ({ root, size }) as unknown as HM.HashMap<string, number>
    const branch = (dataMap: number, nodeMap: number, data: unknown[], nodes: unknown[]): unknown => ({
      dataMap,
      nodeMap,
      data,
      nodes,
    })
    const cases: ReadonlyArray<readonly [string, HM.HashMap<string, number>]> = [
      ['a key is held twice', map(branch(0b11, 0, [1, '1', 0, 2, '1', 0], []), 2)],
      ["an entry's stored hash is not its key's hash", map(branch(0b10, 0, [1, '3', 0], []), 1)],
      ["an entry is off its hash's path", map(branch(0b100, 0, entries('1'), []), 1)],
      ['a data array is not made of triples', map(branch(0b10, 0, [1, '1'], []), 0)],
      [
        'a bit is set in both bitmaps',
        map(branch(0b10, 0b10, entries('1'), [branch(0b11, 0, entries('1', '33'), [])]), 3),
      ],
      ["a branch's data does not match its bitmap", map(branch(0b110, 0, entries('1'), []), 1)],
      ["a branch's nodes do not match their bitmap", map(branch(0, 0b1, [], []), 0)],
      ['a sub-node holds fewer than two entries', map(branch(0, 0b10, [], [branch(0b1, 0, entries('1'), [])]), 1)],
      ['an empty map has a size', map(null, 1)],
      ['an empty map has a root', map(branch(0, 0, [], []), 0)],
      ['the size is not the number of entries', map(branch(0b10, 0, entries('1'), []), 2)],
    ]
    for (const [sentence, broken] of cases) {
      test(`names "${sentence}"`, () => {
        expect(HM.brokenInvariants(broken, h)).toContain(sentence)
      })
    }

    test('names a collision node of two hashes', () => {
      // Seven levels of single-child branches down to the collision shift.
      let node: unknown = { hash: 0, data: [0, '0', 0, 32, '32', 0] }
      for (let level = 0; level < 7; level++) node = branch(0, 0b1, [], [node])
      expect(HM.brokenInvariants(map(node, 2), h)).toContain('a collision node holds two hashes')
    })

    test("names a collision node's keys out of order", () => {
      const same = (): number => 0
      let node: unknown = { hash: 0, data: [0, 'b', 0, 0, 'a', 0] }
      for (let level = 0; level < 7; level++) node = branch(0, 0b1, [], [node])
      expect(HM.brokenInvariants(map(node, 2), same)).toEqual(["a collision node's keys are out of order"])
    })

    test('finds nothing in well-formed maps, collisions included', () => {
      let m: HM.HashMap<string, number> = HM.empty
      for (const key of ['a', 'bb', 'ccc', 'dddd', 'e']) m = HM.set(m, key, key.length % 2, 0)
      expect(HM.brokenInvariants(m, (key) => key.length % 2)).toEqual([])
      expect(HM.brokenInvariants(HM.empty, h)).toEqual([])
    })
  })

  test.prop([fc.integer(), fc.double()])('hashes numbers and strings to 32-bit signed integers', (n, d) => {
    for (const h of [HM.hashNumber(n), HM.hashNumber(d), HM.hashString(String(n))]) {
      expect(h === (h | 0)).toBe(true)
    }
  })
})
