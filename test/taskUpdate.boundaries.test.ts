// Hostile input at the JSON boundary: `__proto__` keys, optional fields set to
// null, objects of foreign prototypes, timestamps out of range. Every decoder
// of the library never throws, and every Right has its declared type and no
// prototype but Object.prototype (or null, or Array.prototype for arrays).
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { EventLog, Execution, Manager, TaskResults, TaskUpdate } from '../src/index'
import { toInternal } from '../src/internal/managerState'
import { integrityOf, toSnapshotV2 } from '../src/internal/snapshot'
import { SnapshotV3Codec } from '../src/internal/stateCodecs'
import { eventStream, executionSpec, mesosStatus, taskUpdate } from '../src/testing'
import { runs } from './fixtures'

const TASK = 'scale_job_fw1_42x3_main'

/** Every object in `value` is plain: Object.prototype, null, or a plain array; none has an own `__proto__`. */
const foreignObjects = (value: unknown): string[] => {
  const found: string[] = []
  const seen = new Set<object>()
  const stack: Array<[unknown, string]> = [[value, '<root>']]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, path] = next
    if (typeof v !== 'object' || v === null || seen.has(v)) continue
    seen.add(v)
    const proto: unknown = Object.getPrototypeOf(v)
    const plain = Array.isArray(v) ? proto === Array.prototype : proto === Object.prototype || proto === null
    if (!plain) found.push(`${path}: foreign prototype`)
    if (Object.prototype.hasOwnProperty.call(v, '__proto__')) found.push(`${path}: own __proto__`)
    for (const [key, child] of Object.entries(v)) stack.push([child, `${path}.${key}`])
  }
  return found
}

const spec = fc.sample(executionSpec({ id: 1, jobId: 42, exeNum: 3 }), { numRuns: 1, seed: 7 })[0]
if (spec === undefined) throw new Error('no spec')

// A snapshot with one started execution, as toSnapshot writes it (version 3)
// or in version 2 (which still restores).
const snapshotJson = (version: 2 | 3 = 3): Record<string, unknown> => {
  let state = Manager.reduce(Manager.create(spec.started), { type: 'Scheduled', executions: [spec] }, spec.started)
  state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: spec.clusterId }, spec.started)
  const snapshot = version === 2 ? toSnapshotV2(toInternal(state)) : Manager.toSnapshot(state)
  return JSON.parse(JSON.stringify(snapshot)) as Record<string, unknown>
}

