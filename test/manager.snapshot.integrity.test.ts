// Snapshots that cannot lie: the integrity catches any value changed, and the
// structural checks refuse, with a path, whatever no reachable state holds.
// A snapshot accepted is exactly what the writer of its version gives of the
// state restored from it: `toSnapshot` (version 3) or the internal version-2
// writer, for the version that still restores. Every inconsistency is shown in
// both layouts.
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { Manager, Metrics } from '../src/index'
import * as C from '../src/internal/canonical'
import { toInternal } from '../src/internal/managerState'
import { integrityOf, toSnapshotV2 } from '../src/internal/snapshot'
import { encode, FINAL_STATUS_CODES, STATUS_CODES } from '../src/internal/snapshotCompact'
import type { Execution, ListedExecution } from '../src/execution'
import { checkInvariants, hostileEventStream, type EventStream } from '../src/testing'
import { runStream, executionSpec, jobType, T0 } from './fixtures'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Path = ReadonlyArray<string | number>

const toJson = (value: unknown): Json => JSON.parse(JSON.stringify(value)) as Json

const reseal = (json: Json): Json => {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json
  const { integrity: _integrity, ...content } = json
  return { ...content, integrity: integrityOf(content) }
}

const problemsOf = (json: unknown): string => {
  const decoded = Manager.fromSnapshot(json)
  return E.isRight(decoded) ? 'accepted' : decoded.left.problems.map((p) => `${p.path}: ${p.message}`).join('\n')
}

// Every place in a JSON value, the root excepted.
const pathsOf = (json: Json, path: Path = []): Path[] => {
  if (typeof json !== 'object' || json === null) return []
  const keys: Array<string | number> = Array.isArray(json) ? json.map((_, i) => i) : Object.keys(json)
  return keys.flatMap((key) => {
    const child = Array.isArray(json) ? json[key as number] : (json as Record<string, Json>)[key as string]
    return child === undefined ? [] : [[...path, key], ...pathsOf(child, [...path, key])]
  })
}

const childOf = (json: Json, key: string | number): Json | undefined =>
  typeof json !== 'object' || json === null
    ? undefined
    : Array.isArray(json)
      ? json[key as number]
      : (json as Record<string, Json>)[key as string]

const changed = (value: Json, seed: number): Json => {
  if (typeof value === 'number') return [value + 1, value - 1, -value, value + 0.5, value * 300_000, 0][seed % 6] ?? 0
  if (typeof value === 'string') return [`${value}x`, '', value.slice(1), 'RUNNING'][seed % 4] ?? ''
  if (typeof value === 'boolean') return !value
  if (value === null) return 0
  return [null, {}, [], 1][seed % 4] ?? null
}

type Kind = 'change' | 'delete' | 'insert' | 'swap' | 'duplicate'

// One mutation at `path`: of the value there, or of the array or object holding it.
const mutate = (root: Json, path: Path, kind: Kind, seed: number): Json => {
  const copy = toJson(root)
  let parent: Json = copy
  for (const key of path.slice(0, -1)) parent = childOf(parent, key) ?? null
  const key = path[path.length - 1]
  if (key === undefined || typeof parent !== 'object' || parent === null) return copy
  if (Array.isArray(parent)) {
    const i = key as number
    const item = parent[i]
    if (item === undefined) return copy
    const other = parent.length === 0 ? 0 : seed % parent.length
    if (kind === 'change') parent[i] = changed(item, seed)
    else if (kind === 'delete') parent.splice(i, 1)
    else if (kind === 'insert') parent.splice(other, 0, toJson(item))
    else if (kind === 'swap') [parent[i], parent[other]] = [parent[other] ?? null, item]
    else parent.push(toJson(item))
    return copy
  }
  const record = parent as Record<string, Json>
  const item = record[key as string]
  if (item === undefined) return copy
  if (kind === 'change') record[key as string] = changed(item, seed)
  else if (kind === 'delete') delete record[key as string]
  else if (kind === 'insert') record[`extra${seed % 3}`] = toJson(item)
  else if (kind === 'swap') {
    const keys = Object.keys(record)
    const otherKey = keys[seed % keys.length] ?? (key as string)
    const otherItem = record[otherKey] ?? null
    record[otherKey] = item
    record[key as string] = otherItem
  } else record[key as string] = Array.isArray(item) ? [...item, ...(toJson(item) as Json[])] : toJson(item)
  return copy
}

const kindArb = fc.constantFrom<Kind>('change', 'delete', 'insert', 'swap', 'duplicate')

// The full layout (version 2, which still restores) and the compact one toSnapshot writes (version 3).
const LAYOUTS = [
  {
    name: 'real version-2 snapshots',
    write: (state: Manager.Manager): Json => toJson(toSnapshotV2(toInternal(state))),
  },
  { name: 'real snapshots (version 3)', write: (state: Manager.Manager): Json => toJson(Manager.toSnapshot(state)) },
] as const

// A real snapshot, taken at a random point of a generated stream.
const writtenAt = (write: (state: Manager.Manager) => Json, stream: EventStream, cut: number): Json => {
  const at = cut % (stream.events.length + 1)
  return write(runStream({ start: stream.start, events: stream.events.slice(0, at) }))
}

describe.each(LAYOUTS)('random single mutations of $name', ({ write }) => {
  test.prop([hostileEventStream({ maxLength: 80 }), fc.nat(), fc.nat(), kindArb, fc.nat()])(
    'are never accepted unless resealed',
    (stream, cut, where, kind, seed) => {
      const snapshot = writtenAt(write, stream, cut)
      const paths = pathsOf(snapshot)
      const path = paths[where % paths.length] ?? []
      const mutated = mutate(snapshot, path, kind, seed)
      fc.pre(C.hash(mutated) !== C.hash(snapshot))
      expect(problemsOf(mutated)).not.toBe('accepted')
    },
  )

  test.prop([hostileEventStream({ maxLength: 80 }), fc.nat(), fc.nat(), kindArb, fc.nat()])(
    'resealed, are refused with a path, or accepted as exactly the snapshot of the state restored',
    (stream, cut, where, kind, seed) => {
      const snapshot = writtenAt(write, stream, cut)
      const paths = pathsOf(snapshot)
      const path = paths[where % paths.length] ?? []
      const mutated = reseal(mutate(snapshot, path, kind, seed))
      const decoded = Manager.fromSnapshot(mutated)
      if (E.isLeft(decoded)) {
        expect(decoded.left.problems.length).toBeGreaterThan(0)
        for (const problem of decoded.left.problems) expect(problem.path).not.toBe('')
        return
      }
      expect(C.firstDifference(write(decoded.right), mutated)).toBeUndefined()
      expect(checkInvariants(decoded.right)).toEqual([])
    },
  )
})

