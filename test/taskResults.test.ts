/**
 * Task results JSON, its codec and accessors, and building it from an
 * execution (contract §8).
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { Execution, TaskResults, type TaskUpdate } from '../src/index'
import { leftOf, rightOf } from './fixtures'

const T0 = Date.UTC(2026, 0, 1)
const CID = 'scale_job_fw1_42x3'
const iso = (ms: number): string => new Date(ms).toISOString()

const ok = (json: unknown): TaskResults.TaskResults => rightOf(TaskResults.decode(json))

const refused = (json: unknown): TaskResults.InvalidTaskResults => leftOf(TaskResults.decode(json))

const paths = (json: unknown): readonly string[] => [...refused(json).problems.map((p) => p.path)].sort()

const FULL_TASK = {
  task_id: `${CID}_main`,
  type: 'main',
  was_launched: true,
  launched: '2026-01-01T00:00:00.000Z',
  was_started: true,
  started: '2026-01-01T00:00:02.000Z',
  was_timed_out: false,
  ended: '2026-01-01T00:10:00.000Z',
  status: 'FINISHED',
  exit_code: 0,
} as const

/** Task results with one task, its fields overridden (an `undefined` override removes the key). */
const withTask = (overrides: Record<string, unknown>): Record<string, unknown> => {
  const task: Record<string, unknown> = { ...FULL_TASK }
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete task[key]
    else task[key] = value
  }
  return { version: '1.0', tasks: [task] }
}

