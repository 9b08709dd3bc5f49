// Snapshots: a restored manager goes on exactly as the one that was saved, and
// broken or tampered snapshots are refused with a readable Left, in what
// toSnapshot writes (version 3) and in version 2, which still restores.
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { Manager } from '../src/index'
import { checkInvariants, hostileEventStream, type TimedEvent } from '../src/testing'
import { toInternal } from '../src/internal/managerState'
import { integrityOf, toSnapshotV2 } from '../src/internal/snapshot'
import { executionSpec, runStream, T0 } from './fixtures'

const NODES = [1, 2, 3, 4, 5, 'no-such-node']

interface Observation {
  readonly messages: readonly unknown[]
  readonly running: readonly string[]
  readonly kill: readonly string[]
  readonly reconcile: readonly string[]
  readonly deadline: unknown
  readonly status: unknown
}

const observe = (state: Manager.Manager, now: number): [Observation, Manager.Manager] => {
  const [messages, drained] = Manager.drain(state, now)
  return [
    {
      messages,
      running: Manager.runningExecutions(drained).map((x) => x.clusterId),
      kill: Manager.tasksToKill(drained).map((t) => t.id),
      reconcile: Manager.tasksToReconcile(drained, now).map((t) => t.id),
      deadline: Manager.nextDeadline(drained),
      status: Manager.statusJson(drained, NODES, now),
    },
    drained,
  ]
}

const continueFrom = (state: Manager.Manager, events: readonly TimedEvent[]): string[] => {
  const seen: string[] = []
  let current = state
  for (const { now, event } of events) {
    const [observation, drained] = observe(Manager.reduce(current, event, now), now)
    seen.push(JSON.stringify(observation))
    current = drained
  }
  return seen
}

const v2 = (state: Manager.Manager): Manager.SnapshotV2 => toSnapshotV2(toInternal(state))

const restore = (
  state: Manager.Manager,
  write: (state: Manager.Manager) => unknown = Manager.toSnapshot,
): Manager.Manager => {
  const restored = Manager.fromSnapshot(JSON.parse(JSON.stringify(write(state))))
  if (E.isLeft(restored)) throw new Error(restored.left.message)
  return restored.right
}

describe('snapshots', () => {
  test.prop([hostileEventStream({ maxLength: 100 }), fc.nat()])(
    'restoring at any point and going on gives the same messages, queries and status JSON',
    (stream, cut) => {
      const at = stream.events.length === 0 ? 0 : cut % (stream.events.length + 1)
      const head = { start: stream.start, events: stream.events.slice(0, at) }
      const tail = stream.events.slice(at)
      const saved = runStream(head)
      const expected = continueFrom(saved, tail)
      for (const write of [Manager.toSnapshot, v2]) {
        const restored = restore(saved, write)
        expect(checkInvariants(restored)).toEqual([])
        expect(continueFrom(restored, tail)).toEqual(expected)
      }
    },
  )

  test.prop([hostileEventStream({ maxLength: 60 })])(
    'a snapshot of a restored state is the same snapshot',
    (stream) => {
      const state = runStream(stream)
      const snapshot = JSON.stringify(Manager.toSnapshot(state))
      expect(JSON.stringify(Manager.toSnapshot(restore(state)))).toBe(snapshot)
      expect(JSON.stringify(v2(restore(state, v2)))).toBe(JSON.stringify(v2(state)))
      // Version 2 restored, toSnapshot writes version 3 of the same state.
      expect(JSON.stringify(Manager.toSnapshot(restore(state, v2)))).toBe(snapshot)
    },
  )

  test.prop([fc.jsonValue()])('decoding arbitrary JSON never throws', (json) => {
    expect(() => Manager.fromSnapshot(json)).not.toThrow()
  })
})

