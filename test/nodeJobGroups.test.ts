// The node and job groups (src/internal/nodeJobGroups.ts): joining and leaving
// keep the module's invariant (a group of one is its id alone, never a set of
// one; no empty group), members are listed in cluster id order whatever the
// hashes, `equals` compares contents whatever the order of the joins, and the
// check catches groups that break the invariant.
import { describe, expect, it } from 'vitest'
import type { ClusterId, NodeId } from '../src/ids'
import * as HM from '../src/internal/hashMap'
import * as Groups from '../src/internal/nodeJobGroups'

const hash = (id: ClusterId): number => HM.hashString(id)

const joinAll = <K extends NodeId>(groups: Groups.Groups<K>, key: K, ids: readonly ClusterId[]): Groups.Groups<K> =>
  ids.reduce((acc, id) => Groups.join(acc, key, id, hash(id)), groups)

const clusterIds = (n: number): ClusterId[] => Array.from({ length: n }, (_, i) => `scale_job_fw_${i + 1}x1`)

const byCodeUnits = (ids: readonly ClusterId[]): ClusterId[] => [...ids].sort()

// A set of the given ids, as a group holds them.
const setOf = (ids: readonly ClusterId[]): HM.HashMap<ClusterId, true> =>
  ids.reduce<HM.HashMap<ClusterId, true>>((acc, id) => HM.set(acc, id, hash(id), true), HM.empty)

// Two job ids whose number hashes are equal (the low and high 32 bits cancel
// out), so that they share a collision node, iterated in insertion order.
const COLLIDING_JOBS = [0, 2 ** 32 + 1] as const