describe('decode', () => {
  it('accepts a full document as it is', () => {
    const json = { version: '1.0', tasks: [FULL_TASK, { task_id: `${CID}_post`, type: 'post', was_launched: false }] }
    expect(TaskResults.decode(json)).toEqual(E.right(json))
  })

  it('a missing version means 1.0', () => {
    expect(ok({ tasks: [FULL_TASK] })).toEqual({ version: '1.0', tasks: [FULL_TASK] })
  })

  it('missing tasks means []', () => {
    expect(ok({ version: '1.0' })).toEqual({ version: '1.0', tasks: [] })
    expect(ok({})).toEqual({ version: '1.0', tasks: [] })
  })

  it.each(['2.0', '1', '1.0.0', '0.9', ''])('version %j is an unsupported version number', (version) => {
    const error = refused({ version, tasks: [] })
    expect(error).toBeInstanceOf(TaskResults.InvalidTaskResults)
    expect(error.problems).toEqual([{ path: 'version', message: `${version} is an unsupported version number` }])
    expect(error.message).toContain(`${version} is an unsupported version number`)
  })

  it('a version string longer than 50 characters is refused', () => {
    const error = refused({ version: 'x'.repeat(51) })
    expect(error.problems.map((p) => p.path)).toEqual(['version'])
    const fifty = refused({ version: 'x'.repeat(50) })
    expect(fifty.problems).toEqual([{ path: 'version', message: `${'x'.repeat(50)} is an unsupported version number` }])
  })

  it.each([1, 1.0, null, true, ['1.0']])('a version that is not a string (%j) is refused', (version) => {
    expect(paths({ version })).toEqual(['version'])
  })

  it('refuses extra keys at the top level, naming them', () => {
    expect(paths({ version: '1.0', tasks: [], extra: 1 })).toEqual(['extra'])
    expect(paths({ version: '1.0', tasks: [], extra: 1, another: null })).toEqual(['another', 'extra'])
    expect(refused({ tasks: [], extra: 1 }).message).toContain('extra')
  })

  it('refuses extra keys at the task level, naming the path', () => {
    expect(paths(withTask({ node_id: 3 }))).toEqual(['tasks.0.node_id'])
    const second = { version: '1.0', tasks: [FULL_TASK, { ...FULL_TASK, foo: 'bar' }] }
    expect(paths(second)).toEqual(['tasks.1.foo'])
  })

  it('a bad field is refused naming its path (tasks.<index>.<key>)', () => {
    const cases: ReadonlyArray<readonly [string, unknown]> = [
      ['task_id', 5],
      ['task_id', undefined],
      ['type', null],
      ['type', undefined],
      ['was_launched', 'yes'],
      ['was_launched', undefined],
      ['was_started', 1],
      ['was_timed_out', 'false'],
      ['status', 'LOST'],
      ['status', 'RUNNING'],
      ['status', 'finished'],
      ['exit_code', 1.5],
      ['exit_code', '0'],
      ['launched', 1_767_225_600_000],
    ]
    // every case is a Left with exactly one problem ...
    for (const [key, value] of cases) expect(refused(withTask({ [key]: value })).problems).toHaveLength(1)
    // ... at the path of the offending value (one assertion, so every case shows in a failure)
    const actual = cases.map(([key, value]) => [
      key,
      JSON.stringify(value) ?? 'absent',
      paths(withTask({ [key]: value })),
    ])
    const expected = cases.map(([key, value]) => [key, JSON.stringify(value) ?? 'absent', [`tasks.0.${key}`]])
    expect(actual).toEqual(expected)
  })

  it('lists each offending path', () => {
    expect(paths(withTask({ task_id: 5, exit_code: 'x', extra: true }))).toEqual([
      'tasks.0.exit_code',
      'tasks.0.extra',
      'tasks.0.task_id',
    ])
  })

  it('names the bad path of a later task', () => {
    const json = { tasks: [FULL_TASK, { ...FULL_TASK, was_launched: 'no' }] }
    expect(paths(json)).toEqual(['tasks.1.was_launched'])
  })

  it.each([
    'yesterday',
    '',
    '2026-01-01 00:00:00',
    '2026-13-01T00:00:00Z',
    '2026-01-32T00:00:00Z',
    '2026-01-01T25:00:00Z',
    '01/01/2026',
    'Thu, 01 Jan 2026 00:00:00 GMT',
  ])('an ISO field holding %j is refused', (value) => {
    for (const key of ['launched', 'started', 'ended']) {
      const problems = refused(withTask({ [key]: value })).problems
      // exactly one problem, at that field (the exact path is checked below)
      expect(problems).toHaveLength(1)
      expect(problems[0]?.path.endsWith(`.${key}`)).toBe(true)
      expect(problems[0]?.path.startsWith('tasks.0.')).toBe(true)
    }
  })

  it('a bad ISO string is refused naming its exact path', () => {
    expect(paths(withTask({ launched: 'yesterday' }))).toEqual(['tasks.0.launched'])
    expect(paths(withTask({ ended: '2026-01-01 00:00:00' }))).toEqual(['tasks.0.ended'])
  })

  it.each(['2026-02-30T00:00:00Z', '2026-04-31T12:00:00.000Z'])(
    'a date that does not exist (%j) is not an ISO 8601 date-time',
    (value) => {
      expect(E.isLeft(TaskResults.decode(withTask({ started: value })))).toBe(true)
    },
  )

  it.each([
    '2026-00-10T00:00:00Z',
    '2026-01-00T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:60:00Z',
    '2026-01-01T00:00:60Z',
    '2026-01-01T00:00:00+24:00',
    '2026-01-01T00:00:00+00:60',
  ])('an impossible calendar field (%j) is refused', (value) => {
    expect(paths(withTask({ started: value }))).toEqual(['tasks.0.started'])
  })

  it('the refusal of a bad instant says what it got', () => {
    expect(refused(withTask({ started: 'yesterday' })).message).toContain(
      'expected an ISO 8601 date-time string, got "yesterday"',
    )
    expect(refused(withTask({ started: 7 })).message).toContain('got 7')
  })

  it('an instant must be a string, not a list holding one', () => {
    expect(paths(withTask({ started: ['2026-01-01T00:00:00Z'] }))).toEqual(['tasks.0.started'])
  })

  it.each([
    '2026-01-01T00:00:00Z',
    '2026-12-31T23:59:59Z',
    '2024-02-29T12:00:00Z',
    '2026-01-01T00:00:00.123Z',
    '2026-01-01T01:00:00+01:00',
    '2026-06-30T23:59:59.5-05:00',
  ])('accepts the ISO 8601 date-time %j', (value) => {
    expect(E.isRight(TaskResults.decode(withTask({ started: value })))).toBe(true)
  })

  it.each([null, 'x', 42, [], true])('a non-object document (%j) is refused', (json) => {
    expect(refused(json)).toBeInstanceOf(TaskResults.InvalidTaskResults)
  })

  it('a tasks field that is not a list is refused', () => {
    expect(paths({ version: '1.0', tasks: {} })).toEqual(['tasks'])
    expect(paths({ version: '1.0', tasks: 'x' })).toEqual(['tasks'])
    expect(paths({ version: '1.0', tasks: [7] })).toEqual(['tasks.0'])
  })

  it('the codec decodes just like decode', () => {
    expect(E.isRight(TaskResults.codec.decode({}))).toBe(true)
    expect(E.isLeft(TaskResults.codec.decode({ version: '2.0' }))).toBe(true)
  })
})

