/**
 * The closed sets of names the library's records use (error categories,
 * execution, task and job statuses, task types), each written once as a
 * tuple of literals: the public union is `(typeof X.values)[number]`, the
 * codec and the guard are built from the same tuple here.
 *
 * A leaf module (io-ts only), so that every public module can take its set
 * from here without an import cycle.
 *
 * @internal
 * @module
 */
import * as t from 'io-ts'

/** A closed set of string literals: its values in order, its codec, its guard. */
export interface Literals<L extends string> {
  /** The values, in the order given. */
  readonly values: readonly L[]
  /** Decodes exactly these strings; problems say `one of A, B or C`. */
  readonly codec: t.Type<L, L, unknown>
  /** Whether a value is one of them (never a key of `Object.prototype`). */
  readonly is: (value: unknown) => value is L
}

/** The set of `values`, named `name` in problems. */
export const literals = <const V extends readonly [string, ...string[]]>(
  values: V,
  name: string,
): Literals<V[number]> & { readonly values: V } => {
  type L = V[number]
  const keys = Object.fromEntries(values.map((value) => [value, null])) as Record<L, null>
  // The first three compared one by one (as fast as a hand-written `===`
  // chain, twice as fast as `includes`, on the task update path), the rest scanned.
  const [first, second, third, ...rest] = values as readonly string[]
  return {
    values,
    codec: t.keyof(keys, name),
    is: (value: unknown): value is L =>
      typeof value === 'string' && (value === first || value === second || value === third || rest.includes(value)),
  }
}

/** Who is to blame for a failure, in the order the status JSON lists them. */
export const ERROR_CATEGORY = literals(['ALGORITHM', 'DATA', 'SYSTEM'], 'ErrorCategory')

/** An execution's status. */
export const EXECUTION_STATUS = literals(['RUNNING', 'COMPLETED', 'FAILED', 'CANCELED'], 'ExecutionStatus')

/** The kinds of task, in the order an execution runs them. */
export const TASK_TYPE = literals(['pull', 'pre', 'main', 'post'], 'TaskType')

/** A task status, as the library sees it. */
export const TASK_STATUS = literals(
  ['STAGING', 'RUNNING', 'FINISHED', 'FAILED', 'KILLED', 'LOST', 'UNKNOWN'],
  'TaskStatus',
)

/** The task statuses that end a task (a task's `finalStatus`, a task result's `status`). */
export const TERMINAL_STATUS = literals(['FINISHED', 'FAILED', 'KILLED'], 'FinalTaskStatus')

/** A job's status in the host's database, in Scale's order. */
export const JOB_STATUS = literals(
  ['PENDING', 'BLOCKED', 'QUEUED', 'RUNNING', 'FAILED', 'COMPLETED', 'CANCELED'],
  'JobStatus',
)
