/**
 * The one shape of the library's "invalid input" errors (`InvalidSettings`,
 * `InvalidTaskUpdate`, `InvalidTaskResults`, `InvalidSnapshot`): an `Error`
 * whose `name` and `_tag` are the class name, whose `problems` list each
 * offending path, and whose message says what was refused and renders them.
 * Each public class extends the class built here, so that it stays a named,
 * documented export and `instanceof` tells them apart.
 *
 * @internal
 * @module
 */
import { render, type Problem } from './decode'

/**
 * A base class for an invalid-input error named `tag`, whose message starts
 * with `invalid {what}:`. Its type is spelled out so that the published
 * declarations show these fields, not Node's `ErrorConstructor` statics.
 */
export const invalidError = <Tag extends string>(
  tag: Tag,
  what: string,
): new (problems: readonly Problem[]) => Error & {
  /** @since 0.1.0 */
  readonly _tag: Tag
  /** Each offending path, with what is wrong there. */
  readonly problems: readonly Problem[]
} =>
  class extends Error {
    readonly _tag: Tag = tag
    constructor(readonly problems: readonly Problem[]) {
      super(`invalid ${what}:\n${render(problems)}`)
      this.name = tag
    }
  }
