/**
 * The errors a job execution can fail with.
 *
 * An error is plain data, `{ name, category, title }`. The builtin ones are in
 * {@link BUILTIN}; hosts bring their own for exit codes (a registry for system
 * exit codes, and one mapping per job type), as plain records keyed by the exit
 * code so that they are JSON as they stand.
 *
 * @since 0.1.0
 * @module
 */

import { isJobError } from './internal/fieldGuards'
import type * as t from 'io-ts'
import { ERROR_CATEGORY } from './internal/literals'
import type { JobErrorShape } from './internal/records'

export type { Problem } from './internal/decode'

/**
 * Who is to blame for a failure: the system, the algorithm, or its input data.
 *
 * @useDeclaredType
 * @category model
 * @since 0.1.0
 */
export type ErrorCategory = (typeof ERROR_CATEGORY.values)[number]

/**
 * The error categories, in the order the status JSON lists them.
 *
 * @category constants
 * @since 0.1.0
 */
export const CATEGORIES: readonly ErrorCategory[] = ERROR_CATEGORY.values

/**
 * An error a job execution fails with.
 *
 * @example
 * import type { Errors } from 'job-execution-core'
 * const outOfMemory: Errors.JobError = { name: 'oom', category: 'SYSTEM', title: 'Out of memory' }
 *
 * @category model
 * @since 0.1.0
 */
export interface JobError extends Readonly<t.TypeOf<typeof JobErrorShape>> {}

/**
 * A lookup from exit codes to errors, as the host passes it in: `{ 2: error }`.
 *
 * @category model
 * @since 0.1.0
 */
export type ExitCodeErrors = Readonly<Record<number, JobError>>

const error = (name: string, title: string, category: ErrorCategory = 'SYSTEM'): JobError => ({
  name,
  category,
  title,
})

/**
 * The builtin errors, by name. All are `SYSTEM` errors except `timeout`,
 * `algorithm-unknown`, `invalid-results-manifest`, `missing-required-output`
 * and `unexpected-multiple-outputs`, which are `ALGORITHM` errors.
 *
 * @example
 * import { Errors } from 'job-execution-core'
 * Errors.BUILTIN['node-lost'].category // 'SYSTEM'
 * Errors.BUILTIN.timeout.category // 'ALGORITHM'
 *
 * @category constants
 * @since 0.1.0
 */
export const BUILTIN = {
  unknown: error('unknown', 'Unknown Error'),
  'task-launch': error('task-launch', 'Task Launch Error'),
  'docker-task-launch': error('docker-task-launch', 'Docker Task Launch Error'),
  'docker-terminated': error('docker-terminated', 'Docker Terminated'),
  'node-lost': error('node-lost', 'Node Lost'),
  'resource-starvation': error('resource-starvation', 'Resource Starvation'),
  'launch-timeout': error('launch-timeout', 'Launch Timeout'),
  'pull-timeout': error('pull-timeout', 'Pull Timeout'),
  'pre-timeout': error('pre-timeout', 'Pre-task Timeout'),
  'post-timeout': error('post-timeout', 'Post-task Timeout'),
  'system-timeout': error('system-timeout', 'System Task Timeout'),
  timeout: error('timeout', 'Timeout', 'ALGORITHM'),
  pull: error('pull', 'Docker Pull Error'),
  'algorithm-unknown': error('algorithm-unknown', 'Unknown Algorithm Error', 'ALGORITHM'),
  'invalid-results-manifest': error('invalid-results-manifest', 'Invalid Results Manifest', 'ALGORITHM'),
  'missing-required-output': error('missing-required-output', 'Missing Required Output', 'ALGORITHM'),
  'missing-setting': error('missing-setting', 'Missing Setting'),
  'missing-mount': error('missing-mount', 'Missing Mount'),
  'unexpected-multiple-outputs': error('unexpected-multiple-outputs', 'Unexpected Multiple Outputs', 'ALGORITHM'),
  'scheduler-lost': error('scheduler-lost', 'Scheduler Lost'),
  database: error('database', 'Database Error'),
  'database-operation': error('database-operation', 'Database Operation Error'),
  'filesystem-io': error('filesystem-io', 'Filesystem I/O Error'),
} as const satisfies Readonly<Record<string, JobError>>

/**
 * The system exit codes Scale registers, and their errors: the registry a host
 * migrating from Scale passes as `exitCodeErrors` (used by pre, post and system
 * main tasks). Scale registers 2 `database`, 3 `database-operation` and 4
 * `filesystem-io` in `error/apps.py` (the errors of `error/exceptions.py`), and
 * 5 `invalid-results-manifest`, 6 `missing-setting`, 7
 * `missing-required-output` and 10 `missing-mount` in `job/apps.py`.
 *
 * @example
 * import { Errors } from 'job-execution-core'
 * Errors.SCALE_EXIT_CODES[3]?.name // 'database-operation'
 *
 * @category constants
 * @since 0.2.0
 */
export const SCALE_EXIT_CODES: ExitCodeErrors = {
  2: BUILTIN.database,
  3: BUILTIN['database-operation'],
  4: BUILTIN['filesystem-io'],
  5: BUILTIN['invalid-results-manifest'],
  6: BUILTIN['missing-setting'],
  7: BUILTIN['missing-required-output'],
  10: BUILTIN['missing-mount'],
}

/**
 * The name of a builtin error.
 *
 * @category model
 * @since 0.1.0
 */
export type BuiltinErrorName = keyof typeof BUILTIN

/**
 * The error an exit code maps to in a lookup, if any. Never throws, whatever the
 * lookup holds: a lookup that is not an object (`null` included) maps nothing,
 * only own entries count (never a key of `Object.prototype`), and an entry that
 * is not a job error with a known category is no error.
 *
 * @example
 * import { Errors } from 'job-execution-core'
 * const mapping = { 2: Errors.BUILTIN['filesystem-io'] }
 * Errors.forExitCode(mapping, 2)?.name // 'filesystem-io'
 * Errors.forExitCode(mapping, 3) // undefined
 *
 * @category lookups
 * @since 0.1.0
 */
export const forExitCode = (lookup: ExitCodeErrors | undefined, exitCode: number | undefined): JobError | undefined => {
  const table: unknown = lookup
  if (typeof table !== 'object' || table === null || typeof exitCode !== 'number') return undefined
  if (!Object.prototype.hasOwnProperty.call(table, exitCode)) return undefined
  const found: unknown = (table as Readonly<Record<number, unknown>>)[exitCode]
  return isJobError(found) ? found : undefined
}
