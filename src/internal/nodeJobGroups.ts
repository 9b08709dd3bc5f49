/**
 * Sets of cluster ids by a node or job id, so that `NodeLost` and `JobsSynced`
 * visit only the executions they concern: a hash map of hash sets, a group of
 * one being its cluster id alone (a job mostly has one execution running), so
 * that an execution costs one small entry, not a tree node and a key pair.
 *
 * Its invariant, which {@link brokenInvariants} checks: a group of one is its
 * id alone, never a set of one, and there is no empty group.
 *
 * @internal
 * @module
 */
import type { ClusterId, NodeId } from '../ids'
import { compareCanonicalIds } from '../ids'
import * as HM from './hashMap'

/** The groups, by node or job id. */
export type Groups<K> = HM.HashMap<K, ClusterId | HM.HashMap<ClusterId, true>>

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const hashOfId = (key: NodeId): number => (typeof key === 'number' ? HM.hashNumber(key) : HM.hashString(key))

/** No group. */
export const empty: Groups<never> = HM.empty

/** The groups with `id` (of hash `idHash`) in the group of `key`. */
export const join = <K extends NodeId>(groups: Groups<K>, key: K, id: ClusterId, idHash: number): Groups<K> => {
  const hash = hashOfId(key)
  const members = HM.get(groups, key, hash)
  if (members === undefined) return HM.set(groups, key, hash, id)
  if (typeof members !== 'string') return HM.set(groups, key, hash, HM.set(members, id, idHash, true))
  if (members === id) return groups
  const pair = HM.set(HM.set(HM.empty, members, HM.hashString(members), true), id, idHash, true)
  return HM.set(groups, key, hash, pair)
}

/**
 * The groups of the distinct cluster ids `ids` (of hashes `idHashes`), each
 * in the group of `keys[i]`, built at once.
 */
export const fromMembers = <K extends NodeId>(
  keys: readonly K[],
  ids: readonly ClusterId[],
  idHashes: readonly number[],
): Groups<K> => {
  const byKey = new Map<K, number[]>()
  keys.forEach((key, i) => {
    const members = byKey.get(key)
    if (members === undefined) byKey.set(key, [i])
    else members.push(i)
  })
  const groupKeys: K[] = []
  const groupHashes: number[] = []
  const groups: Array<ClusterId | HM.HashMap<ClusterId, true>> = []
  for (const [key, members] of byKey) {
    groupKeys.push(key)
    groupHashes.push(hashOfId(key))
    const memberIds = members.map((i) => ids[i] ?? '')
    groups.push(
      memberIds.length === 1
        ? (memberIds[0] ?? '')
        : HM.setOfDistinct(
            members.map((i) => idHashes[i] ?? 0),
            memberIds,
          ),
    )
  }
  return HM.fromDistinct(groupHashes, groupKeys, groups)
}

/** The groups with `id` (of hash `idHash`) out of the group of `key`; the very same groups when it was not in it. */
export const leave = <K extends NodeId>(groups: Groups<K>, key: K, id: ClusterId, idHash: number): Groups<K> => {
  const hash = hashOfId(key)
  const members = HM.get(groups, key, hash)
  if (members === undefined) return groups
  if (typeof members === 'string') return members === id ? HM.remove(groups, key, hash) : groups
  const left = HM.remove(members, id, idHash)
  if (left === members) return groups
  // A set holds two or more, so a set of one is left only here: its one key is a short listing.
  const [only] = left.size === 1 ? HM.keys(left) : []
  return HM.set(groups, key, hash, only ?? left)
}

/**
 * The cluster ids in the group of `key`, in cluster id order, so that what an
 * event does to a group's executions does not depend on the hashes.
 */
export const membersOf = <K extends NodeId>(groups: Groups<K>, key: K): ClusterId[] => {
  const members = HM.get(groups, key, hashOfId(key))
  if (members === undefined) return []
  return typeof members === 'string' ? [members] : HM.keys(members).sort(compareStrings)
}

// Each group in key order, its members sorted.
const listing = <K extends NodeId>(groups: Groups<K>): Array<readonly [K, readonly ClusterId[]]> => {
  const rows: Array<readonly [K, readonly ClusterId[]]> = []
  HM.forEach(groups, (key) => rows.push([key, membersOf(groups, key)]))
  return rows.sort(([a], [b]) => compareCanonicalIds(a, b))
}

/** Whether two group indexes hold the same members under the same keys. */
export const equals = <K extends NodeId>(a: Groups<K>, b: Groups<K>): boolean =>
  JSON.stringify(listing(a)) === JSON.stringify(listing(b))

/** What of the invariant (see the module) the groups break, each as a sentence naming the index `name`. */
export const brokenInvariants = <K extends NodeId>(groups: Groups<K>, name: string): string[] => {
  const broken: string[] = []
  if (groups.size !== HM.keys(groups).length) broken.push(`the ${name} index miscounts its size`)
  HM.forEach(groups, (key, members) => {
    if (typeof members === 'string') return
    if (members.size < 2) broken.push(`the ${name} group of ${String(key)} is a set of ${members.size}`)
    if (members.size !== HM.keys(members).length) broken.push(`the ${name} group of ${String(key)} miscounts its size`)
  })
  return broken
}