describe('broken snapshots are refused', () => {
  const busyState = (): Manager.Manager => {
    const spec = {
      id: 1,
      clusterId: 'scale_job_fw_1x1',
      jobId: 1,
      exeNum: 1,
      jobTypeId: 2,
      nodeId: 3,
      agentId: 'a',
      queued: 0,
      started: 0,
      jobType: { name: 'j', isSystem: false, isLongRunning: false, timeout: 60_000 },
    }
    let state = Manager.create(0)
    state = Manager.reduce(
      state,
      { type: 'Scheduled', executions: [spec, { ...spec, id: 2, clusterId: 'scale_job_fw_2x1', jobId: 2 }] },
      0,
    )
    state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: 'scale_job_fw_2x1' }, 0)
    state = Manager.reduce(state, { type: 'TaskLaunched', taskId: 'scale_job_fw_2x1_pull' }, 0)
    state = Manager.reduce(state, { type: 'NodeLost', nodeId: 3 }, 10)
    return Manager.reduce(
      state,
      { type: 'Scheduled', executions: [{ ...spec, id: 3, clusterId: 'scale_job_fw_3x1', jobId: 3 }] },
      20,
    )
  }
  const json = (snapshot: unknown): Record<string, unknown> =>
    JSON.parse(JSON.stringify(snapshot)) as Record<string, unknown>
  // The busy state in version 2 (executions as objects) and in version 3 (as rows).
  const busy = (): Record<string, unknown> => json(v2(busyState()))
  const compact = (): Record<string, unknown> => json(Manager.toSnapshot(busyState()))
  const LAYOUTS = [
    ['version 2', busy],
    ['version 3', compact],
  ] as const

  // The snapshot with its integrity recomputed, as a careful editor would.
  const reseal = (json: unknown): unknown => {
    const content = json as Record<string, unknown>
    return { ...content, integrity: integrityOf(content) }
  }

  const refusal = (json: unknown, sealed = true): string => {
    const decoded = Manager.fromSnapshot(sealed ? reseal(json) : json)
    if (E.isRight(decoded)) return 'accepted'
    return decoded.left.problems.map((p) => `${p.path}: ${p.message}`).join('\n')
  }

  it.each(LAYOUTS)('accepts the untouched snapshot, %s', (_, busy) => {
    expect(refusal(busy())).toBe('accepted')
  })

  it.each(LAYOUTS)('refuses a wrong version, %s', (_, busy) => {
    expect(refusal({ ...busy(), snapshotVersion: 4 })).toMatch(/snapshotVersion/)
  })

  it.each(LAYOUTS)('refuses a truncated snapshot, %s', (_, busy) => {
    const text = JSON.stringify(busy())
    let parsed: unknown
    try {
      parsed = JSON.parse(text.slice(0, text.length / 2) + '}')
    } catch {
      parsed = text.slice(0, text.length / 2)
    }
    expect(refusal(parsed)).not.toBe('accepted')
    const { outbox: _outbox, ...withoutOutbox } = busy()
    expect(refusal(withoutOutbox)).toMatch(/outbox/)
  })

  it('refuses mistyped fields, naming their path', () => {
    const snapshot = busy()
    const running = snapshot['running'] as Array<Record<string, unknown>>
    running[0] = { ...running[0], nodeId: true }
    expect(refusal(snapshot)).toMatch(/running\.0\.nodeId/)
    const rows = compact()
    const [row] = rows['running'] as unknown[][]
    if (row === undefined) throw new Error('expected a row')
    row[5] = true
    expect(refusal(rows)).toMatch(/running\.0\.5: expected an integer/)
  })

  it.each(LAYOUTS)('refuses running counts that disagree with the running executions, %s', (_, busy) => {
    const snapshot = busy()
    const metrics = snapshot['metrics'] as { running: unknown[][] }
    const first = metrics.running[0]
    if (first === undefined) throw new Error('expected a running count')
    metrics.running[0] = [first[0], first[1], first[2], 7]
    expect(refusal(snapshot)).toMatch(/metrics\.running: counts disagree/)
  })

  it.each(LAYOUTS)('refuses negative and zero counts, %s', (_, busy) => {
    for (const n of [-1, 0]) {
      const snapshot = busy()
      const metrics = snapshot['metrics'] as { running: unknown[][] }
      const first = metrics.running[0]
      if (first === undefined) throw new Error('expected a running count')
      metrics.running[0] = [first[0], first[1], first[2], n]
      expect(refusal(snapshot)).toMatch(/metrics\.running\.0\.3/)
    }
  })

  it('refuses a duplicate or a finished execution', () => {
    const snapshot = busy()
    const running = snapshot['running'] as unknown[]
    expect(refusal({ ...snapshot, running: [...running, running[0]] })).toMatch(/appears twice/)
    const finished = {
      ...(running[0] as Record<string, unknown>),
      current: undefined,
      next: 4,
      status: 'CANCELED',
      finished: 5,
    }
    expect(refusal({ ...snapshot, running: [finished, ...running.slice(1)] })).toMatch(/is finished/)
    const rows = compact()
    const [row, ...others] = rows['running'] as unknown[][]
    if (row === undefined) throw new Error('expected a row')
    expect(refusal({ ...rows, running: [row, row, ...others] })).toMatch(/running\.1\.1: appears twice/)
    // 3: CANCELED; finished 5 ms after the base.
    const finishedRow = [...row.slice(0, 11), 3, 4, row[13], { finished: 5 }]
    expect(refusal({ ...rows, running: [finishedRow, ...others] })).toMatch(/running\.0: is finished/)
  })

  it.each(LAYOUTS)('refuses blocks that are misaligned or out of the window, %s', (_, busy) => {
    const snapshot = busy()
    const metrics = snapshot['metrics'] as Record<string, unknown>
    const counts = [[3, 'completed', 2, 1]]
    expect(refusal({ ...snapshot, metrics: { ...metrics, blocks: [{ start: 7, counts }] } })).toMatch(/5-minute/)
    expect(
      refusal({ ...snapshot, metrics: { ...metrics, now: 4 * 3_600_000, blocks: [{ start: 0, counts }] } }),
    ).toMatch(/left the window/)
  })
})

