/**
 * The error values of the library (contract §3): the lookup of exit codes, and
 * the Left values of every decoder, which name themselves and each problem.
 */
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { Container, Errors, Execution, Manager, TaskResults, TaskUpdate } from '../src/index'

describe('error values name themselves', () => {
  it('as class, tag and name', () => {
    const settings = Execution.decodeSettings({ pullTimeout: -1 })
    const update = TaskUpdate.fromMesos({})
    const results = TaskResults.decode({ version: 7 })
    const snapshot = Manager.fromSnapshot({})
    const volume = Container.inputVolumeName({ clusterId: null })
    const leftOf = <L>(x: E.Either<L, unknown>): L | undefined => (E.isLeft(x) ? x.left : undefined)
    const lefts = [leftOf(settings), leftOf(update), leftOf(results), leftOf(snapshot), leftOf(volume)]
    expect(lefts.map((e) => [e?._tag, e?.name])).toEqual([
      ['InvalidSettings', 'InvalidSettings'],
      ['InvalidTaskUpdate', 'InvalidTaskUpdate'],
      ['InvalidTaskResults', 'InvalidTaskResults'],
      ['InvalidSnapshot', 'InvalidSnapshot'],
      ['QueuedExecution', 'QueuedExecution'],
    ])
    expect(lefts.every((e) => e instanceof Error)).toBe(true)
  })

  it('TaskUpdate.decode refuses with an InvalidTaskUpdate naming the path', () => {
    const decoded = TaskUpdate.decode({ taskId: 'x', status: 'RUNNING', timestamp: 'soon' })
    expect(E.isLeft(decoded) && decoded.left instanceof TaskUpdate.InvalidTaskUpdate).toBe(true)
    expect(E.isLeft(decoded) ? decoded.left.problems.map((p) => p.path) : []).toEqual(['timestamp'])
  })
})

describe('decoding problems read plainly', () => {
  const problemsOf = <A>(decoded: E.Either<{ readonly problems: readonly unknown[] }, A>): readonly unknown[] =>
    E.isLeft(decoded) ? decoded.left.problems : []

  it('say what was expected and what came, nothing when a key is missing', () => {
    expect(problemsOf(TaskUpdate.decode({}))).toEqual([
      { path: 'taskId', message: 'expected a string, got nothing' },
      {
        path: 'status',
        message: 'expected one of STAGING, RUNNING, FINISHED, FAILED, KILLED, LOST or UNKNOWN, got nothing',
      },
      { path: 'timestamp', message: 'expected an integer, got nothing' },
    ])
  })

  it('cut a long value to 60 characters', () => {
    const long = 'x'.repeat(100)
    expect(problemsOf(TaskUpdate.decode({ taskId: 'a', status: 'RUNNING', timestamp: long }))).toEqual([
      { path: 'timestamp', message: `expected an integer, got "${'x'.repeat(56)}...` },
    ])
    const fits = 'x'.repeat(58)
    expect(problemsOf(TaskUpdate.decode({ taskId: 'a', status: 'RUNNING', timestamp: fits }))).toEqual([
      { path: 'timestamp', message: `expected an integer, got "${fits}"` },
    ])
  })

  it('name unexpected keys, one line each in the message', () => {
    const decoded = Execution.decodeSettings({ bogus: 1, stagingTimeout: 'x' })
    expect(E.isLeft(decoded) && decoded.left.message).toBe(
      'invalid settings:\nstagingTimeout: expected a non-negative integer, got "x"\nbogus: unexpected key \'bogus\'',
    )
  })
})

describe('Errors.forExitCode', () => {
  it('finds nothing without a lookup or an exit code, and ignores inherited keys', () => {
    const lookup = { 0: Errors.BUILTIN.database }
    expect(Errors.forExitCode(undefined, 0)).toBeUndefined()
    expect(Errors.forExitCode(lookup, undefined)).toBeUndefined()
    expect(Errors.forExitCode(lookup, 0)).toBe(Errors.BUILTIN.database)
    expect(Errors.forExitCode(Object.create({ 3: Errors.BUILTIN.unknown }) as Errors.ExitCodeErrors, 3)).toBeUndefined()
  })
})