describe('real snapshots', () => {
  test.prop([hostileEventStream({ maxLength: 80 }), fc.nat()])(
    'of version 2 restore to the state version 3 restores to, which toSnapshot writes as version 3 again',
    (stream, cut) => {
      const compact = Manager.fromSnapshot(writtenAt(LAYOUTS[1].write, stream, cut))
      const full = Manager.fromSnapshot(writtenAt(LAYOUTS[0].write, stream, cut))
      expect(E.isRight(compact) && E.isRight(full)).toBe(true)
      if (E.isLeft(compact) || E.isLeft(full)) return
      const written = writtenAt(LAYOUTS[1].write, stream, cut)
      expect(toJson(Manager.toSnapshot(full.right))).toEqual(written)
      expect(toJson(Manager.toSnapshot(compact.right))).toEqual(written)
      expect(toJson(toSnapshotV2(toInternal(compact.right)))).toEqual(writtenAt(LAYOUTS[0].write, stream, cut))
      expect(checkInvariants(compact.right)).toEqual([])
    },
  )

  test.prop([hostileEventStream({ maxLength: 60 })])('a snapshot taken after any event is accepted', (stream) => {
    let state = Manager.create(stream.start)
    for (const { now, event } of stream.events) {
      state = Manager.reduce(state, event, now)
      for (const { write } of LAYOUTS) expect(problemsOf(write(state))).toBe('accepted')
    }
  })
})

// A manager with one RUNNING execution whose pull task is launched, one failed
// on a lost node that keeps its launched task, one waiting, one finished (so
// remembered), and a finished block.
const busyState = (): Manager.Manager => {
  const spec = (n: number): Parameters<typeof Manager.reduce>[1] & { type: 'Scheduled' } => ({
    type: 'Scheduled',
    executions: [
      {
        id: n,
        clusterId: `scale_job_fw_${n}x1`,
        jobId: n,
        exeNum: 1,
        jobTypeId: 2,
        nodeId: n === 2 ? 4 : 3,
        agentId: 'a',
        queued: 0,
        started: 0,
        taskTypes: n === 4 ? ['main'] : undefined,
        jobType: { name: 'j', isSystem: false, isLongRunning: false, timeout: 60_000 },
      },
    ],
  })
  let state = Manager.create(0)
  for (const n of [1, 2, 3, 4]) state = Manager.reduce(state, spec(n), 0)
  for (const n of [1, 2, 4]) {
    state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: `scale_job_fw_${n}x1` }, 0)
  }
  state = Manager.reduce(state, { type: 'TaskLaunched', taskId: 'scale_job_fw_1x1_pull' }, 1)
  state = Manager.reduce(state, { type: 'TaskLaunched', taskId: 'scale_job_fw_2x1_pull' }, 1)
  state = Manager.reduce(state, { type: 'NodeLost', nodeId: 4 }, 10)
  state = Manager.reduce(
    state,
    {
      type: 'TaskUpdated',
      update: { taskId: 'scale_job_fw_4x1_main', status: 'FINISHED', timestamp: 20, exitCode: 0 },
    },
    20,
  )
  return state
}

// The busy state as a version-2 snapshot (executions as objects, easy to edit) and as version 3.
const busy = (): Record<string, Json> => toJson(toSnapshotV2(toInternal(busyState()))) as Record<string, Json>
const compact = (): Record<string, Json> => toJson(Manager.toSnapshot(busyState())) as Record<string, Json>

// Two executions at epoch instants: the first a manager's cluster id, its pull
// task finished, main next; the second a cluster id of its own, waiting.
const epochCompact = (): Record<string, Json> => {
  const first = executionSpec(1, { queued: T0 - 60_000, taskTypes: ['pull', 'main'] })
  const second = executionSpec(2, { clusterId: 'scale_job_other_9x9', agentId: 'agent-2', queued: T0, started: T0 })
  let state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [first, second] }, T0)
  state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: 'scale_job_fw_1x1' }, T0)
  const update = (status: 'RUNNING' | 'FINISHED', timestamp: number, exitCode?: number): Manager.ManagerEvent => ({
    type: 'TaskUpdated',
    update: { taskId: 'scale_job_fw_1x1_pull', status, timestamp, exitCode },
  })
  state = Manager.reduce(state, { type: 'TaskLaunched', taskId: 'scale_job_fw_1x1_pull' }, T0 + 1_000)
  state = Manager.reduce(state, update('RUNNING', T0 + 1_000), T0 + 1_000)
  state = Manager.reduce(state, update('FINISHED', T0 + 2_000, 0), T0 + 2_000)
  return toJson(Manager.toSnapshot(state)) as Record<string, Json>
}

// A row of a version-3 snapshot, to edit.
const row = (s: Record<string, Json>, i: number): Json[] => {
  const found = (s['running'] as Json[])[i]
  if (!Array.isArray(found)) throw new Error('expected a row')
  return found
}

// The refusal of the version-3 busy snapshot changed by `edit`, resealed.
const compactRefusalOf = (edit: (snapshot: Record<string, Json>) => void): string => {
  const snapshot = compact()
  edit(snapshot)
  return problemsOf(reseal(snapshot))
}

