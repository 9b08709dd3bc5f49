// The closed sets of names (src/internal/literals.ts): each set's guard and
// codec accept exactly its values.
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import {
  ERROR_CATEGORY,
  EXECUTION_STATUS,
  JOB_STATUS,
  literals,
  TASK_STATUS,
  TASK_TYPE,
  TERMINAL_STATUS,
} from '../src/internal/literals'

const SETS = { ERROR_CATEGORY, EXECUTION_STATUS, JOB_STATUS, TASK_STATUS, TASK_TYPE, TERMINAL_STATUS }
const OTHERS: readonly unknown[] = [undefined, null, 0, '', 'toString', '__proto__', 'running', {}, ['RUNNING']]

describe('literal sets', () => {
  for (const [name, set] of Object.entries(SETS)) {
    it(`${name}: the guard and the codec accept its values and nothing else`, () => {
      for (const value of set.values) {
        expect(set.is(value)).toBe(true)
        expect(E.isRight(set.codec.decode(value))).toBe(true)
      }
      for (const value of OTHERS) {
        expect(set.is(value)).toBe(false)
        expect(E.isRight(set.codec.decode(value))).toBe(false)
      }
    })
  }

  it('a set of fewer than three values refuses what its unused slots hold', () => {
    const one = literals(['a'], 'One')
    expect(one.is('a')).toBe(true)
    expect(one.is(undefined)).toBe(false)
    expect(one.is('b')).toBe(false)
  })
})