describe('node and job groups', () => {
  it('lists no member for a key without a group', () => {
    expect(Groups.membersOf(Groups.empty, 7)).toEqual([])
    expect(Groups.membersOf(joinAll(Groups.empty, 'node-a', clusterIds(2)), 'node-b')).toEqual([])
  })

  it('lists the members in cluster id order, not in hash order, whatever the order of the joins', () => {
    for (const n of [2, 3, 5, 40]) {
      const members = clusterIds(n)
      const sorted = byCodeUnits(members)
      for (const order of [members, [...members].reverse(), sorted]) {
        expect(Groups.membersOf(joinAll(Groups.empty, 3, order), 3)).toEqual(sorted)
      }
    }
    // The premise: the hashes alone would not give that order.
    expect(HM.keys(setOf(clusterIds(40)))).not.toEqual(byCodeUnits(clusterIds(40)))
  })

  it('joining a member again leaves its group as it was, a group of one still an id alone', () => {
    const [a, b] = clusterIds(2) as [ClusterId, ClusterId]
    const one = Groups.join(Groups.empty, 'node-a', a, hash(a))
    const oneAgain = Groups.join(one, 'node-a', a, hash(a))
    expect(Groups.membersOf(oneAgain, 'node-a')).toEqual([a])
    expect(Groups.brokenInvariants(oneAgain, 'byNode')).toEqual([])
    expect(Groups.equals(oneAgain, one)).toBe(true)
    const two = Groups.join(one, 'node-a', b, hash(b))
    const twoAgain = Groups.join(two, 'node-a', b, hash(b))
    expect(Groups.membersOf(twoAgain, 'node-a')).toEqual([a, b])
    expect(Groups.brokenInvariants(twoAgain, 'byNode')).toEqual([])
  })

  it('leaving takes the member out, a group of two becoming its other id, the last leaving no group', () => {
    const [a, b, c] = clusterIds(3) as [ClusterId, ClusterId, ClusterId]
    const three = joinAll(Groups.empty, 5, [a, b, c])
    const two = Groups.leave(three, 5, b, hash(b))
    expect(Groups.membersOf(two, 5)).toEqual([a, c])
    expect(Groups.brokenInvariants(two, 'byJob')).toEqual([])
    const one = Groups.leave(two, 5, a, hash(a))
    expect(Groups.membersOf(one, 5)).toEqual([c])
    expect(Groups.brokenInvariants(one, 'byJob')).toEqual([])
    const none = Groups.leave(one, 5, c, hash(c))
    expect(Groups.membersOf(none, 5)).toEqual([])
    expect(none.size).toBe(0)
    expect(Groups.equals(none, Groups.empty)).toBe(true)
  })

  it('leaving a group one is not in returns the very same groups', () => {
    const [a, b, c] = clusterIds(3) as [ClusterId, ClusterId, ClusterId]
    const one = joinAll(Groups.empty, 5, [a])
    const two = joinAll(Groups.empty, 5, [a, b])
    expect(Groups.leave(Groups.empty, 5, a, hash(a))).toBe(Groups.empty)
    expect(Groups.leave(one, 6, a, hash(a))).toBe(one)
    expect(Groups.leave(one, 5, b, hash(b))).toBe(one)
    expect(Groups.leave(two, 5, c, hash(c))).toBe(two)
  })

  it('equals compares the members under each key', () => {
    const [a, b, c] = clusterIds(3) as [ClusterId, ClusterId, ClusterId]
    const base = joinAll(joinAll(Groups.empty, 1, [a, b]), 2, [c])
    expect(Groups.equals(base, joinAll(joinAll(Groups.empty, 2, [c]), 1, [b, a]))).toBe(true)
    // A member missing, one more, one under another key of the same count, another key.
    expect(Groups.equals(base, joinAll(joinAll(Groups.empty, 1, [a]), 2, [c]))).toBe(false)
    expect(Groups.equals(base, joinAll(base, 2, [a]))).toBe(false)
    expect(Groups.equals(base, joinAll(joinAll(Groups.empty, 1, [a, c]), 2, [b]))).toBe(false)
    expect(Groups.equals(base, joinAll(joinAll(Groups.empty, 1, [a, b]), 3, [c]))).toBe(false)
    expect(Groups.equals(Groups.empty, base)).toBe(false)
  })

  it('equals does not depend on the order of the joins, even for keys of equal hashes', () => {
    const [a, b] = clusterIds(2) as [ClusterId, ClusterId]
    const [j0, j1] = COLLIDING_JOBS
    // The premise: the two keys share a hash, and the trie keeps keys of one
    // hash in their order, so both orders of joining list alike.
    expect(HM.hashNumber(j0)).toBe(HM.hashNumber(j1))
    const first = joinAll(joinAll(Groups.empty, j0, [a]), j1, [b])
    const second = joinAll(joinAll(Groups.empty, j1, [b]), j0, [a])
    expect(HM.keys(first)).toEqual(HM.keys(second))
    expect(Groups.equals(first, second)).toBe(true)
  })

  it('finds nothing broken in groups built by joins and leaves', () => {
    const ids = clusterIds(6)
    const [first, , third] = ids as [ClusterId, ClusterId, ClusterId]
    let groups = joinAll(joinAll(Groups.empty, 'node-a', ids), 'node-b', [first])
    groups = Groups.leave(groups, 'node-a', third, hash(third))
    expect(Groups.brokenInvariants(groups, 'byNode')).toEqual([])
  })

  it('catches a set of one, a miscounted set and a miscounted index, naming the index', () => {
    const [a, b] = clusterIds(2) as [ClusterId, ClusterId]
    const hashOf7 = HM.hashNumber(7)
    const setOfOne: Groups.Groups<number> = HM.set(HM.empty, 7, hashOf7, setOf([a]))
    expect(Groups.brokenInvariants(setOfOne, 'byJob')).toEqual(['the byJob group of 7 is a set of 1'])
    const miscountedSet: Groups.Groups<number> = HM.set(HM.empty, 7, hashOf7, { ...setOf([a, b]), size: 3 })
    expect(Groups.brokenInvariants(miscountedSet, 'byJob')).toEqual(['the byJob group of 7 miscounts its size'])
    const sound = joinAll(Groups.empty, 'node-a', [a, b])
    expect(Groups.brokenInvariants({ ...sound, size: 2 }, 'byNode')).toEqual(['the byNode index miscounts its size'])
  })
})