describe('a JSON "__proto__" key never reaches a decoder', () => {
  const poisoned =
    '{"task_id":{"value":"t"},"state":"TASK_FAILED","timestamp":1,"data":null,"__proto__":{"message":{"toString":1}}}'

  it('fromMesos ignores it (as any unknown key) instead of throwing', () => {
    const decoded = TaskUpdate.fromMesos(JSON.parse(poisoned))
    expect(decoded).toEqual(E.right({ taskId: 't', status: 'FAILED', timestamp: 1000 }))
    if (E.isRight(decoded)) expect(Object.getPrototypeOf(decoded.right)).toBe(Object.prototype)
  })

  it('decodeLine does too, and a replay goes on', () => {
    const line = `{"now":1,"event":{"type":"TaskUpdated","update":{"type":"MesosStatus","status":${poisoned}}}}`
    expect(E.isRight(EventLog.decodeLine(line))).toBe(true)
    expect(EventLog.replayLine(EventLog.startReplay(), line, 1).replayed).toBe(1)
  })

  it('a logged update cannot smuggle an exit code of the wrong type', () => {
    const decoded = TaskUpdate.decode(
      JSON.parse('{"taskId":"t","status":"RUNNING","timestamp":1,"containerName":null,"__proto__":{"exitCode":"x"}}'),
    )
    expect(decoded).toEqual(E.right({ taskId: 't', status: 'RUNNING', timestamp: 1 }))
    expect(E.isRight(decoded) && decoded.right.exitCode).toBeUndefined()
  })

  it('a Scheduled line cannot smuggle task types that make reduce throw', () => {
    const execution = { ...(JSON.parse(JSON.stringify(spec)) as object), taskTypes: undefined, exitCodeErrors: null }
    const text = JSON.stringify({ now: spec.started, event: { type: 'Scheduled', executions: [execution] } })
    const line = text.replace('"exitCodeErrors":null', '"exitCodeErrors":null,"__proto__":{"taskTypes":5}')
    expect(line).toContain('"__proto__"')
    const decoded = EventLog.decodeLine(line)
    expect(
      E.isRight(decoded) && decoded.right.event.type === 'Scheduled' && decoded.right.event.executions[0],
    ).not.toHaveProperty('taskTypes', 5)
    const replay = EventLog.replayLine(EventLog.startReplay(), line, 1)
    expect(Manager.runningExecutions(replay.state).map((x) => Execution.tasks(x).length)).toEqual([4])
  })

  type Smuggled = (execution: Execution.Execution | undefined) => unknown
  it.each<readonly [2 | 3, string, string, Smuggled]>([
    // Into a task object of version 2, its start; into the `extra` of a version-3 row, its finish.
    [
      2,
      '"timedOut":false',
      '"timedOut":false,"containerName":null,"__proto__":{"started":"soon"}',
      (execution) => (execution === undefined ? undefined : Execution.tasks(execution)[0]?.started),
    ],
    [3, '"current":0', '"current":0,"__proto__":{"finished":"soon"}', (execution) => execution?.finished],
  ])('a snapshot (version %s) cannot smuggle an instant that is not a number', (version, at, poisoned, smuggled) => {
    const snapshot = snapshotJson(version)
    const text = JSON.stringify(snapshot).replace(at, poisoned)
    expect(text).toContain('"__proto__"')
    // As it stands the integrity check refuses it; resealed (an attacker who
    // recomputes the integrity), the prototype's value must still not leak.
    expect(E.isLeft(Manager.fromSnapshot(JSON.parse(text)))).toBe(true)
    const content = JSON.parse(text) as Record<string, unknown>
    delete content['integrity']
    const restored = Manager.fromSnapshot({ ...content, integrity: integrityOf(content) })
    const value = E.isRight(restored) ? smuggled(Manager.runningExecutions(restored.right)[0]) : 'refused'
    expect(value).not.toBe('soon')
    if (E.isRight(restored)) expect(value).toBeUndefined()
  })

  it('task results and settings refuse it as an unexpected key, at any level', () => {
    const results = TaskResults.decode(
      JSON.parse('{"tasks":[{"task_id":"a","type":"main","was_launched":true,"__proto__":{"started":"soon"}}]}'),
    )
    expect(E.isLeft(results) && results.left.problems).toEqual([
      { path: 'tasks.0.__proto__', message: "unexpected key '__proto__'" },
    ])
    const top = TaskResults.decode(JSON.parse('{"__proto__":{"version":"9"}}'))
    expect(E.isLeft(top) && top.left.problems.map((p) => p.path)).toEqual(['__proto__'])
    const settings = Execution.decodeSettings(JSON.parse('{"stagingTimeout":1,"__proto__":{"pullTimeout":-1}}'))
    expect(E.isLeft(settings) && settings.left.problems.map((p) => p.path)).toEqual(['__proto__'])
  })

  it('an object of a foreign prototype is read by its own fields only', () => {
    const status = Object.assign(Object.create({ message: { toString: 1 } }) as object, {
      task_id: { value: 't' },
      state: 'TASK_RUNNING',
      timestamp: 2,
    })
    const decoded = TaskUpdate.fromMesos(status)
    expect(decoded).toEqual(E.right({ taskId: 't', status: 'RUNNING', timestamp: 2000 }))
    expect(foreignObjects(E.isRight(decoded) ? decoded.right : null)).toEqual([])
  })

  it('a getter that throws is a Left, not an exception', () => {
    const status = {
      task_id: { value: 't' },
      state: 'TASK_RUNNING',
      get timestamp(): number {
        throw new Error('boom')
      },
    }
    const decoded = TaskUpdate.fromMesos(status)
    expect(E.isLeft(decoded) && decoded.left.problems).toEqual([
      { path: '<root>', message: 'could not be read (boom)' },
    ])
  })
})

describe('Mesos timestamps', () => {
  const status = (timestamp: unknown): unknown => ({ task_id: { value: TASK }, state: 'TASK_RUNNING', timestamp })

  it.each([
    [1e306, 'Infinity ms'],
    [1e20, 'not a safe integer'],
    [-1e16, 'not a safe integer'],
    [Number.NaN, 'got NaN'],
    [Number.POSITIVE_INFINITY, 'got Infinity'],
  ])('%s seconds are refused at timestamp (%s)', (timestamp, says) => {
    const decoded = TaskUpdate.fromMesos(status(timestamp))
    expect(E.isLeft(decoded) && decoded.left.problems.map((p) => p.path)).toEqual(['timestamp'])
    expect(E.isLeft(decoded) && decoded.left.message).toContain(says)
  })

  it('the largest exact instants are accepted', () => {
    expect(E.map((u: TaskUpdate.TaskUpdate) => u.timestamp)(TaskUpdate.fromMesos(status(9_007_199_254_740)))).toEqual(
      E.right(9_007_199_254_740_000),
    )
  })

  test.prop([fc.double({ noNaN: false })])('every accepted timestamp is a safe integer of ms', (timestamp) => {
    const decoded = TaskUpdate.fromMesos(status(timestamp))
    if (E.isRight(decoded)) expect(Number.isSafeInteger(decoded.right.timestamp)).toBe(true)
  })

  it('NaN and Infinity are named as such in the messages of other codecs too', () => {
    const decoded = TaskUpdate.decode({ taskId: 't', status: 'RUNNING', timestamp: Number.NEGATIVE_INFINITY })
    expect(E.isLeft(decoded) && decoded.left.problems).toEqual([
      { path: 'timestamp', message: 'expected an integer, got -Infinity' },
    ])
  })
})

