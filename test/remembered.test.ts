// The finished cluster ids a manager remembers (src/internal/remembered.ts):
// each until its block leaves the metrics window, moved only to a later block,
// forgotten with its block (not with an earlier one it was moved from), the
// very same value back when nothing changes, and a check that catches what
// breaks the module's invariant.
import { describe, expect, it } from 'vitest'
import type { ClusterId } from '../src/ids'
import * as HM from '../src/internal/hashMap'
import * as L from '../src/internal/list'
import * as R from '../src/internal/remembered'
import { BLOCK_LENGTH, WINDOW_LENGTH } from '../src/metrics'
import { T0 } from './fixtures'

const hash = (id: ClusterId): number => HM.hashString(id)

// Block starts: S0 is T0's block, S1 and S2 the next two.
const S0 = T0
const S1 = T0 + BLOCK_LENGTH
const S2 = T0 + 2 * BLOCK_LENGTH

// The first instant at which the block at `start` is out of the window.
const leftAt = (start: number): number => start + BLOCK_LENGTH + WINDOW_LENGTH + 1

const rememberAll = (remembered: R.Remembered, items: ReadonlyArray<readonly [ClusterId, number]>): R.Remembered =>
  items.reduce((acc, [id, start]) => R.remember(acc, id, hash(id), start), remembered)

const notRunning = (): boolean => false

const [A, B, C] = ['scale_job_fw_1x1', 'scale_job_fw_2x1', 'scale_job_fw_3x1'] as const

