// The check of the manager's indexes (brokenInvariants in
// src/internal/indexMaintenance.ts, which checkInvariants calls): each index
// compared with the same running executions indexed afresh, whatever order
// the hashes list them in, and each structure's own invariant.
import { describe, expect, it } from 'vitest'
import { Manager } from '../src/index'
import type { ClusterId } from '../src/ids'
import * as HM from '../src/internal/hashMap'
import { brokenInvariants } from '../src/internal/indexMaintenance'
import { rebuild } from '../src/internal/lifecycle'
import { type ManagerState, toInternal, withChanges } from '../src/internal/managerState'
import * as Groups from '../src/internal/nodeJobGroups'
import * as SM from '../src/internal/sortedMap'
import { executionSpec, T0, withRunning } from './fixtures'

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const treeOf = (ids: readonly ClusterId[]): SM.Tree<ClusterId, true> =>
  SM.fromEntries(
    ids.map((id) => [id, true] as const),
    compareStrings,
  )

const readyOf = (ids: readonly ClusterId[]): HM.HashMap<ClusterId, true> =>
  ids.reduce<HM.HashMap<ClusterId, true>>((acc, id) => HM.set(acc, id, HM.hashString(id), true), HM.empty)

// Two cluster ids of equal string hashes, and two execution ids of equal number
// hashes: the trie keeps each pair in the order it was set in.
const COLLIDING_CLUSTER_IDS = ['scale_job_fw_229599x1', 'scale_job_fw_432382x1'] as const
const COLLIDING_EXECUTION_IDS = [0, 2 ** 32 + 1] as const

const empty = (): ManagerState => toInternal(Manager.create(T0))

// Two executions running, and the same indexed afresh.
const twoRunning = (): { readonly state: ManagerState; readonly rebuilt: ManagerState } => {
  const manager = withRunning([executionSpec(1), executionSpec(2, { nodeId: 2 })])
  const state = toInternal(manager)
  return { state, rebuilt: rebuild(state.settings, state.metrics.now, Manager.runningExecutions(manager)) }
}

describe('the index check', () => {
  it('finds nothing broken in a state and its rebuild', () => {
    const { state, rebuilt } = twoRunning()
    expect(brokenInvariants(state, rebuilt)).toEqual([])
    expect(brokenInvariants(empty(), empty())).toEqual([])
  })

  it('catches a miscounted running map', () => {
    const { state, rebuilt } = twoRunning()
    const miscounted = withChanges(state, { running: { ...state.running, size: state.running.size + 1 } })
    expect(brokenInvariants(miscounted, rebuilt)).toContain('the running map miscounts its size')
  })

  for (const name of ['toKill', 'forced'] as const) {
    it(`catches a ${name} index that disagrees with the running set: one more, one fewer, another`, () => {
      const [a, b] = ['scale_job_fw_1x1', 'scale_job_fw_2x1']
      const disagrees = `the ${name} index disagrees with the running set`
      const check = (mine: readonly ClusterId[], fresh: readonly ClusterId[]): string[] =>
        brokenInvariants(
          withChanges(empty(), { [name]: treeOf(mine) }),
          withChanges(empty(), { [name]: treeOf(fresh) }),
        )
      expect(check([a, b], [a, b])).toEqual([])
      expect(check([a, b], [a])).toEqual([disagrees])
      expect(check([a], [a, b])).toEqual([disagrees])
      expect(check([a], [b])).toEqual([disagrees])
      expect(check([], [a])).toEqual([disagrees])
    })

    it(`catches a ${name} tree out of order`, () => {
      const [a, b] = ['scale_job_fw_1x1', 'scale_job_fw_2x1']
      // a at the root with the greater b on its left: not a search tree.
      const unordered: SM.Tree<ClusterId, true> = {
        key: a,
        value: true,
        left: { key: b, value: true, left: null, right: null, size: 1 },
        right: null,
        size: 2,
      }
      const state = withChanges(empty(), { [name]: unordered })
      expect(brokenInvariants(state, state)).toEqual([`the ${name} tree is not balanced and ordered`])
    })
  }

  it('catches a node or job index that disagrees with the running set, or breaks its own invariant', () => {
    const { state, rebuilt } = twoRunning()
    const [first] = Manager.runningExecutions(withRunning([executionSpec(1)]))
    if (first === undefined) throw new Error('no execution running')
    const id = first.clusterId
    const hash = HM.hashString(id)
    expect(brokenInvariants(withChanges(state, { byNode: Groups.leave(state.byNode, 1, id, hash) }), rebuilt)).toEqual([
      'the byNode index disagrees with the running set',
    ])
    expect(brokenInvariants(withChanges(state, { byJob: Groups.leave(state.byJob, 1, id, hash) }), rebuilt)).toEqual([
      'the byJob index disagrees with the running set',
    ])
    const miscounted = { ...state.byJob, size: state.byJob.size + 1 }
    expect(brokenInvariants(withChanges(state, { byJob: miscounted }), rebuilt)).toEqual([
      'the byJob index miscounts its size',
    ])
  })

  it('catches a ready or execution id index that disagrees with the running set', () => {
    const { state, rebuilt } = twoRunning()
    const extra = 'scale_job_fw_3x1'
    expect(
      brokenInvariants(withChanges(state, { ready: HM.set(state.ready, extra, HM.hashString(extra), true) }), rebuilt),
    ).toEqual(['the ready index disagrees with the running set'])
    const byExecutionId = HM.set(state.byExecutionId, 3, HM.hashNumber(3), extra)
    expect(brokenInvariants(withChanges(state, { byExecutionId }), rebuilt)).toEqual([
      'the byExecutionId index disagrees with the running set',
    ])
  })

  it('lets ready and execution id indexes of the same keys agree whatever order keys of equal hashes were set in', () => {
    const [a, b] = COLLIDING_CLUSTER_IDS
    const [e0, e1] = COLLIDING_EXECUTION_IDS
    // The premise: each pair shares a hash, and a collision node keeps its keys
    // in order, so the two orders of setting give one map.
    expect(HM.hashString(a)).toBe(HM.hashString(b))
    expect(HM.hashNumber(e0)).toBe(HM.hashNumber(e1))
    const ready = [readyOf([a, b]), readyOf([b, a])] as const
    expect(ready[0]).toEqual(ready[1])
    expect(
      brokenInvariants(withChanges(empty(), { ready: ready[0] }), withChanges(empty(), { ready: ready[1] })),
    ).toEqual([])
    const byIds = (order: readonly number[]): HM.HashMap<number, ClusterId> =>
      order.reduce<HM.HashMap<number, ClusterId>>((acc, n) => HM.set(acc, n, HM.hashNumber(n), a), HM.empty)
    const state = withChanges(empty(), { byExecutionId: byIds([e0, e1]) })
    expect(brokenInvariants(state, withChanges(empty(), { byExecutionId: byIds([e1, e0]) }))).toEqual([])
  })
})