// A version-2 snapshot as version 3: its executions written by the compact
// writer itself, the rest as it is. Executions edited as version 2 objects
// give the version-3 snapshot holding the same inconsistency, as far as the
// layout can hold it (task ids are not written).
const asCompact = (full: Record<string, Json>): Record<string, Json> => {
  const { snapshotVersion: _version, running, ...rest } = full
  // The writer reads the executions' fields only: JSON objects of their shape will do,
  // each holding all its listed tasks as reached (so that an edit to any of them is written).
  const asKept = (x: ListedExecution): Execution => ({
    ...x,
    taskTypes: x.tasks.map((task) => task.type),
    tasksSoFar: x.tasks,
  })
  const encoded = encode((running as unknown as ListedExecution[]).map(asKept))
  const content = { ...rest, snapshotVersion: 3, tables: encoded.tables, running: encoded.running }
  return toJson(content) as Record<string, Json>
}

// The refusals, resealed, of the busy snapshot changed by `edit` (made on the
// version-2 objects) in version 2 and in version 3.
const refusalsOf = (edit: (snapshot: Record<string, Json>) => void): readonly [string, string] => {
  const snapshot = busy()
  edit(snapshot)
  return [problemsOf(reseal(snapshot)), problemsOf(reseal(asCompact(snapshot)))]
}

type Exe = Record<string, Json> & { tasks: Array<Record<string, Json>> }