describe('remembered cluster ids', () => {
  it('remembers an id with its block', () => {
    const remembered = R.remember(R.empty, A, hash(A), S0)
    expect(R.has(remembered, A, hash(A))).toBe(true)
    expect(R.has(remembered, B, hash(B))).toBe(false)
    expect(R.size(remembered)).toBe(1)
    expect(R.toRows(remembered)).toEqual([{ start: S0, clusterIds: [A] }])
    expect(R.brokenInvariants(remembered, S0, notRunning)).toEqual([])
  })

  it('leaves an id remembered until the same block or a later one as it is: the very same value', () => {
    const at1 = R.remember(R.empty, A, hash(A), S1)
    expect(R.remember(at1, A, hash(A), S1)).toBe(at1)
    expect(R.remember(at1, A, hash(A), S0)).toBe(at1)
  })

  it('moves an id remembered until an earlier block to the later one', () => {
    const at0 = R.remember(R.empty, A, hash(A), S0)
    const moved = R.remember(at0, A, hash(A), S1)
    expect(moved).not.toBe(at0)
    expect(R.size(moved)).toBe(1)
    expect(R.toRows(moved)).toEqual([{ start: S1, clusterIds: [A] }])
    expect(R.brokenInvariants(moved, S1, notRunning)).toEqual([])
  })

  it('keeps the groups ascending whatever order the blocks come in', () => {
    for (const order of [
      [S0, S1, S2],
      [S2, S1, S0],
      [S1, S0, S2],
      [S2, S0, S1],
    ]) {
      const items = order.map((start, i) => [[A, B, C][i] ?? A, start] as const)
      const remembered = rememberAll(R.empty, items)
      expect(remembered.groups.map((group) => group.start)).toEqual([S0, S1, S2])
      expect(R.brokenInvariants(remembered, S0, notRunning)).toEqual([])
    }
  })

  it('puts ids of one block in one group, listed in cluster id order', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `scale_job_fw_${i + 1}x1`)
    const remembered = rememberAll(
      R.empty,
      [...ids].reverse().map((id) => [id, S0] as const),
    )
    expect(remembered.groups).toHaveLength(1)
    expect(R.toRows(remembered)).toEqual([{ start: S0, clusterIds: [...ids].sort() }])
    expect(
      R.toRows(
        rememberAll(R.empty, [
          [B, S1],
          [A, S0],
          [C, S1],
        ]),
      ),
    ).toEqual([
      { start: S0, clusterIds: [A] },
      { start: S1, clusterIds: [B, C] },
    ])
  })

  it('reads back what it writes as rows', () => {
    const remembered = rememberAll(R.empty, [
      [B, S1],
      [A, S0],
      [C, S1],
    ])
    const restored = R.fromRows(R.toRows(remembered))
    expect(R.toRows(restored)).toEqual(R.toRows(remembered))
    expect(R.brokenInvariants(restored, S0, notRunning)).toEqual([])
    for (const id of [A, B, C]) expect(R.has(restored, id, hash(id))).toBe(true)
  })

  it('forgets nothing while every block is in the window: the very same value', () => {
    const remembered = rememberAll(R.empty, [
      [A, S0],
      [B, S1],
    ])
    expect(R.forget(remembered, S0)).toBe(remembered)
    expect(R.forget(remembered, leftAt(S0) - 1)).toBe(remembered)
    expect(R.forget(R.empty, leftAt(S2))).toBe(R.empty)
  })

  it('forgets the ids of the blocks that left the window, and only those', () => {
    const remembered = rememberAll(R.empty, [
      [A, S0],
      [B, S1],
      [C, S2],
    ])
    const now = leftAt(S1)
    const left = R.forget(remembered, now)
    expect(R.has(left, A, hash(A))).toBe(false)
    expect(R.has(left, B, hash(B))).toBe(false)
    expect(R.has(left, C, hash(C))).toBe(true)
    expect(R.toRows(left)).toEqual([{ start: S2, clusterIds: [C] }])
    expect(R.brokenInvariants(left, now, notRunning)).toEqual([])
    expect(R.size(R.forget(remembered, leftAt(S2)))).toBe(0)
  })

  it('does not forget an id with the earlier block it was moved from', () => {
    const moved = rememberAll(R.empty, [
      [A, S0],
      [B, S0],
      [A, S2],
    ])
    const now = leftAt(S0)
    const left = R.forget(moved, now)
    expect(R.has(left, A, hash(A))).toBe(true)
    expect(R.has(left, B, hash(B))).toBe(false)
    expect(R.brokenInvariants(left, now, notRunning)).toEqual([])
  })

  describe('its check', () => {
    const group = (start: number, ids: readonly ClusterId[]): R.Group => ({ start, ids: L.fromArray(ids) })
    const byIdOf = (items: ReadonlyArray<readonly [ClusterId, number]>): HM.HashMap<ClusterId, number> =>
      items.reduce<HM.HashMap<ClusterId, number>>((acc, [id, start]) => HM.set(acc, id, hash(id), start), HM.empty)

    it('catches groups that do not ascend, equal starts included', () => {
      for (const starts of [
        [S1, S0],
        [S1, S1],
      ] as const) {
        const remembered: R.Remembered = {
          byId: byIdOf([
            [A, starts[0]],
            [B, starts[1]],
          ]),
          groups: [group(starts[0], [A]), group(starts[1], [B])],
        }
        expect(R.brokenInvariants(remembered, S0, notRunning)).toEqual(['remembered groups are not ascending'])
      }
    })

    it('catches a group that left the window', () => {
      const remembered = rememberAll(R.empty, [[A, S0]])
      expect(R.brokenInvariants(remembered, leftAt(S0), notRunning)).toEqual([`remembered group ${S0} left the window`])
    })

    it('catches a remembered id that is running', () => {
      const remembered = rememberAll(R.empty, [
        [A, S0],
        [B, S0],
      ])
      expect(R.brokenInvariants(remembered, S0, (id) => id === B)).toEqual([
        `${B} is remembered as finished but running`,
      ])
    })

    it('catches an id missing from the group of its block', () => {
      // A is remembered until S1 but listed only in the group of S0.
      const remembered: R.Remembered = { byId: byIdOf([[A, S1]]), groups: [group(S0, [A]), group(S1, [])] }
      expect(R.brokenInvariants(remembered, S0, notRunning)).toEqual([`${A} is not in the group of its block ${S1}`])
      const unlisted: R.Remembered = { byId: byIdOf([[A, S0]]), groups: [] }
      expect(R.brokenInvariants(unlisted, S0, notRunning)).toEqual([`${A} is not in the group of its block ${S0}`])
    })

    it('catches a miscounted map', () => {
      const remembered = rememberAll(R.empty, [[A, S0]])
      const miscounted: R.Remembered = { ...remembered, byId: { ...remembered.byId, size: 2 } }
      expect(R.brokenInvariants(miscounted, S0, notRunning)).toEqual(['the remembered map miscounts its size'])
    })
  })
})