describe('accessors', () => {
  const results = ok({
    tasks: [
      FULL_TASK,
      {
        task_id: `${CID}_pre`,
        type: 'pre',
        was_launched: true,
        launched: '2026-01-01T00:00:00.000Z',
        was_started: true,
        started: '2026-01-01T01:00:00+01:00',
      },
      {
        task_id: `${CID}_post`,
        type: 'post',
        was_launched: true,
        launched: '2026-01-01T00:11:00.000Z',
        was_started: false,
      },
    ],
  })

  it('taskStarted and taskEnded return ms instants', () => {
    expect(TaskResults.taskStarted(results, 'main')).toBe(T0 + 2_000)
    expect(TaskResults.taskEnded(results, 'main')).toBe(T0 + 600_000)
    // offsets are honoured
    expect(TaskResults.taskStarted(results, 'pre')).toBe(T0)
  })

  it('taskRunLength is ended minus started, in ms', () => {
    expect(TaskResults.taskRunLength(results, 'main')).toBe(598_000)
  })

  it('are undefined when absent', () => {
    expect(TaskResults.taskEnded(results, 'pre')).toBeUndefined()
    expect(TaskResults.taskRunLength(results, 'pre')).toBeUndefined()
    expect(TaskResults.taskStarted(results, 'post')).toBeUndefined()
    expect(TaskResults.taskEnded(results, 'post')).toBeUndefined()
    expect(TaskResults.taskRunLength(results, 'post')).toBeUndefined()
    expect(TaskResults.taskStarted(results, 'pull')).toBeUndefined()
    expect(TaskResults.taskEnded(results, 'pull')).toBeUndefined()
    expect(TaskResults.taskRunLength(results, 'pull')).toBeUndefined()
    expect(TaskResults.taskStarted(ok({}), 'main')).toBeUndefined()
  })

  it('taskRunLength is undefined for a task that ended without starting', () => {
    const staged = ok(withTask({ was_started: false, started: undefined }))
    expect(TaskResults.taskEnded(staged, 'main')).toBe(T0 + 600_000)
    expect(TaskResults.taskRunLength(staged, 'main')).toBeUndefined()
  })
})

