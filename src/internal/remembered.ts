/**
 * The cluster ids a manager remembers after their execution finished (or their
 * end record went out), so that an event delivered again does not run or count
 * it twice: hosts get at-least-once delivery from every real engine.
 *
 * Each id is remembered with the start of a 5-minute block at or after its end,
 * and forgotten with that block, when the block leaves the metrics window: so
 * an id is remembered at least as long as its end counts in the metrics. The
 * ids are grouped by block, so that forgetting costs O(1) per id (amortised)
 * when a block leaves, never a scan. `byId` is authoritative: an id moved to a
 * later block stays in its earlier group's list, and is skipped there when
 * that block leaves.
 *
 * Persistent like the rest of the state: nothing is written in place, and an
 * operation that changes nothing returns the very same value.
 *
 * @internal
 * @module
 */
import type { ClusterId, Instant } from '../ids'
import { isBlockInWindow } from '../metrics'
import * as HM from './hashMap'
import * as L from './list'

/** The ids of one block (possibly with some since moved to a later block). */
export interface Group {
  readonly start: Instant
  readonly ids: L.List<ClusterId>
}

/** What is remembered. */
export interface Remembered {
  /** Each remembered id, with the start of the block it is forgotten with. */
  readonly byId: HM.HashMap<ClusterId, Instant>
  /** The groups, ascending by start. */
  readonly groups: readonly Group[]
}

/** Nothing remembered. */
export const empty: Remembered = { byId: HM.empty, groups: [] }

/** Whether the id is remembered. */
export const has = (remembered: Remembered, id: ClusterId, hash: number): boolean =>
  HM.get(remembered.byId, id, hash) !== undefined

/**
 * Remembers `id` until the block at `start` leaves the window; an id already
 * remembered until then or later is left as it is (the very same value).
 */
export const remember = (remembered: Remembered, id: ClusterId, hash: number, start: Instant): Remembered => {
  const known = HM.get(remembered.byId, id, hash)
  if (known !== undefined && known >= start) return remembered
  const groups = remembered.groups
  let index = groups.length
  while (index > 0 && (groups[index - 1]?.start ?? -Infinity) > start) index--
  const existing = groups[index - 1]
  const copy = groups.slice()
  if (existing !== undefined && existing.start === start) {
    copy[index - 1] = { start, ids: L.append(existing.ids, id) }
  } else {
    copy.splice(index, 0, { start, ids: L.append(null, id) })
  }
  return { byId: HM.set(remembered.byId, id, hash, start), groups: copy }
}

/** Forgets the ids of the blocks that left the window at `now` (the very same value when none did). */
export const forget = (remembered: Remembered, now: Instant): Remembered => {
  const groups = remembered.groups
  let firstKept = 0
  let byId = remembered.byId
  while (firstKept < groups.length) {
    const group = groups[firstKept]
    if (group === undefined || isBlockInWindow(group.start, now)) break
    for (let at = group.ids; at !== null; at = at.tail) {
      const hash = HM.hashString(at.head)
      if (HM.get(byId, at.head, hash) === group.start) byId = HM.remove(byId, at.head, hash)
    }
    firstKept++
  }
  return firstKept === 0 ? remembered : { byId, groups: groups.slice(firstKept) }
}

/** One block's ids, as a snapshot stores them. */
export interface Row {
  readonly start: Instant
  readonly clusterIds: readonly ClusterId[]
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** The remembered ids by block, ascending, each block's ids sorted. */
export const toRows = (remembered: Remembered): Row[] => {
  const byStart = new Map<Instant, ClusterId[]>()
  HM.forEach(remembered.byId, (id, start) => {
    const ids = byStart.get(start)
    if (ids === undefined) byStart.set(start, [id])
    else ids.push(id)
  })
  return [...byStart.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, clusterIds]) => ({ start, clusterIds: clusterIds.sort(compareStrings) }))
}

/** Remembered ids from rows (checked by the caller). */
export const fromRows = (rows: readonly Row[]): Remembered => {
  let byId: HM.HashMap<ClusterId, Instant> = HM.empty
  const groups: Group[] = []
  for (const row of rows) {
    for (const id of row.clusterIds) byId = HM.set(byId, id, HM.hashString(id), row.start)
    groups.push({ start: row.start, ids: L.fromArray(row.clusterIds) })
  }
  return { byId, groups }
}

/** How many ids are remembered. */
export const size = (remembered: Remembered): number => remembered.byId.size

/**
 * What is broken in what is remembered at `now`, each as a sentence: a
 * remembered id must not be running (`isRunning`), and must be in the group of
 * its block; the groups ascend and are in the window.
 */
export const brokenInvariants = (
  remembered: Remembered,
  now: Instant,
  isRunning: (id: ClusterId) => boolean,
): string[] => {
  const broken: string[] = []
  const { byId, groups } = remembered
  const listed = new Map<string, number[]>()
  groups.forEach((group, i) => {
    const previous = groups[i - 1]
    if (previous !== undefined && previous.start >= group.start) broken.push('remembered groups are not ascending')
    if (!isBlockInWindow(group.start, now)) broken.push(`remembered group ${group.start} left the window`)
    for (let at = group.ids; at !== null; at = at.tail)
      listed.set(at.head, [...(listed.get(at.head) ?? []), group.start])
  })
  HM.forEach(byId, (id, start) => {
    if (isRunning(id)) broken.push(`${id} is remembered as finished but running`)
    if (!(listed.get(id) ?? []).includes(start)) broken.push(`${id} is not in the group of its block ${start}`)
  })
  if (byId.size !== HM.keys(byId).length) broken.push('the remembered map miscounts its size')
  return broken
}
