// The lazy deadline index (src/internal/deadlineIndex.ts): its invariant holds
// over generated streams, and its check, which checkInvariants calls, catches
// an index that breaks it.
import { test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { type Execution, Ids, Manager } from '../src/index'
import * as Deadlines from '../src/internal/deadlineIndex'
import * as HM from '../src/internal/hashMap'
import { fromInternal, toInternal, withChanges } from '../src/internal/managerState'
import { checkInvariants, hostileEventStream } from '../src/testing'
import { runStream } from './fixtures'

const T0 = Date.UTC(2026, 0, 1)

const spec = (id: number): Execution.ExecutionSpec => ({
  id,
  clusterId: Ids.clusterId('fw1', 100 + id, 1),
  jobId: 100 + id,
  exeNum: 1,
  jobTypeId: 1,
  nodeId: 1,
  agentId: 'agent-1',
  queued: T0,
  started: T0,
  jobType: { name: 'ingest', isSystem: false, isLongRunning: false, timeout: 3_600_000 },
})

// Two executions whose staging tasks were launched at T0 and T0 + 1: two deadlines.
const launched = (): Manager.Manager => {
  let state = Manager.create(T0)
  state = Manager.reduce(state, { type: 'Scheduled', executions: [spec(1), spec(2)] }, T0)
  for (const [id, at] of [
    [1, T0],
    [2, T0 + 1],
  ] as const) {
    state = Manager.startNextTask(state, spec(id).clusterId, at)[1]
  }
  return state
}

describe('the deadline index', () => {
  test.prop([hostileEventStream()])('keeps its invariant after every event', (stream) => {
    runStream(stream, (state, index) => {
      const { deadlines, running } = toInternal(state)
      expect(Deadlines.brokenInvariants(deadlines, running), `after event ${index}`).toEqual([])
    })
  })

  it('is sound for two launched tasks, the first key exact', () => {
    const state = launched()
    const { deadlines, running } = toInternal(state)
    expect(Deadlines.brokenInvariants(deadlines, running)).toEqual([])
    expect(Deadlines.earliest(deadlines)).toBe(T0 + 30_001)
    expect(Deadlines.dueAt(deadlines, running, T0 + 30_002)).toEqual([spec(1).clusterId, spec(2).clusterId])
  })

  it('an earliest deadline that is not the first key is caught, by its check and by checkInvariants', () => {
    const state = toInternal(launched())
    const broken: Deadlines.DeadlineIndex = { ...state.deadlines, earliest: T0 + 30_000 }
    expect(Deadlines.brokenInvariants(broken, state.running)).toEqual([
      'the earliest deadline is not the first key',
      'the earliest deadline is not the earliest of the executions',
    ])
    expect(checkInvariants(fromInternal(withChanges(state, { deadlines: broken })))).toContain(
      'the earliest deadline is not the first key',
    )
  })

  it('an execution missing from the index is caught', () => {
    const state = toInternal(launched())
    const second = spec(2).clusterId
    const missing = Deadlines.update(
      state.deadlines,
      HM.remove(state.running, second, HM.hashString(second)),
      second,
      HM.hashString(second),
      undefined,
    )
    expect(Deadlines.brokenInvariants(missing, state.running)).toEqual([
      `the deadline of ${second} is not indexed at or before it`,
    ])
    expect(checkInvariants(fromInternal(withChanges(state, { deadlines: missing })))).toContain(
      `the deadline of ${second} is not indexed at or before it`,
    )
  })
})
