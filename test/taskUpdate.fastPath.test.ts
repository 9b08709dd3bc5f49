// The fast path of TaskUpdate.fromMesos (the codec's guard, then the
// conversion) agrees with its io-ts path (decode, then the conversion) on
// every input: the same Right value, key order included, or both Left with the
// same report. Inputs: the test kit's Mesos arbitraries, their fields changed
// to hostile values, `__proto__` keys, foreign prototypes, getters, and any
// JSON at all.
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { TaskUpdate } from '../src/index'
import { decodesAsItself } from '../src/internal/fastPath'
import { fromMesosByCodec } from '../src/internal/logLine'
import { malformedMesosStatus, mesosStatus } from '../src/testing'
import { runs } from './fixtures'

const IDS = ['scale_job_fw1_42x3_main', 'scale_job_fw1_1x1_pull']

type Outcome =
  | { readonly right: TaskUpdate.TaskUpdate; readonly keys: readonly string[] }
  | { readonly left: readonly TaskUpdate.InvalidTaskUpdate['problems'][number][]; readonly message: string }
  | { readonly threw: string }

const outcomeOf = (decode: () => E.Either<TaskUpdate.InvalidTaskUpdate, TaskUpdate.TaskUpdate>): Outcome => {
  try {
    const result = decode()
    return E.isRight(result)
      ? { right: result.right, keys: Object.keys(result.right) }
      : { left: result.left.problems, message: result.left.message }
  } catch (error) {
    return { threw: String(error) }
  }
}

/** Both paths give the same outcome for `input`. */
const agree = (input: unknown): void => {
  const fast = outcomeOf(() => TaskUpdate.fromMesos(input))
  const codec = outcomeOf(() => fromMesosByCodec(input))
  expect(fast).toStrictEqual(codec)
  expect('threw' in fast).toBe(false)
}

// Values a field may hold in hostile JSON (and in what a JavaScript caller passes).
const HOSTILE_VALUES: readonly unknown[] = [
  null,
  undefined,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  1e20,
  1e306,
  9_007_199_254_741,
  2 ** 53 / 1000,
  -1e16,
  0.0005,
  '',
  'TASK_RUNNING',
  7,
  true,
  [],
  ['x'],
  {},
  { value: 7 },
  { value: 'x' },
  { value: null },
  btoa('not json'),
  ' ',
]

const FIELDS = [
  'task_id',
  'agent_id',
  'state',
  'timestamp',
  'message',
  'source',
  'reason',
  'data',
  'uuid',
  '__proto__',
] as const

/** A well-formed status with some of its fields set to hostile values, or removed. */
const mutated = fc
  .tuple(
    mesosStatus(IDS),
    fc.array(
      fc.tuple(fc.constantFrom(...FIELDS), fc.oneof(fc.constantFrom(...HOSTILE_VALUES), fc.constant('remove'))),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([status, changes]) => {
    const copy: Record<string, unknown> = { ...status }
    for (const [field, value] of changes) {
      if (value === 'remove') delete copy[field]
      else Object.defineProperty(copy, field, { value, enumerable: true, writable: true, configurable: true })
    }
    return copy
  })

/** The same, through JSON (so NaN becomes null, `__proto__` an own key of a parsed object). */
const viaJson = mutated.map((status) => JSON.parse(JSON.stringify(status)) as unknown)

/** A `__proto__` key in the text, holding fields that must not come through. */
const poisoned = mesosStatus(IDS).map(
  (status) =>
    JSON.parse(
      JSON.stringify(status).replace(/^\{/, '{"__proto__":{"message":{"toString":1},"data":5,"agent_id":"x"},'),
    ) as unknown,
)

class Foreign {
  constructor(readonly task_id: { readonly value: string }) {}
  get state(): string {
    return 'TASK_RUNNING'
  }
}

/** Objects a JavaScript caller might pass: foreign prototypes, inherited fields, getters (throwing or not). */
const foreign = mesosStatus(IDS).chain((status) =>
  fc.constantFrom<unknown>(
    Object.assign(Object.create({ message: 'inherited' }) as object, status),
    Object.assign(Object.create(null) as object, status),
    Object.assign(new Foreign({ value: 'scale_job_fw1_1x1_pull' }), { timestamp: 5 }),
    { ...status, task_id: Object.assign(Object.create({ value: 'inherited' }) as object, {}) },
    { ...status, labels: new Map([['a', 1]]) },
    Object.defineProperty({ ...status }, 'timestamp', {
      get: () => {
        throw new Error('boom')
      },
      enumerable: true,
    }),
    Object.defineProperty({ ...status }, 'state', { get: () => 'TASK_FINISHED', enumerable: true }),
    Object.defineProperty({ ...status }, 'message', { value: 'hidden', enumerable: false }),
    [status],
  ),
)

describe('TaskUpdate.fromMesos: the fast path and the io-ts path agree', () => {
  test.prop([mesosStatus(IDS)], { numRuns: runs(300) })('on the test kit’s well-formed statuses', (status) => {
    // Not vacuous: every one of them takes the fast path.
    expect(decodesAsItself(TaskUpdate.MesosTaskStatus, status, false)).toBe(true)
    agree(status)
  })

  test.prop([malformedMesosStatus(IDS)], { numRuns: runs(300) })('on the test kit’s malformed statuses', agree)

  test.prop([mutated], { numRuns: runs(500) })('on statuses with hostile field values', agree)

  test.prop([viaJson], { numRuns: runs(300) })('on the same through JSON', agree)

  test.prop([poisoned], { numRuns: runs(100) })('on statuses with a "__proto__" key', agree)

  test.prop([foreign], { numRuns: runs(200) })('on foreign prototypes, getters and non-enumerable fields', agree)

  test.prop([fc.anything()], { numRuns: runs(300) })('on anything at all', agree)

  it('the guard refuses what decode would change: an optional field given as null', () => {
    const status = { task_id: { value: 't' }, state: 'TASK_RUNNING', timestamp: 1, message: null }
    expect(decodesAsItself(TaskUpdate.MesosTaskStatus, status, false)).toBe(false)
    agree(status)
    expect(TaskUpdate.fromMesos(status)).toStrictEqual(E.right({ taskId: 't', status: 'RUNNING', timestamp: 1000 }))
  })

  it('a throwing getter is a Left from either path', () => {
    const status = Object.defineProperty({ task_id: { value: 't' }, state: 'TASK_RUNNING' }, 'timestamp', {
      get: () => {
        throw new Error('boom')
      },
      enumerable: true,
    })
    expect(decodesAsItself(TaskUpdate.MesosTaskStatus, status, false)).toBe(false)
    agree(status)
  })
})
