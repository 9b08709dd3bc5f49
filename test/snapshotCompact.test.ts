// The compact layout (snapshot version 3) of src/internal/snapshotCompact.ts,
// pinned by what its module comment documents: an execution row leaves its
// `extra` out when empty, node ids are written as they are (numbers or
// strings), the base of the instants is 0 when an offset from the smallest
// would not be a safe integer, and each refused value is named by its position
// in the row, quoted (a long value cut short).
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { Manager } from '../src/index'
import { toInternal } from '../src/internal/managerState'
import { integrityOf, toSnapshotV2 } from '../src/internal/snapshot'
import { executionSpec, T0 } from './fixtures'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const toJson = (value: unknown): Json => JSON.parse(JSON.stringify(value)) as Json

const written = (state: Manager.Manager): Record<string, Json> =>
  toJson(Manager.toSnapshot(state)) as Record<string, Json>

const row = (snapshot: Record<string, Json>, i: number): Json[] => {
  const found = (snapshot['running'] as Json[])[i]
  if (!Array.isArray(found)) throw new Error('expected a row')
  return found
}

const tables = (snapshot: Record<string, Json>): Record<string, Json> => snapshot['tables'] as Record<string, Json>

// The problems of the snapshot, resealed so that the decoder speaks rather than the integrity.
const problemsOf = (snapshot: Record<string, Json>): string[] => {
  const { integrity: _integrity, ...content } = snapshot
  const decoded = Manager.fromSnapshot({ ...content, integrity: integrityOf(content) })
  return E.isRight(decoded) ? [] : decoded.left.problems.map((p) => `${p.path}: ${p.message}`)
}

// Execution 1 (pull and main) with its pull task launched and RUNNING; execution 2 waiting.
const state = (): Manager.Manager => {
  const first = executionSpec(1, { taskTypes: ['pull', 'main'], priority: 3 })
  let s = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [first, executionSpec(2)] }, T0)
  s = Manager.reduce(s, { type: 'NextTaskStarted', clusterId: 'scale_job_fw_1x1' }, T0)
  s = Manager.reduce(s, { type: 'TaskLaunched', taskId: 'scale_job_fw_1x1_pull' }, T0 + 1_000)
  return Manager.reduce(
    s,
    { type: 'TaskUpdated', update: { taskId: 'scale_job_fw_1x1_pull', status: 'RUNNING', timestamp: T0 + 2_000 } },
    T0 + 2_000,
  )
}

// The launched pull task's row: [type, lostCount, flags, launched, started, lastStatusUpdate, ...].
const pull = (snapshot: Record<string, Json>): Json[] => {
  const task = (row(snapshot, 0)[13] as Json[])[0]
  if (!Array.isArray(task)) throw new Error('expected a task row')
  return task
}

describe('compact execution rows', () => {
  it('leave out an empty extra, and write one that is not', () => {
    const snapshot = written(state())
    expect(row(snapshot, 0)).toHaveLength(15)
    expect(row(snapshot, 0)[14]).toEqual({ priority: 3, current: 0 })
    // The waiting execution has no priority, error, instant or current task.
    expect(row(snapshot, 1)).toHaveLength(14)
    expect(problemsOf(snapshot)).toEqual([])
  })

  it('write a node id that is a string as it is, and restore it', () => {
    const spec = executionSpec(1, { nodeId: 'node-a' })
    const s = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [spec] }, T0)
    const snapshot = written(s)
    expect(row(snapshot, 0)[5]).toBe('node-a')
    const restored = Manager.fromSnapshot(snapshot)
    if (E.isLeft(restored)) throw new Error(restored.left.message)
    expect(Manager.runningExecutions(restored.right).map((e) => e.nodeId)).toEqual(['node-a'])
    expect(written(restored.right)).toEqual(snapshot)
  })

  it('write instants verbatim (base 0) when the largest comes first and an offset would not be a safe integer', () => {
    const spec = (n: number, at: number): Manager.ManagerEvent => ({
      type: 'Scheduled',
      executions: [executionSpec(n, { queued: at, started: at })],
    })
    // Rows are in cluster id order: the largest instant is seen first, the smallest last.
    let s = Manager.reduce(Manager.create(0), spec(1, Number.MAX_SAFE_INTEGER), 0)
    s = Manager.reduce(s, spec(2, -Number.MAX_SAFE_INTEGER), 0)
    const snapshot = written(s)
    expect(tables(snapshot)['base']).toBe(0)
    expect(row(snapshot, 0)[7]).toBe(Number.MAX_SAFE_INTEGER)
    expect(row(snapshot, 1)[7]).toBe(-Number.MAX_SAFE_INTEGER)
    expect(problemsOf(snapshot)).toEqual([])
  })
})

