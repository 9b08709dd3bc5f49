// The structural check of a task update passed directly to a reducer
// (src/internal/updateGuard.ts): the seven statuses and nothing else, each
// answer a boolean.
import { describe, expect, it } from 'vitest'
import { isTaskStatus, isTaskUpdate } from '../src/internal/updateGuard'

const STATUSES = ['STAGING', 'RUNNING', 'FINISHED', 'FAILED', 'KILLED', 'LOST', 'UNKNOWN']

describe('isTaskStatus', () => {
  it('is true of the seven statuses and false of anything else', () => {
    for (const status of STATUSES) expect(isTaskStatus(status)).toBe(true)
    for (const other of ['TASK_LOST', 'running', '', 'toString', undefined, null, 1]) {
      expect(isTaskStatus(other)).toBe(false)
    }
  })

  it('a task update with an unknown status is refused', () => {
    const update = { taskId: 'c_main', status: 'RUNNING', timestamp: 0 }
    expect(isTaskUpdate(update)).toBe(true)
    expect(isTaskUpdate({ ...update, status: 'TASK_RUNNING' })).toBe(false)
  })
})
