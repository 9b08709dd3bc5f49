/**
 * The persistent set of a replay's nodes seen (src/internal/nodeSet.ts): a
 * `ReadonlySet` of canonical node ids, so `'1'` and `1` are one node.
 */
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { canonicalNodeId, type NodeId } from '../src/ids'
import { NodeSet } from '../src/internal/nodeSet'

const sorted = (ids: Iterable<NodeId>): string[] => [...ids].map(String).sort()

describe('NodeSet', () => {
  it('holds a node by its canonical id', () => {
    const set = NodeSet.addAll(NodeSet.empty, ['1', 1, 'a', '01'])
    expect(set.size).toBe(3)
    expect(set.has(1) && set.has('1') && set.has('a') && set.has('01')).toBe(true)
    expect(set.has('b') || set.has(2)).toBe(false)
    expect(sorted(set)).toEqual(['01', '1', 'a'])
    expect([...set].filter((id) => id === 1)).toEqual([1])
  })

  it('gives the same nodes through every ReadonlySet view', () => {
    const set = NodeSet.addAll(NodeSet.empty, [3, 'x', 7])
    expect(sorted(set.values())).toEqual(['3', '7', 'x'])
    expect(sorted(set.keys())).toEqual(['3', '7', 'x'])
    expect([...set.entries()].every(([key, value]) => key === value)).toBe(true)
    expect(sorted([...set.entries()].map(([key]) => key))).toEqual(['3', '7', 'x'])
    const visited: NodeId[] = []
    set.forEach((value, key, whole) => {
      expect(key).toBe(value)
      expect(whole).toBe(set)
      visited.push(value)
    })
    expect(sorted(visited)).toEqual(['3', '7', 'x'])
  })

  it('returns the very same set when no node is new, and reads a plain Set into one', () => {
    const set = NodeSet.addAll(NodeSet.empty, [1, 2])
    expect(NodeSet.addAll(set, ['1', 2])).toBe(set)
    const plain = new Set<NodeId>(['5', 'y'])
    const read = NodeSet.addAll(plain, [])
    expect(read).not.toBe(plain)
    expect(read.has(5) && read.has('y')).toBe(true)
    expect(read.size).toBe(2)
  })

  test.prop([fc.array(fc.oneof(fc.integer({ min: -50, max: 50 }), fc.string({ maxLength: 3 })))])(
    'agrees with a Set of the canonical ids',
    (ids) => {
      const set = NodeSet.addAll(NodeSet.empty, ids)
      const model = new Set(ids.map(canonicalNodeId))
      expect(set.size).toBe(model.size)
      expect(sorted(set.values())).toEqual(sorted(model))
      for (const id of ids) expect(set.has(id)).toBe(true)
    },
  )
})