describe('compact rows refused', () => {
  const refusalOf = (edit: (snapshot: Record<string, Json>) => void): string[] => {
    const snapshot = written(state())
    edit(snapshot)
    return problemsOf(snapshot)
  }

  it('name the position of a job type id, a node id or a priority of the wrong kind', () => {
    expect(refusalOf((s) => (row(s, 0)[4] = 'x'))).toEqual(['running.0.4: expected an integer, got "x"'])
    expect(refusalOf((s) => (row(s, 0)[5] = 1.5))).toEqual(['running.0.5: expected an integer, got 1.5'])
    expect(refusalOf((s) => (row(s, 0)[14] = { priority: 'high', current: 0 }))).toEqual([
      'running.0.14.priority: expected a finite number, got "high"',
    ])
  })

  it('name the position of a task field of the wrong kind', () => {
    expect(refusalOf((s) => (pull(s)[5] = 'x'))).toEqual(['running.0.13.0.5: expected an offset (an integer), got "x"'])
    expect(refusalOf((s) => pull(s).push(null, null, 0.5))).toEqual(['running.0.13.0.8: expected an integer, got 0.5'])
    expect(refusalOf((s) => pull(s).push(null, null, null, 7))).toEqual(['running.0.13.0.9: expected a string, got 7'])
  })

  it('quote a value of up to 40 characters whole, and a longer one cut to 37 and an ellipsis', () => {
    const forty = `"${'a'.repeat(38)}"`
    expect(forty).toHaveLength(40)
    expect(refusalOf((s) => (row(s, 0)[4] = 'a'.repeat(38)))).toEqual([
      `running.0.4: expected an integer, got ${forty}`,
    ])
    expect(refusalOf((s) => (row(s, 0)[4] = 'a'.repeat(39)))).toEqual([
      `running.0.4: expected an integer, got "${'a'.repeat(36)}...`,
    ])
  })
})

describe('snapshots of either layout', () => {
  it('write the running executions sorted by cluster id, whatever the order they were scheduled in', () => {
    // Cluster ids of their own (written as they are), so that the rows' order shows plainly.
    const ids = ['m', 'c', 'x', 'a', 'q', 'b', 'z', 'k', 'e', 'w', 'd', 'p', 'f', 'y', 'g', 'o', 'h', 'n', 'i', 'j']
    const scheduled = (order: readonly string[]): Manager.Manager =>
      Manager.reduce(
        Manager.create(T0),
        {
          type: 'Scheduled',
          executions: order.map((id) => executionSpec(ids.indexOf(id) + 1, { clusterId: `scale_job_${id}_9x9` })),
        },
        T0,
      )
    const sorted = [...ids].sort()
    for (const order of [ids, [...ids].reverse(), sorted]) {
      const state = scheduled(order)
      expect(toSnapshotV2(toInternal(state)).running.map((e) => e.clusterId)).toEqual(
        sorted.map((id) => `scale_job_${id}_9x9`),
      )
      expect(written(state)).toEqual(written(scheduled(sorted)))
    }
  })
})