// ---------------------------------------------------------------------------
// The property: arbitrary JSON, and the library's own well-formed inputs, with
// `__proto__`, `constructor` and `toString` keys injected at random depths and
// optional fields set to null.

const BAD_FIELDS = {
  exitCode: 'not-a-number',
  taskTypes: 5,
  started: 'soon',
  launched: {},
  message: { toString: 1 },
  containerName: 7,
  agentId: [],
  priority: 'high',
  timestamp: 'now',
  records: null,
  jobs: null,
  type: 'constructor',
  version: 9,
  tasks: 5,
  status: 'NOPE',
  stagingTimeout: -1,
}

type Injection = {
  readonly at: number
  readonly kind: 'proto' | 'constructor' | 'toString' | 'null'
  readonly key: number
}

const injection: fc.Arbitrary<Injection> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('proto', 'constructor', 'toString', 'null'),
  key: fc.nat(),
})

const objectsOf = (value: unknown): Array<Record<string, unknown>> => {
  const out: Array<Record<string, unknown>> = []
  const walk = (v: unknown): void => {
    if (typeof v !== 'object' || v === null) return
    if (!Array.isArray(v)) out.push(v as Record<string, unknown>)
    for (const child of Object.values(v)) walk(child)
  }
  walk(value)
  return out
}

