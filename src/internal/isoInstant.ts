/**
 * Instants as ISO 8601 text, as `new Date(ms).toISOString()` writes them, for
 * the task results of every end record (three instants per task).
 *
 * Why: `toISOString` costs 650 to 900 ns per instant, a Date and a calendar
 * computation each time, and an end record has twelve. The instants of a
 * record fall on one or two days, so the date part is computed by
 * `toISOString` once per day (kept in a small table) and the time of day by
 * arithmetic. Years before 1000, after 9999 (`+010000`) or before 0
 * (`-000001`) come out as `toISOString` writes them, since it writes the date
 * part; `test/execution.isoInstant.test.ts` checks every kind of instant
 * against it.
 *
 * @internal
 * @module
 */

/** The largest instant a Date holds, either side of the epoch (ECMAScript's time range). */
export const MAX_DATE = 8.64e15

const DAY = 86_400_000
const HOUR = 3_600_000
const MINUTE = 60_000
const SECOND = 1_000

const TWO_DIGITS: readonly string[] = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'))
const THREE_DIGITS: readonly string[] = Array.from({ length: 1_000 }, (_, i) => String(i).padStart(3, '0'))

// Days by their number modulo the table's size (a power of two); a slot holds
// the last day that fell there. NaN matches no day.
const SLOTS = 64
const days = new Float64Array(SLOTS).fill(Number.NaN)
const prefixes: string[] = Array.from({ length: SLOTS }, () => '')

// `YYYY-MM-DDT` (or `+YYYYYY-MM-DDT`, `-YYYYYY-MM-DDT`) of a day number.
const prefixOf = (day: number): string => {
  const slot = day & (SLOTS - 1)
  if (days[slot] === day) return prefixes[slot] ?? ''
  const iso = new Date(day * DAY).toISOString()
  // The time of day is the last 13 characters: `HH:mm:ss.sssZ`.
  const prefix = iso.slice(0, iso.length - 13)
  days[slot] = day
  prefixes[slot] = prefix
  return prefix
}

/**
 * `new Date(ms).toISOString()` of a finite instant within {@link MAX_DATE}
 * either side of the epoch; a fraction is cut towards zero, as a Date cuts
 * it. Out of that range the answer is unspecified (the caller clamps).
 */
export const isoOfInstant = (instant: number): string => {
  // + 0 turns -0 (from cutting -0.5) into 0, as a Date's time value is.
  const ms = Math.trunc(instant) + 0
  // Exact: |ms / DAY| <= 1e8 < 2^27, where doubles lie at most 2^-26 apart,
  // and an ms that is no midnight is at least 1 / DAY (> 2^-27) from a whole
  // day, so the correctly rounded quotient never rounds onto one.
  const day = Math.floor(ms / DAY)
  let time = ms - day * DAY
  const hours = Math.floor(time / HOUR)
  time -= hours * HOUR
  const minutes = Math.floor(time / MINUTE)
  time -= minutes * MINUTE
  const seconds = Math.floor(time / SECOND)
  time -= seconds * SECOND
  return `${prefixOf(day)}${TWO_DIGITS[hours] ?? ''}:${TWO_DIGITS[minutes] ?? ''}:${TWO_DIGITS[seconds] ?? ''}.${THREE_DIGITS[time] ?? ''}Z`
}