describe('fromExecution', () => {
  const spec: Execution.ExecutionSpec = {
    id: 1,
    clusterId: CID,
    jobId: 42,
    exeNum: 3,
    jobTypeId: 5,
    nodeId: 'node-a',
    agentId: 'agent-1',
    queued: T0 - 10_000,
    started: T0 - 1_000,
    jobType: { name: 'ingest', isSystem: false, isLongRunning: false, timeout: 3_600_000 },
  }
  const update = (
    type: string,
    status: TaskUpdate.TaskStatus,
    timestamp: number,
    extra: Partial<TaskUpdate.TaskUpdate> = {},
  ): Execution.ExecutionEvent => ({
    type: 'TaskUpdated',
    update: { taskId: `${CID}_${type}`, status, timestamp, ...extra },
  })
  const run = (events: ReadonlyArray<readonly [Execution.ExecutionEvent, number]>): Execution.Execution =>
    events.reduce((exe, [event, now]) => Execution.reduce(exe, event, now), Execution.create(spec))

  const START: Execution.ExecutionEvent = { type: 'NextTaskStarted' }
  const LAUNCH: Execution.ExecutionEvent = { type: 'TaskLaunched' }

  it('a fresh execution: every task only with task_id, type, was_launched false', () => {
    expect(TaskResults.fromExecution(Execution.create(spec))).toStrictEqual({
      version: '1.0',
      tasks: ['pull', 'pre', 'main', 'post'].map((type) => ({ task_id: `${CID}_${type}`, type, was_launched: false })),
    })
  })

  it('launched, not started: also launched and was_started false', () => {
    const exe = run([
      [START, T0],
      [LAUNCH, T0 + 5],
    ])
    const first = TaskResults.fromExecution(exe).tasks[0]
    expect(first).toStrictEqual({
      task_id: `${CID}_pull`,
      type: 'pull',
      was_launched: true,
      launched: iso(T0 + 5),
      was_started: false,
    })
  })

  it('started, not ended: also started and was_timed_out; no ended, status or exit code', () => {
    const exe = run([
      [START, T0],
      [LAUNCH, T0],
      [update('pull', 'RUNNING', T0 + 1_000), T0 + 1_100],
    ])
    expect(TaskResults.fromExecution(exe).tasks[0]).toStrictEqual({
      task_id: `${CID}_pull`,
      type: 'pull',
      was_launched: true,
      launched: iso(T0),
      was_started: true,
      started: iso(T0 + 1_000),
      was_timed_out: false,
    })
  })

  it('ended with an exit code: ended, status and exit_code', () => {
    const exe = run([
      [START, T0],
      [LAUNCH, T0],
      [update('pull', 'RUNNING', T0 + 1_000), T0 + 1_100],
      [update('pull', 'FAILED', T0 + 4_000, { exitCode: 1 }), T0 + 4_100],
    ])
    expect(TaskResults.fromExecution(exe).tasks[0]).toStrictEqual({
      task_id: `${CID}_pull`,
      type: 'pull',
      was_launched: true,
      launched: iso(T0),
      was_started: true,
      started: iso(T0 + 1_000),
      was_timed_out: false,
      ended: iso(T0 + 4_000),
      status: 'FAILED',
      exit_code: 1,
    })
  })

  it('ended without an exit code: no exit_code', () => {
    const exe = run([
      [START, T0],
      [LAUNCH, T0],
      [update('pull', 'RUNNING', T0 + 1_000), T0 + 1_100],
      [update('pull', 'KILLED', T0 + 4_000), T0 + 4_100],
    ])
    const first = TaskResults.fromExecution(exe).tasks[0]
    expect(first?.status).toBe('KILLED')
    expect(first?.ended).toBe(iso(T0 + 4_000))
    expect(first !== undefined && 'exit_code' in first).toBe(false)
  })

  it('timed out: was_timed_out true', () => {
    const exe = run([
      [START, T0],
      [LAUNCH, T0],
      [update('pull', 'RUNNING', T0 + 1_000), T0 + 1_100],
      [{ type: 'TaskTimedOut', taskId: `${CID}_pull` }, T0 + 31 * 60_000],
    ])
    expect(TaskResults.fromExecution(exe).tasks[0]).toStrictEqual({
      task_id: `${CID}_pull`,
      type: 'pull',
      was_launched: true,
      launched: iso(T0),
      was_started: true,
      started: iso(T0 + 1_000),
      was_timed_out: true,
    })
  })

  it('a task that failed to launch gives only its launch', () => {
    const exe = run([
      [START, T0],
      [LAUNCH, T0],
      [update('pull', 'FAILED', T0 + 500), T0 + 600],
    ])
    expect(TaskResults.fromExecution(exe).tasks[0]).toStrictEqual({
      task_id: `${CID}_pull`,
      type: 'pull',
      was_launched: true,
      launched: iso(T0),
      was_started: false,
    })
  })

  it('a lost task gives its current id and is no longer launched', () => {
    const exe = run([
      [START, T0],
      [LAUNCH, T0],
      [update('pull', 'RUNNING', T0 + 1_000), T0 + 1_100],
      [update('pull', 'LOST', T0 + 2_000), T0 + 2_100],
    ])
    expect(TaskResults.fromExecution(exe).tasks[0]).toStrictEqual({
      task_id: `${CID}_pull_lost-1`,
      type: 'pull',
      was_launched: false,
    })
  })

  it('what it builds decodes to itself, and equals the end record results', () => {
    const exe = run([
      [START, T0],
      [LAUNCH, T0],
      [update('pull', 'RUNNING', T0 + 1_000), T0 + 1_100],
      [update('pull', 'FINISHED', T0 + 2_000), T0 + 2_100],
      [START, T0 + 3_000],
      [LAUNCH, T0 + 3_000],
      [update('pre', 'RUNNING', T0 + 4_000), T0 + 4_100],
    ])
    const built = TaskResults.fromExecution(exe)
    expect(TaskResults.decode(JSON.parse(JSON.stringify(built)))).toEqual(E.right(built))
    expect(Execution.endRecord(exe).taskResults).toEqual(built)
    expect(TaskResults.taskRunLength(built, 'pull')).toBe(1_000)
    expect(TaskResults.taskStarted(built, 'pre')).toBe(T0 + 4_000)
    expect(TaskResults.taskEnded(built, 'pre')).toBeUndefined()
  })
})