/** `value` as JSON.parse would give it after the injections. */
const poison = (value: unknown, injections: readonly Injection[]): unknown => {
  const copy = JSON.parse(JSON.stringify(value) ?? 'null') as unknown
  for (const { at, kind, key } of injections) {
    const objects = objectsOf(copy)
    const target = objects[at % Math.max(1, objects.length)]
    if (target === undefined) break
    const keys = Object.keys(target)
    const fields = Object.keys(BAD_FIELDS)
    const payload = JSON.parse(
      JSON.stringify(
        Object.fromEntries(
          fields
            .filter((_, i) => (key >> i) % 2 === 1 || i === key % fields.length)
            .map((f) => [f, BAD_FIELDS[f as keyof typeof BAD_FIELDS]]),
        ),
      ),
    ) as Record<string, unknown>
    if (kind === 'proto') {
      Object.defineProperty(target, '__proto__', {
        value: payload,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    } else if (kind === 'null') {
      const name = keys[key % Math.max(1, keys.length)]
      if (name !== undefined) target[name] = null
    } else target[kind] = key % 2 === 0 ? payload : key
  }
  return JSON.parse(JSON.stringify(copy) ?? 'null') as unknown
}

const hostile = <T>(base: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.tuple(base, fc.array(injection, { minLength: 1, maxLength: 6 })).map(([v, injections]) => poison(v, injections))

const noThrow = <A>(decode: () => A): A => {
  try {
    return decode()
  } catch (error) {
    throw new Error(`a decoder threw: ${String(error)}`, { cause: error })
  }
}

const rightOf = <L, A>(either: E.Either<L, A>): A | undefined => (E.isRight(either) ? either.right : undefined)

describe('every decoder, on hostile JSON', () => {
  const ids = [TASK, 'scale_job_fw1_1x1_pull']

  test.prop([fc.oneof(hostile(mesosStatus(ids)), hostile(fc.jsonValue()))])('TaskUpdate.fromMesos', (json) => {
    const update = rightOf(noThrow(() => TaskUpdate.fromMesos(json)))
    if (update === undefined) return
    expect(TaskUpdate.codec.is(update)).toBe(true)
    expect(Number.isSafeInteger(update.timestamp)).toBe(true)
    expect(foreignObjects(update)).toEqual([])
  })

  test.prop([fc.oneof(hostile(taskUpdate(ids)), hostile(fc.jsonValue()))])('TaskUpdate.decode', (json) => {
    const update = rightOf(noThrow(() => TaskUpdate.decode(json)))
    if (update === undefined) return
    expect(TaskUpdate.codec.is(update)).toBe(true)
    expect(foreignObjects(update)).toEqual([])
  })

  test.prop([
    fc.oneof(
      eventStream({ maxLength: 12 }).map((s) => s.events),
      fc.array(fc.jsonValue(), { maxLength: 3 }),
    ),
    fc.array(injection, { minLength: 1, maxLength: 6 }),
  ])('EventLog.decodeLine, and replaying what it accepts', (events, injections) => {
    let replay = EventLog.startReplay()
    let accepted = 0
    const lines = (events as readonly unknown[]).map((e) => JSON.stringify(poison(e, injections)))
    lines.forEach((line, i) => {
      const entry = rightOf(noThrow(() => EventLog.decodeLine(line)))
      if (entry !== undefined) {
        accepted++
        expect(Number.isFinite(entry.now)).toBe(true)
        expect(foreignObjects(entry)).toEqual([])
      }
      replay = noThrow(() => EventLog.replayLine(replay, line, i + 1))
    })
    expect(replay.replayed).toBe(accepted)
  })

  const resultsJson = fc.record(
    {
      version: fc.constant('1.0'),
      tasks: fc.array(
        fc.record(
          {
            task_id: fc.constant(TASK),
            type: fc.constantFrom('pull', 'main'),
            was_launched: fc.boolean(),
            launched: fc.constant('2026-01-01T00:00:00Z'),
            started: fc.constant('2026-01-01T00:00:02'),
            ended: fc.constant('2026-01-01T00:10:00.000+01:00'),
            was_started: fc.boolean(),
            was_timed_out: fc.boolean(),
            status: fc.constantFrom('FINISHED', 'FAILED'),
            exit_code: fc.integer({ min: -2, max: 3 }),
          },
          { requiredKeys: ['task_id', 'type', 'was_launched'] },
        ),
        { maxLength: 3 },
      ),
    },
    { requiredKeys: [] },
  )

  test.prop([fc.oneof(hostile(resultsJson), hostile(fc.jsonValue()))])('TaskResults.decode', (json) => {
    const results = rightOf(noThrow(() => TaskResults.decode(json)))
    if (results === undefined) return
    expect(TaskResults.codec.is(results)).toBe(true)
    expect(foreignObjects(results)).toEqual([])
  })

  const settingsJson = fc.record(
    { stagingTimeout: fc.nat(), pullTimeout: fc.nat(), maxLostRetries: fc.nat(5) },
    { requiredKeys: [] },
  )

  test.prop([fc.oneof(hostile(settingsJson), hostile(fc.jsonValue()))])('Execution.decodeSettings', (json) => {
    const settings = rightOf(noThrow(() => Execution.decodeSettings(json)))
    if (settings === undefined) return
    for (const value of Object.values(settings)) expect(Number.isSafeInteger(value) && Number(value) >= 0).toBe(true)
    expect(foreignObjects(settings)).toEqual([])
  })

  const snapshots = fc.constantFrom<2 | 3>(2, 3).map(snapshotJson)
  test.prop([fc.oneof(hostile(snapshots), hostile(fc.jsonValue()))], { numRuns: runs(60) })(
    'Manager.fromSnapshot',
    (json) => {
      const state = rightOf(noThrow(() => Manager.fromSnapshot(json)))
      if (state === undefined) return
      const again = Manager.toSnapshot(state)
      expect(SnapshotV3Codec.is(again)).toBe(true)
      expect(foreignObjects(again)).toEqual([])
      for (const execution of Manager.runningExecutions(state)) expect(foreignObjects(execution)).toEqual([])
    },
  )
})

describe('decoding problems speak the domain, not io-ts codec names', () => {
  it('say what a field must be: an object with a string value, an integer or nothing, one of the statuses', () => {
    const mesos = TaskUpdate.fromMesos({ task_id: 5, state: 'TASK_RUNNING', timestamp: 1 })
    expect(E.isLeft(mesos) && mesos.left.problems).toEqual([
      { path: 'task_id', message: 'expected an object with a string "value", got 5' },
    ])
    const late = TaskUpdate.fromMesos({ task_id: { value: 't' }, state: 'TASK_RUNNING', timestamp: 'soon' })
    expect(E.isLeft(late) && late.left.problems).toEqual([
      { path: 'timestamp', message: 'expected a finite number of seconds, got "soon"' },
    ])
    const logged = TaskUpdate.decode({ taskId: 't', status: 'RUN', timestamp: 1, exitCode: 'x' })
    expect(E.isLeft(logged) && logged.left.problems).toEqual([
      {
        path: 'status',
        message: 'expected one of STAGING, RUNNING, FINISHED, FAILED, KILLED, LOST or UNKNOWN, got "RUN"',
      },
      { path: 'exitCode', message: 'expected an integer or nothing, got "x"' },
    ])
  })
})