describe('compact snapshots (version 3)', () => {
  it('code statuses by a fixed order: the format, whatever the order of the sets elsewhere', () => {
    expect(STATUS_CODES).toEqual(['RUNNING', 'COMPLETED', 'FAILED', 'CANCELED'])
    expect(FINAL_STATUS_CODES).toEqual(['FINISHED', 'FAILED', 'KILLED'])
  })

  it('write each shared value once, and restore sharing it', () => {
    const snapshot = compact()
    const tables = snapshot['tables'] as Record<string, Json[]>
    expect(tables['settings']).toHaveLength(1)
    expect(tables['jobTypes']).toHaveLength(1)
    const restored = Manager.fromSnapshot(snapshot)
    if (E.isLeft(restored)) throw new Error(restored.left.message)
    const running = Manager.runningExecutions(restored.right)
    expect(running).toHaveLength(3)
    for (const execution of running) {
      expect(execution.jobType).toBe(running[0]?.jobType)
      expect(execution.settings).toBe(running[0]?.settings)
    }
    expect(toJson(Manager.toSnapshot(restored.right))).toEqual(snapshot)
    expect(toJson(toSnapshotV2(toInternal(restored.right)))).toEqual(busy())
  })

  it('are what toSnapshot writes, also of a state restored from version 2', () => {
    expect(Manager.toSnapshot(busyState()).snapshotVersion).toBe(3)
    const restored = Manager.fromSnapshot(busy())
    if (E.isLeft(restored)) throw new Error(restored.left.message)
    expect(toJson(Manager.toSnapshot(restored.right))).toEqual(compact())
  })

  it('write a task of a long-running job as its type alone, also after a version-2 round trip', () => {
    // Its configuration has no running timeout: `undefined` in the state, no key at all once read from JSON.
    const spec = executionSpec(1, { jobType: { ...jobType(), isLongRunning: true } })
    const state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [spec] }, T0)
    const written = toJson(Manager.toSnapshot(state)) as Record<string, Json>
    expect((written['tables'] as Record<string, Json[]>)['configs']).toEqual([])
    expect(row(written, 0)[13]).toEqual(['main'])
    const restored = Manager.fromSnapshot(toJson(toSnapshotV2(toInternal(state))))
    if (E.isLeft(restored)) throw new Error(restored.left.message)
    expect(toJson(Manager.toSnapshot(restored.right))).toEqual(written)
  })

  it('refuse a row of the wrong shape, naming its position', () => {
    expect(compactRefusalOf((s) => (row(s, 0)[9] = 3))).toMatch(
      /running\.0\.9: expected an index into tables\.jobTypes/,
    )
    expect(compactRefusalOf((s) => (row(s, 1)[5] = true))).toMatch(/running\.1\.5: expected an integer/)
    expect(compactRefusalOf((s) => (row(s, 0).length = 10))).toMatch(/running\.0: expected an execution row/)
    expect(compactRefusalOf((s) => (row(s, 0)[13] = ['pull', 'lift']))).toMatch(
      /running\.0\.13\.1: expected a task type/,
    )
  })

  it('refuse what no reachable state holds, naming the position the check names', () => {
    expect(compactRefusalOf((s) => (row(s, 0)[12] = 9))).toMatch(/running\.0\.12: is 9, beyond its 4 tasks/)
    expect(compactRefusalOf((s) => (row(s, 2)[13] = ['main', 'pull', 'pre', 'post']))).toMatch(
      /running\.2\.13\.1: is out of order or repeated/,
    )
    expect(compactRefusalOf((s) => (row(s, 2)[13] = ['pull', ['pre', 0, 0, 5], 'main', 'post']))).toMatch(
      /running\.2\.13\.1\.3: is set without a last status update/,
    )
  })

  it('write instants as offsets from the smallest, agent and framework ids in tables, statuses as codes', () => {
    const snapshot = epochCompact()
    const tables = snapshot['tables'] as Record<string, Json>
    expect(tables['base']).toBe(T0 - 60_000)
    expect(tables['agents']).toEqual(['agent-1', 'agent-2'])
    expect(tables['frameworks']).toEqual(['fw'])
    // [id, clusterId, jobId, exeNum, jobTypeId, nodeId, agent, queued, started, ..., status, next, tasks, extra]
    expect(row(snapshot, 0).slice(0, 9)).toEqual([1, 0, 1, 1, 1, 1, 0, 0, 60_000])
    expect(row(snapshot, 0)[11]).toBe(0)
    // pull finished (final status 0: FINISHED) 62 s after the base, main next.
    expect(row(snapshot, 0)[13]).toEqual([['pull', 0, 0, 61_000, 61_000, 62_000, 62_000, 0, 0], 'main'])
    expect(row(snapshot, 0)[14]).toEqual({ lastTaskFinished: 62_000 })
    // Not `Ids.clusterId('fw', 2, 1)`: written as it is.
    expect(row(snapshot, 1).slice(0, 2)).toEqual([2, 'scale_job_other_9x9'])
    const restored = Manager.fromSnapshot(snapshot)
    if (E.isLeft(restored)) throw new Error(restored.left.message)
    expect(Manager.runningExecutions(restored.right).map((e) => [e.clusterId, e.agentId, e.queued])).toEqual([
      ['scale_job_fw_1x1', 'agent-1', T0 - 60_000],
      ['scale_job_other_9x9', 'agent-2', T0],
    ])
    expect(toJson(Manager.toSnapshot(restored.right))).toEqual(snapshot)
  })

  it('write instants verbatim (base 0) when an offset from the smallest would not be a safe integer', () => {
    const spec = (n: number, at: number): Manager.ManagerEvent => ({
      type: 'Scheduled',
      executions: [executionSpec(n, { queued: at, started: at })],
    })
    const low = -Number.MAX_SAFE_INTEGER
    let state = Manager.reduce(Manager.create(0), spec(1, low), 0)
    state = Manager.reduce(state, spec(2, Number.MAX_SAFE_INTEGER), 0)
    const written = toJson(Manager.toSnapshot(state)) as Record<string, Json>
    expect((written['tables'] as Record<string, Json>)['base']).toBe(0)
    expect(row(written, 0)[7]).toBe(low)
    expect(problemsOf(written)).toBe('accepted')
  })

  it('refuse an offset, a base, a table index or a code out of range, naming its position', () => {
    const refusalOf = (edit: (s: Record<string, Json>) => void): string => {
      const snapshot = epochCompact()
      edit(snapshot)
      return problemsOf(reseal(snapshot))
    }
    const tables = (s: Record<string, Json>): Record<string, Json> => s['tables'] as Record<string, Json>
    expect(refusalOf((s) => (tables(s)['base'] = 0.5))).toMatch(/^tables\.base: /m)
    expect(refusalOf((s) => (tables(s)['base'] = 2 ** 53))).toMatch(/^tables\.base: /m)
    expect(refusalOf((s) => (tables(s)['base'] = Number.MAX_SAFE_INTEGER))).toMatch(
      /running\.0\.8: expected an offset from 9007199254740991 to a safe integer, got 60000/,
    )
    expect(refusalOf((s) => (row(s, 0)[7] = 0.5))).toMatch(/running\.0\.7: expected an offset \(an integer\)/)
    expect(refusalOf((s) => (row(s, 0)[8] = '60000'))).toMatch(/running\.0\.8: expected an offset \(an integer\)/)
    expect(refusalOf((s) => (row(s, 0)[8] = 2 ** 53))).toMatch(/running\.0\.8: expected an offset \(an integer\)/)
    expect(refusalOf((s) => ((row(s, 0)[14] as Record<string, Json>)['lastTaskFinished'] = 1.5))).toMatch(
      /running\.0\.14\.lastTaskFinished: expected an offset/,
    )
    const pull = (s: Record<string, Json>): Json[] => ((row(s, 0)[13] as Json[])[0] as Json[]) ?? []
    expect(refusalOf((s) => (pull(s)[6] = -0.5))).toMatch(/running\.0\.13\.0\.6: expected an offset/)
    expect(refusalOf((s) => (pull(s)[7] = 3))).toMatch(/running\.0\.13\.0\.7: expected the code of a final status/)
    expect(refusalOf((s) => (pull(s)[7] = 'FINISHED'))).toMatch(/running\.0\.13\.0\.7: expected the code of/)
    expect(refusalOf((s) => (row(s, 0)[11] = 4))).toMatch(/running\.0\.11: expected the code of an execution status/)
    expect(refusalOf((s) => (row(s, 0)[11] = 'RUNNING'))).toMatch(/running\.0\.11: expected the code of/)
    expect(refusalOf((s) => (row(s, 0)[6] = 2))).toMatch(/running\.0\.6: expected an index into tables\.agents/)
    expect(refusalOf((s) => (row(s, 0)[6] = 'agent-1'))).toMatch(/running\.0\.6: expected an index into tables/)
    expect(refusalOf((s) => (row(s, 0)[1] = 1))).toMatch(/running\.0\.1: expected an index into tables\.frameworks/)
    expect(refusalOf((s) => (row(s, 0)[1] = -1))).toMatch(/running\.0\.1: expected an index into tables\.frameworks/)
    expect(refusalOf((s) => (row(s, 0)[1] = null))).toMatch(/running\.0\.1: expected a cluster id or an index/)
  })

  it('refuse a layout the writer would not choose: a base not the smallest, a derivable cluster id written out, a table entry unused', () => {
    const tables = (s: Record<string, Json>): Record<string, Json> => s['tables'] as Record<string, Json>
    const refusalOf = (edit: (s: Record<string, Json>) => void): string => {
      const snapshot = epochCompact()
      edit(snapshot)
      return problemsOf(reseal(snapshot))
    }
    // The same instants from a lower base: the writer's base is the smallest instant.
    expect(
      refusalOf((s) => {
        tables(s)['base'] = T0 - 60_001
        const shift = (x: Json): Json => (typeof x === 'number' ? x + 1 : x)
        row(s, 0)[7] = shift(row(s, 0)[7] ?? null)
        row(s, 0)[8] = shift(row(s, 0)[8] ?? null)
        row(s, 1)[7] = shift(row(s, 1)[7] ?? null)
        row(s, 1)[8] = shift(row(s, 1)[8] ?? null)
        const pull = (row(s, 0)[13] as Json[])[0] as Json[]
        for (const i of [3, 4, 5, 6]) pull[i] = shift(pull[i] ?? null)
        const extra = row(s, 0)[14] as Record<string, Json>
        extra['lastTaskFinished'] = shift(extra['lastTaskFinished'] ?? null)
      }),
      // The restored instants are those; the writer's base makes the first offset 0.
    ).toBe('running.0.7: is 1, not 0: not what the restored state holds')
    expect(refusalOf((s) => (row(s, 0)[1] = 'scale_job_fw_1x1'))).toMatch(
      /running\.0\.1: .*not what the restored state holds/,
    )
    expect(refusalOf((s) => (tables(s)['agents'] = ['agent-1', 'agent-2', 'agent-3']))).toMatch(
      /tables\.agents: .*not what the restored state holds/,
    )
    expect(refusalOf((s) => (tables(s)['frameworks'] = ['fw', 'other']))).toMatch(
      /tables\.frameworks: .*not what the restored state holds/,
    )
  })

  it('refuse a table entry no execution uses, or one written twice', () => {
    const jobTypes = (s: Record<string, Json>): Json[] => (s['tables'] as Record<string, Json[]>)['jobTypes'] ?? []
    expect(
      compactRefusalOf((s) => jobTypes(s).push({ name: 'k', isSystem: false, isLongRunning: false, timeout: 1 })),
    ).toMatch(/tables\.jobTypes: has 2 items, not 1: not what the restored state holds/)
    expect(
      compactRefusalOf((s) => {
        jobTypes(s).push(jobTypes(s)[0] ?? null)
        row(s, 2)[9] = 1
      }),
    ).toMatch(/not what the restored state holds/)
  })
})

