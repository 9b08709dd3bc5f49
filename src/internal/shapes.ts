/**
 * Cheap structural checks of values that reach the reducers from JavaScript
 * hosts, where the types protect nothing: the building blocks of the event
 * guards. Hand-written rather than io-ts, since they run on every event; none
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
import type { ErrorCategory, JobError } from '../errors'
import { ERROR_CATEGORY } from './literals'

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

/** A `{ name, category, title }` with a known category. */
export const isJobError = (value: unknown): value is JobError =>
  isObject(value) &&
  typeof value.name === 'string' &&
  typeof value.title === 'string' &&
  isErrorCategory(value.category)

// Lookups are mostly shared by many specs (one per job type, one registry), and
// read-only by contract: each is checked once.
const checkedLookups = new WeakSet<object>()

/**
 * An exit-code lookup: a plain object whose own values are all job errors
 * (`forExitCode` checks what it reads too, so a lookup changed after this check
 * still cannot break a reducer).
 */
export const isLookup = (value: unknown): boolean => {
  if (!isPlainObject(value)) return false
  if (checkedLookups.has(value)) return true
  for (const key of Object.keys(value)) if (!isJobError(value[key])) return false
  checkedLookups.add(value)
  return true
}

/** Absent, or a lookup (see {@link isLookup}). */
export const isOptionalLookup = (value: unknown): boolean => value === undefined || isLookup(value)