// The outbox holds no invariant across its parts (src/internal/outbox.ts): a
// snapshot restores whatever was queued, and drain gives all of it.
describe('a restored outbox', () => {
  // Execution 1 completed, execution 2 failed: an end record each, a completed and a failed job.
  const finished = (): Manager.Manager => {
    const executions = [1, 2].map((n) => executionSpec(n))
    let state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions }, T0)
    for (const [n, status, exitCode] of [
      [1, 'FINISHED', 0],
      [2, 'FAILED', 1],
    ] as const) {
      const taskId = `scale_job_fw_${n}x1_main`
      state = Manager.startNextTask(state, `scale_job_fw_${n}x1`, T0)[1]
      state = Manager.reduce(
        state,
        { type: 'TaskUpdated', update: { taskId, status, timestamp: T0 + 5, exitCode } },
        T0 + 5,
      )
    }
    return state
  }
  // The snapshot with only the named part of its outbox kept, sealed again.
  const keeping = (part: 'completed' | 'failed'): unknown => {
    const { integrity: _integrity, ...content } = JSON.parse(JSON.stringify(Manager.toSnapshot(finished()))) as {
      readonly integrity: unknown
      readonly outbox: Record<string, unknown>
    }
    const outbox = { ...content.outbox, ends: [], completed: [], failed: [], [part]: content.outbox[part] }
    const edited = { ...content, outbox }
    return { ...edited, integrity: integrityOf(edited) }
  }

  it.each([
    ['completed', 'CompletedJobs'],
    ['failed', 'FailedJobs'],
  ] as const)('drains its %s jobs when nothing else is queued', (part, type) => {
    const restored = Manager.fromSnapshot(keeping(part))
    if (E.isLeft(restored)) throw restored.left
    const [messages, drained] = Manager.drain(restored.right, T0 + 10)
    expect(messages.map((m) => (Manager.isMessage(m) ? m.type : m))).toEqual([type])
    expect(Manager.drain(drained, T0 + 10)[0]).toEqual([])
  })
})