const executionOf = (snapshot: Record<string, Json>, clusterId: string): Exe => {
  const found = (snapshot['running'] as Exe[]).find((x) => x['clusterId'] === clusterId)
  if (found === undefined) throw new Error(`no ${clusterId} in the snapshot`)
  return found
}

const taskOf = (execution: Exe, i: number): Record<string, Json> => {
  const task = execution.tasks[i]
  if (task === undefined) throw new Error(`no task ${i}`)
  return task
}

// The refusal of a busy snapshot changed by `edit`, resealed: what the structural checks say.
const refusalOf = (edit: (snapshot: Record<string, Json>) => void): string => {
  const snapshot = busy()
  edit(snapshot)
  return problemsOf(reseal(snapshot))
}

const BLOCK = Metrics.BLOCK_LENGTH
const RUNNING = 'scale_job_fw_1x1'
const FAILED = 'scale_job_fw_2x1'
const WAITING = 'scale_job_fw_3x1'

describe('structural inconsistencies are refused with their path, in both layouts', () => {
  it('accepts the busy snapshot, as it is and resealed', () => {
    for (const snapshot of [busy(), compact()]) {
      expect(problemsOf(snapshot)).toBe('accepted')
      expect(problemsOf(reseal(snapshot))).toBe('accepted')
      expect((snapshot['remembered'] as Json[]).length).toBe(1)
    }
    // The version-3 examples below are the writer's own output, edited as version 2 is.
    expect(reseal(asCompact(busy()))).toEqual(compact())
  })

  it('a launched task with no current index', () => {
    const [full, rows] = refusalsOf((s) => {
      delete executionOf(s, RUNNING)['current']
    })
    expect(full).toMatch(/running\.0\.tasks\.0: a task before the current one has finished/)
    expect(rows).toMatch(/running\.0\.13\.0: a task before the current one has finished/)
  })

  it('tasks out of order, or of one type twice', () => {
    const swapped = refusalsOf((s) => {
      const x = executionOf(s, WAITING)
      x.tasks = [taskOf(x, 1), taskOf(x, 0), taskOf(x, 2), taskOf(x, 3)]
    })
    const twice = refusalsOf((s) => {
      const x = executionOf(s, WAITING)
      x.tasks = [taskOf(x, 0), taskOf(x, 0), taskOf(x, 2), taskOf(x, 3)]
    })
    for (const [full, rows] of [swapped, twice]) {
      expect(full).toMatch(/running\.2\.tasks\.1\.type: is out of order or repeated/)
      // An untouched task is its type alone: the type is the task.
      expect(rows).toMatch(/running\.2\.13\.1: is out of order or repeated/)
    }
  })

  it('a remaining task already launched, or ended', () => {
    const [launched, launchedRow] = refusalsOf((s) => {
      Object.assign(taskOf(executionOf(s, WAITING), 2), { launched: 5, lastStatusUpdate: 5 })
    })
    expect(launched).toMatch(/running\.2\.tasks\.2: is launched, but it remains to be run/)
    expect(launchedRow).toMatch(/running\.2\.13\.2: is launched, but it remains to be run/)
    const [ended, endedRow] = refusalsOf((s) => {
      Object.assign(taskOf(executionOf(s, RUNNING), 3), {
        ended: 5,
        lastStatusUpdate: 5,
        finalStatus: 'FINISHED',
        exitCode: 0,
      })
    })
    expect(ended).toMatch(/running\.0\.tasks\.3: has ended, but it remains to be run/)
    expect(endedRow).toMatch(/running\.0\.13\.3: has ended, but it remains to be run/)
  })

  it('started or launched without a status update, ended without a final status', () => {
    const [started, startedRow] = refusalsOf((s) => {
      const task = taskOf(executionOf(s, RUNNING), 0)
      delete task['lastStatusUpdate']
      task['started'] = 3
    })
    expect(started).toMatch(/running\.0\.tasks\.0\.started: is set without a last status update/)
    expect(started).toMatch(/running\.0\.tasks\.0\.launched: is set without a last status update/)
    expect(startedRow).toMatch(/running\.0\.13\.0\.4: is set without a last status update/)
    expect(startedRow).toMatch(/running\.0\.13\.0\.3: is set without a last status update/)
    const [ended, endedRow] = refusalsOf((s) => {
      taskOf(executionOf(s, RUNNING), 0)['ended'] = 3
    })
    expect(ended).toMatch(/running\.0\.tasks\.0\.ended: and finalStatus go together/)
    expect(endedRow).toMatch(/running\.0\.13\.0\.6: and finalStatus go together/)
  })

  it('a lost count that disagrees with the _lost-n id (version 3 derives the id: a lost count where none was lost)', () => {
    const [full, rows] = refusalsOf((s) => {
      taskOf(executionOf(s, WAITING), 0)['lostCount'] = 1
    })
    expect(full).toMatch(/running\.2\.tasks\.0\.id: is not scale_job_fw_3x1_pull_lost-1/)
    // The row's lost count makes the id; what is left to disagree is the task never having run.
    expect(rows).toBe('running.2.14.lastTaskFinished: is set exactly when a task finished or was lost')
  })

  it('an instant or exit code that is not a whole number of milliseconds (Scheduled would refuse it)', () => {
    const [queued, queuedRow] = refusalsOf((s) => {
      executionOf(s, WAITING)['queued'] = T0 + 0.5
    })
    expect(queued).toMatch(/running\.2\.queued: is not a whole number of milliseconds/)
    // Version 3 writes offsets from a whole base: a fraction is refused as an offset.
    expect(queuedRow).toMatch(/running\.2\.7: expected an offset \(an integer\), got -?\d+\.5/)
    const [launched, launchedRow] = refusalsOf((s) => {
      const task = taskOf(executionOf(s, RUNNING), 0)
      task['launched'] = (task['launched'] as number) + 0.25
    })
    expect(launched).toMatch(/running\.0\.tasks\.0\.launched: is not a whole number of milliseconds/)
    expect(launchedRow).toMatch(/running\.0\.13\.0\.3: expected an offset \(an integer\), got \d+\.25/)
  })

  it('an execution no update could reach (Scheduled refuses it)', () => {
    const [full, rows] = refusalsOf((s) => {
      const execution = executionOf(s, WAITING)
      execution['clusterId'] = 'nope_3x1'
      ;(execution['tasks'] as Json[]).forEach((_, i) => {
        const task = taskOf(execution, i)
        const type = task['type']
        task['id'] = `nope_3x1_${typeof type === 'string' ? type : ''}`
        task['baseId'] = task['id']
      })
    })
    expect(full).toMatch(/running\.2\.clusterId: cannot be routed \(cluster-id-without-job-prefix\)/)
    expect(rows).toMatch(/running\.2\.1: cannot be routed \(cluster-id-without-job-prefix\)/)
  })

  it('an error or a finished instant on a RUNNING execution', () => {
    const [error, errorRow] = refusalsOf((s) => {
      executionOf(s, RUNNING)['error'] = { name: 'unknown', category: 'SYSTEM', title: 'Unknown' }
    })
    expect(error).toMatch(/running\.0\.error: is set on a RUNNING execution/)
    expect(errorRow).toMatch(/running\.0\.14\.error: is set on a RUNNING execution/)
    const [finished, finishedRow] = refusalsOf((s) => {
      executionOf(s, RUNNING)['finished'] = 5
    })
    expect(finished).toMatch(/running\.0\.finished: is set on a RUNNING execution/)
    expect(finishedRow).toMatch(/running\.0\.14\.finished: is set on a RUNNING execution/)
  })

  it('a FAILED execution without its error, or COMPLETED still running', () => {
    const [noError, noErrorRow] = refusalsOf((s) => {
      delete executionOf(s, FAILED)['error']
    })
    expect(noError).toMatch(/running\.1\.error: does not fit the status FAILED/)
    expect(noErrorRow).toMatch(/running\.1\.14\.error: does not fit the status FAILED/)
    const [completed, completedRow] = refusalsOf((s) => {
      executionOf(s, FAILED)['status'] = 'COMPLETED'
    })
    expect(completed).toMatch(/running\.1\.status: a COMPLETED execution has finished/)
    expect(completedRow).toMatch(/running\.1\.11: a COMPLETED execution has finished/)
  })

  it('two executions with one execution id', () => {
    const [full, rows] = refusalsOf((s) => {
      executionOf(s, WAITING)['id'] = 1
    })
    expect(full).toMatch(/running\.2\.id: is the execution id of running\.0 too/)
    expect(rows).toMatch(/running\.2\.0: is the execution id of running\.0 too/)
  })

  it('a running count in a finished block', () => {
    const refusals = refusalsOf((s) => {
      const metrics = s['metrics'] as Record<string, Json>
      metrics['blocks'] = [{ start: 0, counts: [[3, 'running', 2, 1]] }]
    })
    for (const refusal of refusals) {
      expect(refusal).toMatch(/metrics\.blocks\.0\.counts\.0\.1: a finished block counts no running/)
    }
  })

  it('finished totals beyond a safe integer', () => {
    const refusals = refusalsOf((s) => {
      const metrics = s['metrics'] as Record<string, Json>
      const big = Number.MAX_SAFE_INTEGER - 1
      metrics['blocks'] = [
        { start: 0, counts: [[3, 'completed', 2, big]] },
        { start: 300_000, counts: [[3, 'completed', 2, big]] },
      ]
      metrics['now'] = 300_000
    })
    for (const refusal of refusals) {
      expect(refusal).toMatch(/metrics\.blocks\.1\.counts\.0\.3: makes the total beyond a safe integer/)
    }
  })

  it('a remembered id that is running, twice, or out of order', () => {
    const running = refusalsOf((s) => {
      s['remembered'] = [{ start: 0, clusterIds: ['scale_job_fw_4x1', RUNNING] }]
    })
    for (const refusal of running) expect(refusal).toMatch(/remembered\.0\.clusterIds\.1: is running, so not finished/)
    const unordered = refusalsOf((s) => {
      s['remembered'] = [{ start: 0, clusterIds: ['scale_job_fw_9x1', 'scale_job_fw_4x1'] }]
    })
    for (const refusal of unordered) expect(refusal).toMatch(/remembered\.0\.clusterIds\.1: is out of order/)
  })

  it('anything the restored state would hold otherwise: rows out of order, a stray key', () => {
    const [rows, compactRows] = refusalsOf((s) => {
      const running = s['running'] as Json[]
      s['running'] = [running[1] ?? null, running[0] ?? null, ...running.slice(2)]
    })
    expect(rows).toMatch(/^running\.0\.clusterId: is "scale_job_fw_2x1", not "scale_job_fw_1x1"/)
    expect(compactRows).toMatch(/^running\.0\.0: is 2, not 1: not what the restored state holds/)
    const stray = refusalOf((s) => {
      executionOf(s, WAITING)['color'] = 'blue'
    })
    expect(stray).toMatch(/running\.2\.color: is "blue", not nothing: not what the restored state holds/)
    // The compact writer writes no stray key: version 3's are edited in by hand.
    const strayRow = compactRefusalOf((s) => {
      const extra = row(s, 0)[14]
      if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) throw new Error('expected extra')
      row(s, 0)[14] = { ...extra, color: 'blue' }
    })
    expect(strayRow).toMatch(/running\.0\.14\.color: is "blue", not nothing: not what the restored state holds/)
    const strayTable = compactRefusalOf((s) => {
      const [jobType] = (s['tables'] as Record<string, Json[]>)['jobTypes'] ?? []
      if (typeof jobType !== 'object' || jobType === null || Array.isArray(jobType)) throw new Error('expected one')
      jobType['color'] = 'blue'
    })
    expect(strayTable).toMatch(/tables\.jobTypes\.0\.color: is "blue", not nothing: not what the restored state holds/)
  })

  it('instants after `now` are kept: time may go backwards, so a reachable state holds them', () => {
    let state = Manager.create(10 * 60_000)
    state = Manager.reduce(
      state,
      { type: 'HistoryLoaded', records: [{ nodeId: 1, jobTypeId: 1, status: 'COMPLETED', finished: 60 * 60_000 }] },
      10 * 60_000,
    )
    for (const { write } of LAYOUTS) {
      const snapshot = write(state)
      expect(JSON.stringify(snapshot)).toMatch(/"blocks":\[\{"start":3600000/)
      expect(problemsOf(snapshot)).toBe('accepted')
    }
  })
})

describe.each([
  { layout: 'version 2', busy },
  { layout: 'version 3', busy: compact },
])('the integrity of $layout', ({ busy }) => {
  it('refuses any value changed, with a reason', () => {
    const snapshot = busy()
    const outbox = snapshot['outbox'] as Record<string, Json[]>
    expect(outbox['ends']?.length).toBe(1)
    outbox['ends'] = []
    expect(problemsOf(snapshot)).toBe('integrity: does not match the content: the snapshot was changed or damaged')
  })

  it('does not depend on the order of object keys (as PostgreSQL jsonb reorders them)', () => {
    const reversed = (json: Json): Json =>
      typeof json !== 'object' || json === null
        ? json
        : Array.isArray(json)
          ? json.map(reversed)
          : Object.fromEntries(
              Object.entries(json)
                .reverse()
                .map(([key, value]) => [key, reversed(value)]),
            )
    const snapshot = busy()
    expect(Object.keys(reversed(snapshot) as object)[0]).toBe('integrity')
    expect(problemsOf(reversed(snapshot))).toBe('accepted')
  })

  it('is refused when missing or not a string', () => {
    const { integrity: _integrity, ...content } = busy()
    expect(problemsOf(content)).toMatch(/^integrity:/)
    expect(problemsOf({ ...content, integrity: 7 })).toMatch(/^integrity:/)
  })
})

describe('version 1 snapshots', () => {
  it('still restore, with nothing remembered', () => {
    const { integrity: _integrity, remembered: _remembered, ...content } = busy()
    const v1 = { ...content, snapshotVersion: 1 }
    const restored = Manager.fromSnapshot(v1)
    if (E.isLeft(restored)) throw new Error(restored.left.message)
    expect(Manager.toSnapshot(restored.right).snapshotVersion).toBe(3)
    const again = toSnapshotV2(toInternal(restored.right))
    expect(again.remembered).toEqual([])
    expect(
      C.firstDifference(toJson({ ...again, snapshotVersion: 1 }), {
        ...v1,
        remembered: [],
        integrity: again.integrity,
      }),
    ).toBeUndefined()
  })

  it('are checked as version 2 ones are, but for the integrity they lack', () => {
    const { integrity: _integrity, remembered: _remembered, ...content } = busy()
    const v1 = (): Record<string, Json> => toJson({ ...content, snapshotVersion: 1 }) as Record<string, Json>
    const changed = v1()
    executionOf(changed, RUNNING)['finished'] = 5
    expect(problemsOf(changed)).toMatch(/running\.0\.finished: is set on a RUNNING execution/)
    expect(problemsOf({ ...v1(), remembered: [] })).toMatch(/remembered: is \[\], not nothing/)
  })
})

describe('the canonical hash', () => {
  const reorder = (json: unknown): unknown =>
    typeof json !== 'object' || json === null
      ? json
      : Array.isArray(json)
        ? json.map(reorder)
        : Object.fromEntries(
            Object.entries(json as Record<string, unknown>)
              .reverse()
              .map(([k, v]) => [k, reorder(v)]),
          )

  test.prop([fc.anything({ withObjectString: false, withNullPrototype: false, withMap: false, withSet: false })])(
    'is the same after a JSON round trip and with object keys in another order',
    (value) => {
      let text: string | undefined
      try {
        text = JSON.stringify(value)
      } catch {
        return
      }
      fc.pre(text !== undefined)
      const parsed: unknown = JSON.parse(text)
      expect(C.hash(value)).toBe(C.hash(parsed))
      expect(C.hash(reorder(parsed))).toBe(C.hash(parsed))
      expect(C.firstDifference(reorder(parsed), parsed)).toBeUndefined()
    },
  )

  test.prop([fc.jsonValue(), fc.jsonValue()])('tells apart values that JSON tells apart', (a, b) => {
    fc.pre(JSON.stringify(a) !== JSON.stringify(b))
    fc.pre(C.firstDifference(a, b) !== undefined)
    expect(C.hash(a)).not.toBe(C.hash(b))
  })

  it('tells apart values moved between keys, and items swapped', () => {
    expect(C.hash({ a: 1, b: 2 })).not.toBe(C.hash({ a: 2, b: 1 }))
    expect(C.hash([1, 2])).not.toBe(C.hash([2, 1]))
    expect(C.hash({ a: '1' })).not.toBe(C.hash({ a: 1 }))
    expect(C.hash([[], {}])).not.toBe(C.hash([{}, []]))
  })
})

describe('snapshots refuse each inconsistency, naming where, in both layouts', () => {
  const base = (): Record<string, unknown> => {
    const spec = executionSpec(1, { agentId: 'a', taskTypes: undefined, jobType: jobType(60_000, 'j') })
    let state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [spec] }, T0)
    state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: spec.clusterId }, T0)
    state = Manager.reduce(state, { type: 'TaskLaunched', taskId: 'scale_job_fw_1x1_pull' }, T0)
    return JSON.parse(JSON.stringify(toSnapshotV2(toInternal(state)))) as Record<string, unknown>
  }
  const withExecution = (change: (x: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown> => {
    const snapshot = base()
    const [first] = snapshot['running'] as Array<Record<string, unknown>>
    return { ...snapshot, running: [change(first ?? {})] }
  }
  // The same, as version 3: the changed execution written by the compact writer.
  const compactOf = (full: Record<string, unknown>): Record<string, unknown> =>
    asCompact(toJson(full) as Record<string, Json>)
  // Resealed, so that the structural checks speak rather than the integrity.
  const problems = (json: unknown): string[] => {
    const content = json as Record<string, unknown>
    const decoded = Manager.fromSnapshot({ ...content, integrity: integrityOf(content) })
    return E.isLeft(decoded) ? decoded.left.problems.map((p) => `${p.path}: ${p.message}`) : []
  }

  it('accepts the base snapshot', () => {
    expect(problems(base())).toEqual([])
    expect(problems(compactOf(base()))).toEqual([])
  })

  type Change = (x: Record<string, unknown>) => Record<string, unknown>
  const renamedTask =
    (i: number, field: 'id' | 'baseId', value: string): Change =>
    (x) => ({
      ...x,
      tasks: (x['tasks'] as Array<Record<string, unknown>>).map((t, j) => (j === i ? { ...t, [field]: value } : t)),
    })
  // The version-3 refusal is `undefined` where the layout cannot hold the
  // inconsistency: task ids are not written but derived from the cluster id,
  // the type and the lost count, so the writer writes the base snapshot.
  it.each<readonly [Change, string, string | undefined]>([
    [(x) => ({ ...x, next: 9 }), 'running.0.next: is 9, beyond its 4 tasks', 'running.0.12: is 9, beyond its 4 tasks'],
    [
      (x) => ({ ...x, current: 2 }),
      'running.0.current: is 2, not the task before next (1)',
      'running.0.14.current: is 2, not the task before next (1)',
    ],
    [
      (x) => ({ ...x, status: 'FAILED', finished: T0 }),
      'running.0.next: a finished status leaves no task remaining',
      'running.0.12: a finished status leaves no task remaining',
    ],
    [
      (x) => ({ ...x, status: 'FAILED', next: 4, current: 3 }),
      'running.0.finished: a final status needs its instant',
      'running.0.14.finished: a final status needs its instant',
    ],
    [renamedTask(0, 'baseId', 'other_pull'), 'running.0.tasks.0.baseId: is not scale_job_fw_1x1_pull', undefined],
    [renamedTask(1, 'id', 'x_pre'), 'running.0.tasks.1.id: does not start with scale_job_fw_1x1_pre', undefined],
  ])('%#: %s', (change, full, compact) => {
    expect(problems(withExecution(change))).toContain(full)
    if (compact === undefined) expect(compactOf(withExecution(change))).toEqual(compactOf(base()))
    else expect(problems(compactOf(withExecution(change)))).toContain(compact)
  })

  it('names a duplicate execution, and nothing else', () => {
    const snapshot = base()
    const [first] = snapshot['running'] as unknown[]
    const twice = { ...snapshot, running: [first, first] }
    expect(problems(twice)).toEqual(['running.1.clusterId: appears twice'])
    expect(problems(compactOf(twice))).toEqual(['running.1.1: appears twice'])
  })

  it('names a finished execution, a current task past the end, an id not starting with its base', () => {
    const finished = withExecution((x) => ({ ...x, status: 'CANCELED', current: undefined, next: 4, finished: T0 }))
    expect(problems(finished)).toEqual(['running.0: is finished, so it cannot be running'])
    expect(problems(compactOf(finished))).toEqual(['running.0: is finished, so it cannot be running'])
    const past = withExecution((x) => ({ ...x, status: 'CANCELED', current: 4, next: 4, finished: T0 }))
    expect(problems(past)).toEqual(['running.0.current: is 4, not the task before next (4)'])
    expect(problems(compactOf(past))).toEqual(['running.0.14.current: is 4, not the task before next (4)'])
    const renamed = withExecution(renamedTask(1, 'id', 'other_scale_job_fw_1x1_pre'))
    expect(problems(renamed)).toEqual(['running.0.tasks.1.id: does not start with scale_job_fw_1x1_pre'])
    // Not writable in version 3 (ids are derived): the writer writes the base snapshot.
    expect(compactOf(renamed)).toEqual(compactOf(base()))
  })

  it('says in its message that the snapshot is invalid, and each problem', () => {
    for (const snapshot of [base(), compactOf(base())]) {
      const decoded = Manager.fromSnapshot({ ...snapshot, snapshotVersion: 4 })
      expect(E.isLeft(decoded) && decoded.left.message.startsWith('invalid snapshot:\n')).toBe(true)
      expect(E.isLeft(decoded) && decoded.left.message.includes('snapshotVersion')).toBe(true)
    }
  })

  it('names two blocks that start at the same instant', () => {
    for (const snapshot of [base(), compactOf(base())]) {
      const metrics = snapshot['metrics'] as Record<string, unknown>
      const counts = [[1, 'completed', 1, 1]]
      const blocks = [
        { start: T0, counts },
        { start: T0, counts },
      ]
      expect(problems({ ...snapshot, metrics: { ...metrics, blocks } })).toEqual(['metrics.blocks.1: is out of order'])
    }
  })

  it('names blocks out of order and empty blocks', () => {
    for (const snapshot of [base(), compactOf(base())]) {
      const metrics = snapshot['metrics'] as Record<string, unknown>
      const counts = [[1, 'completed', 1, 1]]
      const blocks = [
        { start: T0, counts },
        { start: T0 - BLOCK, counts },
        { start: T0 + BLOCK, counts: [] },
      ]
      expect(problems({ ...snapshot, metrics: { ...metrics, blocks } })).toEqual([
        'metrics.blocks.1: is out of order',
        'metrics.blocks.2: is empty',
      ])
    }
  })
})
