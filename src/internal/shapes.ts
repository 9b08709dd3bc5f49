/**
 * Cheap structural checks of values that reach the reducers from JavaScript
 * hosts, where the types protect nothing: the building blocks of the event
 * guards and of the records' guards (records.ts). Hand-written rather than io-ts, since they run on every event; none
 * allocates, none throws, and none reads a key from `Object.prototype` (an own
 * property is what counts).
 *
 * `undefined` stands for an absent optional field; `null` is no value of any
 * field (the codecs at the JSON boundary read it as absent; a directly passed
 * event holding it is refused).
 *
 * @internal
 * @module
 */
import type { ErrorCategory } from '../errors'
import type { TaskType } from '../task'
import { ERROR_CATEGORY, TASK_TYPE } from './literals'

/** A value whose fields may be read. */
export type Fields = Readonly<Record<string, unknown>>

/** A non-null object that is not an array. */
export const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** An object literal (or one without a prototype): not an array, a `Map`, a class instance. */
export const isPlainObject = (value: unknown): value is Fields => {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Whether `key` is an own property of `value`. */
export const hasOwn = (value: object, key: PropertyKey): boolean => Object.prototype.hasOwnProperty.call(value, key)

/** An instant or an integer id: a safe integer (`NaN`, infinities and fractions are not). */
export const isInteger = (value: unknown): value is number => Number.isSafeInteger(value)

/** A duration or a count: a non-negative safe integer. */
export const isNonNegativeInteger = (value: unknown): value is number =>
  Number.isSafeInteger(value) && Number(value) >= 0

/** Absent, or a safe integer. */
export const isOptionalInteger = (value: unknown): value is number | undefined =>
  value === undefined || Number.isSafeInteger(value)

/** Absent, or a string. */
export const isOptionalString = (value: unknown): value is string | undefined =>
  value === undefined || typeof value === 'string'

/** A node id: a string or a safe integer. */
export const isNodeId = (value: unknown): value is number | string =>
  typeof value === 'string' || Number.isSafeInteger(value)

/** One of `SYSTEM`, `ALGORITHM`, `DATA` (never a key of `Object.prototype`). */
export const isErrorCategory: (value: unknown) => value is ErrorCategory = ERROR_CATEGORY.is

/**
 * `is`, remembering the objects it accepted: for records shared by many others
 * (one settings object, one task configuration, one registry for many
 * executions), read-only by contract, so that each is checked once.
 */
export const cached = <T>(is: (value: unknown) => value is T): ((value: unknown) => value is T) => {
  const checked = new WeakSet<object>()
  return (value: unknown): value is T => {
    if (typeof value === 'object' && value !== null && checked.has(value)) return true
    if (!is(value)) return false
    checked.add(value as object)
    return true
  }
}

/**
 * An exit-code lookup: a plain object whose own values all pass `isEntry`,
 * checked once per object (`forExitCode` checks what it reads too, so a lookup
 * changed after this check still cannot break a reducer).
 */
export const lookupOf = (isEntry: (value: unknown) => boolean): ((value: unknown) => value is Fields) =>
  cached((value: unknown): value is Fields => {
    if (!isPlainObject(value)) return false
    for (const key of Object.keys(value)) if (!isEntry(value[key])) return false
    return true
  })

/**
 * A spec's task types as `Execution.create` can honour them: a non-empty list
 * of known types in execution order, without duplicates (it would silently
 * drop or reorder others).
 */
export const isTaskTypeList = (value: unknown): value is readonly TaskType[] => {
  if (!Array.isArray(value) || value.length === 0) return false
  const order: readonly string[] = TASK_TYPE.values
  let previous = -1
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i]
    const place = typeof item === 'string' ? order.indexOf(item) : -1
    if (place <= previous) return false
    previous = place
  }
  return true
}

/** What the outbox passes on of an end record's task results: a string version and a task list. */
export const isTaskResultsLike = (value: unknown): boolean =>
  isObject(value) && typeof value.version === 'string' && Array.isArray(value.tasks)