describe('date-times without a zone are UTC, whatever the host time zone', () => {
  // Each zone in a process of its own (see test/fixtures/zoneRead.ts): the same
  // results must give the same instants in New York, Kathmandu (+05:45) and UTC.
  const tsx = join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx')
  const script = join(import.meta.dirname, 'fixtures', 'zoneRead.ts')
  const results = {
    version: '1.0',
    tasks: [
      { ...FULL_TASK, started: '2026-01-01T00:00:00', ended: '2026-01-01T00:10:00.000Z' },
      { ...FULL_TASK, type: 'post', started: '2026-07-01T12:30', ended: '2026-07-01T12:30:05.5' },
      { ...FULL_TASK, type: 'pre', started: '2026-03-29', ended: '2026-03-29T01:00:00+01:00' },
    ],
  }

  it("in this process's own zone", () => {
    const read = ok(results)
    expect(TaskResults.taskStarted(read, 'main')).toBe(Date.UTC(2026, 0, 1))
    expect(TaskResults.taskRunLength(read, 'main')).toBe(600_000)
    expect(TaskResults.taskEnded(read, 'post')).toBe(Date.UTC(2026, 6, 1, 12, 30, 5, 500))
    expect(TaskResults.taskRunLength(read, 'pre')).toBe(0)
  })

  it.each(['America/New_York', 'Asia/Kathmandu', 'UTC'])('in %s', (zone) => {
    const out = execFileSync(tsx, [script, JSON.stringify(results)], {
      encoding: 'utf8',
      env: { ...process.env, TZ: zone },
    })
    const read: unknown = JSON.parse(out)
    expect(read).toEqual({
      zoneIsApplied: zone !== 'UTC',
      started: Date.UTC(2026, 0, 1),
      runLength: 600_000,
      post: [Date.UTC(2026, 6, 1, 12, 30), Date.UTC(2026, 6, 1, 12, 30, 5, 500)],
      pre: 0,
    })
  })
})

describe('task results versions', () => {
  it('say what is wrong with a version', () => {
    const message = (json: unknown): string =>
      E.fold(
        (e: TaskResults.InvalidTaskResults) => e.problems.map((p) => p.message).join(';'),
        () => 'accepted',
      )(TaskResults.decode(json))
    expect(message({ version: 7 })).toBe('expected a version string, got number')
    expect(message({ version: 'x'.repeat(51) })).toBe('version strings are at most 50 characters')
    expect(message({ version: 'x'.repeat(50) })).toBe(`${'x'.repeat(50)} is an unsupported version number`)
    expect(TaskResults.codec.is({ version: '1.0', tasks: [] })).toBe(true)
    expect(TaskResults.codec.is({ version: '2.0', tasks: [] })).toBe(false)
  })

  it('check every calendar field', () => {
    const started = (value: string): boolean =>
      E.isRight(TaskResults.decode({ tasks: [{ task_id: 't', type: 'main', was_launched: true, started: value }] }))
    expect(started('2026-01-01T00:59:59Z')).toBe(true)
    expect(started('2026-01-01T00:60:00Z')).toBe(false)
    expect(started('2026-01-01T00:00:60Z')).toBe(false)
    expect(started('2026-01-01T00:00:00+24:00')).toBe(false)
    expect(started('2026-01-01T00:00:00+01:60')).toBe(false)
    expect(started('2026-01-01T00:00:00+23:59')).toBe(true)
  })
})
