// Hostile variants of valid events, as a JavaScript host could pass them: one
// field (at any depth) replaced by NaN, an infinity, a fraction, -0, null,
// undefined, a string, an object, an array, a `__proto__`-keyed object, or
// deleted; or the event's type replaced by an unknown or Object.prototype name;
// or `now` made unsafe. Copies only the containers on the changed path, so the
// original stays as it was (and may be frozen).
import { fc } from '@fast-check/vitest'

/** Values no field of an event should be trusted to hold. */
export const HOSTILE_VALUES: readonly unknown[] = [
  NaN,
  Infinity,
  -Infinity,
  1.5,
  -0,
  null,
  undefined,
  '',
  'x',
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  {},
  [],
  JSON.parse('{"__proto__": {"category": "SYSTEM", "status": "CANCELED", "numExes": 1}}'),
  true,
  2 ** 53,
  -1,
]

/** Instants that are not safe integers. */
export const HOSTILE_NOWS: readonly unknown[] = [NaN, Infinity, -Infinity, 0.5, 2 ** 53, '5', null, undefined]

/** Types no reducer knows. */
export const HOSTILE_TYPES: readonly unknown[] = [
  'Bogus',
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  '',
  7,
  null,
]

/** How to make an event hostile: a mode, and picks of a path and of a value. */
export interface Mutation {
  /** 0: bad type; 1: bad now; 2: delete a field; otherwise replace a field. */
  readonly mode: number
  readonly path: number
  readonly value: number
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  mode: fc.nat(9),
  path: fc.nat(),
  value: fc.nat(),
})

/** A mutation drawn from a number, for the volume test's seeded loop. */
export const mutationOf = (n: number): Mutation => ({ mode: n % 10, path: Math.floor(n / 10), value: n * 7 + 3 })

type Path = ReadonlyArray<string | number>

const isContainer = (value: unknown): value is Record<string | number, unknown> =>
  typeof value === 'object' && value !== null

// Every path to a field, depth first, up to a depth and a count (big lists
// and shared settings would only make the pick rarer).
const pathsOf = (value: unknown, prefix: Path = [], out: Path[] = []): Path[] => {
  if (!isContainer(value) || prefix.length >= 6 || out.length >= 400) return out
  const keys: Array<string | number> = Array.isArray(value)
    ? value.slice(0, 4).map((_, i) => i)
    : Object.keys(value).filter((key) => key !== 'settings' || prefix.length === 0)
  for (const key of keys) {
    const path = [...prefix, key]
    out.push(path)
    pathsOf(value[key], path, out)
  }
  return out
}

const copyOf = (value: Record<string | number, unknown>): Record<string | number, unknown> => {
  if (Array.isArray(value)) return value.slice() as unknown as Record<number, unknown>
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    Object.defineProperty(copy, key, { value: value[key], enumerable: true, writable: true, configurable: true })
  }
  return copy
}

// The value with the field at `path` set (or deleted), copying only the path.
const changedAt = (
  value: unknown,
  path: Path,
  change: { readonly delete: boolean; readonly to?: unknown },
): unknown => {
  const [key, ...rest] = path
  if (key === undefined || !isContainer(value)) return value
  const copy = copyOf(value)
  if (rest.length > 0) copy[key] = changedAt(value[key], rest, change)
  else if (change.delete) delete copy[key]
  else Object.defineProperty(copy, key, { value: change.to, enumerable: true, writable: true, configurable: true })
  return copy
}

/** What a mutation makes of an event and its `now`, and what it changed. */
export interface Hostile {
  readonly event: unknown
  readonly now: unknown
  /** The changed field's path (empty for a bad type or now). */
  readonly path: Path
  readonly kind: 'type' | 'now' | 'delete' | 'replace'
}

export const hostileOf = (event: unknown, now: number, m: Mutation): Hostile => {
  if (m.mode === 0) {
    const type = HOSTILE_TYPES[m.value % HOSTILE_TYPES.length]
    return { event: changedAt(event, ['type'], { delete: false, to: type }), now, path: ['type'], kind: 'type' }
  }
  if (m.mode === 1) return { event, now: HOSTILE_NOWS[m.value % HOSTILE_NOWS.length], path: [], kind: 'now' }
  const paths = pathsOf(event).filter((p) => p[0] !== 'type')
  const path = paths[m.path % Math.max(1, paths.length)] ?? []
  if (m.mode === 2) return { event: changedAt(event, path, { delete: true }), now, path, kind: 'delete' }
  const to = HOSTILE_VALUES[m.value % HOSTILE_VALUES.length]
  return { event: changedAt(event, path, { delete: false, to }), now, path, kind: 'replace' }
}

const isOptionalString = (v: unknown): boolean => v === undefined || typeof v === 'string'

// The rule of the events guide for a task update, written out again here as
// the test's own oracle.
const UPDATE_FIELDS: Readonly<Record<string, (v: unknown) => boolean>> = {
  taskId: (v) => typeof v === 'string',
  status: (v) => ['STAGING', 'RUNNING', 'FINISHED', 'FAILED', 'KILLED', 'LOST', 'UNKNOWN'].some((s) => s === v),
  timestamp: (v) => Number.isSafeInteger(v),
  exitCode: (v) => v === undefined || Number.isSafeInteger(v),
  agentId: isOptionalString,
  message: isOptionalString,
  source: isOptionalString,
  reason: isOptionalString,
  containerName: isOptionalString,
}

/** Whether an update breaks the documented rule (so that any reducer must refuse it). */
export const isUnsoundUpdate = (update: unknown): boolean => {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) return true
  const fields = update as Readonly<Record<string, unknown>>
  return Object.entries(UPDATE_FIELDS).some(([key, ok]) => !ok(fields[key]))
}

/**
 * Whether the events guide says a reducer refuses this hostile event as a
 * whole (the very same state): a bad `now` or type, or an unsound update. A
 * field of a list element is not counted (only that element is refused).
 */
export const mustRefuse = (hostile: Hostile): boolean => {
  if (hostile.kind === 'type' || hostile.kind === 'now') return true
  const event = hostile.event as Readonly<Record<string, unknown>>
  if (hostile.path[0] === 'update' && (event.type === 'TaskUpdated' || event.type === 'Updated')) {
    return isUnsoundUpdate(event.update)
  }
  return false
}
