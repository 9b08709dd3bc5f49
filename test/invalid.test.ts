// The invalid-input errors, all built by one factory (src/internal/invalid.ts):
// each keeps its own class, name, tag, message and problems.
import { describe, expect, it } from 'vitest'
import { Execution, Manager, TaskResults, TaskUpdate } from '../src/index'

const problems = [{ path: 'a.b', message: 'expected an integer, got "x"' }]

const classes = [
  ['InvalidSettings', Execution.InvalidSettings, 'invalid settings:\n'],
  ['InvalidTaskUpdate', TaskUpdate.InvalidTaskUpdate, 'invalid task update:\n'],
  ['InvalidTaskResults', TaskResults.InvalidTaskResults, 'invalid task results:\n'],
  ['InvalidSnapshot', Manager.InvalidSnapshot, 'invalid snapshot:\n'],
] as const

describe('invalid-input errors', () => {
  for (const [name, Class, prefix] of classes) {
    it(`${name} is an Error of its own class with its name, tag, message and problems`, () => {
      const error = new Class(problems)
      expect(error).toBeInstanceOf(Error)
      expect(error).toBeInstanceOf(Class)
      for (const [other, Other] of classes) if (other !== name) expect(error).not.toBeInstanceOf(Other)
      expect(error.name).toBe(name)
      expect(error._tag).toBe(name)
      expect(error.problems).toBe(problems)
      expect(error.message.startsWith(prefix)).toBe(true)
      expect(error.message).toContain('a.b')
      expect(Error.prototype.toString.call(error).startsWith(`${name}: ${prefix}`)).toBe(true)
    })
  }
})
