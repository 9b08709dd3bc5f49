/**
 * Reading a core/v1 `Pod` (or a watch event carrying one) as a task update,
 * by the rules of contract §13 (Kubernetes).
 *
 * Hand-written rather than io-ts: a pod carries dozens of fields this reads
 * nothing of, and it reads only own properties (`hasOwnProperty`), so that
 * JSON `__proto__` keys or inherited properties never count. It never throws:
 * whatever comes (even an object whose getters throw) is a list of problems or
 * an update.
 *
 * @internal
 * @module
 */
import type { Problem } from './decode'
import type { TaskStatus, TaskUpdate } from '../taskUpdate'

type Json = Readonly<Record<string, unknown>>

/** The annotation (or label) naming the task a pod runs. */
export const TASK_ID_KEY = 'job-execution-core/task-id'

/** The annotation naming the task's container among the pod's containers. */
export const CONTAINER_KEY = 'job-execution-core/container'

/** kubectl's annotation for a pod's default container. */
export const DEFAULT_CONTAINER_KEY = 'kubectl.kubernetes.io/default-container'

/** Pod `status.reason`s by which the cluster took the pod away. */
const LOST_REASONS: ReadonlySet<string> = new Set([
  'Evicted',
  'Preempting',
  'NodeLost',
  'Shutdown',
  'NodeShutdown',
  'Terminated',
])

const WATCH_TYPES: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED'])

const hasOwn = (value: object, key: string): boolean => Object.prototype.hasOwnProperty.call(value, key)

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** An own property of an object; `null` counts as absent, as the API server writes absent times. */
const own = (value: Json, key: string): unknown => {
  if (!hasOwn(value, key)) return undefined
  const v = value[key]
  return v === null ? undefined : v
}

const describe = (value: unknown): string => {
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return typeof value
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

/** Days from 1970-01-01 to a civil date (proleptic Gregorian, any year). */
const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (month + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** The number written by `n` ASCII digits of `text` at `at`, or -1. */
const digits = (text: string, at: number, n: number): number => {
  let value = 0
  for (let i = at; i < at + n; i++) {
    const d = text.charCodeAt(i) - 48
    if (!(d >= 0 && d <= 9)) return -1
    value = value * 10 + d
  }
  return value
}

/**
 * An RFC 3339 instant (`2024-05-01T12:00:00Z`, fractional seconds and offsets
 * allowed) as integer milliseconds since the epoch; `undefined` when it is
 * not one. Fractions below the millisecond are dropped. Read character by
 * character: a pod carries several instants, and this is the hot path.
 */
export const parseInstant = (text: string): number | undefined => {
  if (text.length < 20) return undefined
  const year = digits(text, 0, 4)
  const month = digits(text, 5, 2)
  const day = digits(text, 8, 2)
  const hour = digits(text, 11, 2)
  const minute = digits(text, 14, 2)
  const second = digits(text, 17, 2)
  const t = text.charCodeAt(10)
  if (
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 60 ||
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    (t !== 84 && t !== 116 && t !== 32) ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58
  ) {
    return undefined
  }
  const maxDay = month === 2 && !isLeap(year) ? 28 : (DAYS_IN_MONTH[month - 1] ?? 31)
  if (day > maxDay) return undefined
  let i = 19
  let millis = 0
  if (text.charCodeAt(i) === 46) {
    const from = ++i
    while (i < text.length) {
      const d = text.charCodeAt(i) - 48
      if (!(d >= 0 && d <= 9)) break
      if (i - from < 3) millis += d * (i - from === 0 ? 100 : i - from === 1 ? 10 : 1)
      i++
    }
    if (i === from) return undefined
  }
  let offset = 0
  const zone = text.charCodeAt(i)
  if (zone === 90 || zone === 122) {
    i++
  } else if (zone === 43 || zone === 45) {
    const oh = digits(text, i + 1, 2)
    const om = digits(text, i + 4, 2)
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || text.charCodeAt(i + 3) !== 58) return undefined
    offset = (zone === 45 ? -1 : 1) * (oh * 60 + om)
    i += 6
  } else {
    return undefined
  }
  if (i !== text.length) return undefined
  // A leap second (:60) reads as the last millisecond of its minute.
  const seconds = second === 60 ? 59 : second
  const ms = second === 60 ? 999 : millis
  const total = ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute - offset) * 60_000 + seconds * 1000 + ms
  return Number.isSafeInteger(total) ? total : undefined
}

/** What a container's `state` (or `lastState`) says. */
interface ContainerState {
  readonly running: boolean
  readonly runningStartedAt?: number | undefined
  readonly waiting?: { readonly reason?: string | undefined; readonly message?: string | undefined } | undefined
  readonly terminated?:
    | {
        readonly exitCode?: number | undefined
        readonly reason?: string | undefined
        readonly message?: string | undefined
        readonly startedAt?: number | undefined
        readonly finishedAt?: number | undefined
      }
    | undefined
}

/** A container status, as far as it is read. */
interface ContainerStatus {
  readonly containerID?: string | undefined
  readonly state: ContainerState
  readonly lastState: ContainerState
}

const NO_STATE: ContainerState = { running: false }

/** A condition, as far as it is read. */
interface Condition {
  readonly type?: string | undefined
  readonly status?: string | undefined
  readonly reason?: string | undefined
  readonly message?: string | undefined
  readonly lastTransitionTime?: number | undefined
}

/** The path of a field under its parent's path (`''` for the root). */
const join = (base: string, key: string | number): string => (base === '' ? String(key) : `${base}.${key}`)

/**
 * Reads fields, collecting what is wrong. Each reader takes the parent, the
 * key and the parent's path; the field's path is built only for a problem.
 * A class, so that decoding a pod creates no closures.
 */
class Reader {
  constructor(readonly problems: Problem[]) {}

  problem(path: string, message: string): undefined {
    this.problems.push({ path, message })
    return undefined
  }

  object(parent: Json, key: string, base: string): Json | undefined {
    const v = own(parent, key)
    if (v === undefined || isObject(v)) return v
    return this.problem(join(base, key), `expected an object, got ${describe(v)}`)
  }

  array(parent: Json, key: string, base: string): readonly unknown[] | undefined {
    const v = own(parent, key)
    if (v === undefined || Array.isArray(v)) return v
    return this.problem(join(base, key), `expected an array, got ${describe(v)}`)
  }

  string(parent: Json, key: string, base: string): string | undefined {
    const v = own(parent, key)
    if (v === undefined || typeof v === 'string') return v
    return this.problem(join(base, key), `expected a string, got ${describe(v)}`)
  }

  integer(parent: Json, key: string, base: string): number | undefined {
    const v = own(parent, key)
    if (v === undefined || (typeof v === 'number' && Number.isSafeInteger(v))) return v
    return this.problem(join(base, key), `expected an integer, got ${describe(v)}`)
  }

  instant(parent: Json, key: string, base: string): number | undefined {
    const v = own(parent, key)
    if (v === undefined) return undefined
    const parsed = typeof v === 'string' ? parseInstant(v) : undefined
    return parsed ?? this.problem(join(base, key), `expected an RFC 3339 instant, got ${describe(v)}`)
  }

  state(parent: Json, key: string, base: string): ContainerState {
    const s = this.object(parent, key, base)
    if (s === undefined) return NO_STATE
    const here = join(base, key)
    const running = this.object(s, 'running', here)
    const waiting = this.object(s, 'waiting', here)
    const terminated = this.object(s, 'terminated', here)
    return {
      running: running !== undefined,
      runningStartedAt: running === undefined ? undefined : this.instant(running, 'startedAt', join(here, 'running')),
      waiting:
        waiting === undefined
          ? undefined
          : {
              reason: this.string(waiting, 'reason', join(here, 'waiting')),
              message: this.string(waiting, 'message', join(here, 'waiting')),
            },
      terminated: terminated === undefined ? undefined : this.terminated(terminated, join(here, 'terminated')),
    }
  }

  terminated(terminated: Json, path: string): ContainerState['terminated'] {
    return {
      exitCode: this.integer(terminated, 'exitCode', path),
      reason: this.string(terminated, 'reason', path),
      message: this.string(terminated, 'message', path),
      startedAt: this.instant(terminated, 'startedAt', path),
      finishedAt: this.instant(terminated, 'finishedAt', path),
    }
  }

  containerStatus(value: Json, path: string): ContainerStatus {
    return {
      containerID: this.string(value, 'containerID', path),
      state: this.state(value, 'state', path),
      lastState: this.state(value, 'lastState', path),
    }
  }

  condition(value: unknown, base: string, index: number): Condition | undefined {
    if (!isObject(value)) return this.problem(join(base, index), `expected an object, got ${describe(value)}`)
    const type = own(value, 'type')
    const status = own(value, 'status')
    const reason = own(value, 'reason')
    const message = own(value, 'message')
    const time = own(value, 'lastTransitionTime')
    const parsed = typeof time === 'string' ? parseInstant(time) : undefined
    if (
      (type !== undefined && typeof type !== 'string') ||
      (status !== undefined && typeof status !== 'string') ||
      (reason !== undefined && typeof reason !== 'string') ||
      (message !== undefined && typeof message !== 'string') ||
      (time !== undefined && parsed === undefined)
    ) {
      const path = join(base, index)
      this.string(value, 'type', path)
      this.string(value, 'status', path)
      this.string(value, 'reason', path)
      this.string(value, 'message', path)
      this.instant(value, 'lastTransitionTime', path)
      return undefined
    }
    return { type, status, reason, message, lastTransitionTime: parsed }
  }
}

/** The status of the container named `name` (or, with no name, the first), validating what is scanned. */
const findStatus = (
  read: Reader,
  statuses: readonly unknown[] | undefined,
  name: string | undefined,
  path: string,
): ContainerStatus | undefined => {
  if (statuses === undefined) return undefined
  for (let i = 0; i < statuses.length; i++) {
    const item = statuses[i]
    if (!isObject(item)) return read.problem(join(path, i), `expected an object, got ${describe(item)}`)
    if (name === undefined) return read.containerStatus(item, join(path, i))
    const itemName = own(item, 'name')
    if (itemName === name) return read.containerStatus(item, join(path, i))
    if (itemName !== undefined && typeof itemName !== 'string') {
      return read.problem(join(join(path, i), 'name'), `expected a string, got ${describe(itemName)}`)
    }
  }
  return undefined
}

/** Whether a container ever started: it runs, or a termination of it has a start. */
const hasStarted = (status: ContainerStatus | undefined): boolean =>
  status !== undefined &&
  (status.state.running ||
    status.state.terminated?.startedAt !== undefined ||
    status.lastState.running ||
    status.lastState.terminated?.startedAt !== undefined)

/** The exit code of a termination, unless it is the kubelet's placeholder (no `startedAt`). */
const exitCodeOf = (state: ContainerState): number | undefined =>
  state.terminated?.startedAt === undefined ? undefined : state.terminated.exitCode

const latest = (instants: ReadonlyArray<number | undefined>): number | undefined => {
  let max: number | undefined
  for (const t of instants) if (t !== undefined && (max === undefined || t > max)) max = t
  return max
}

const instantsOf = (state: ContainerState): ReadonlyArray<number | undefined> => [
  state.runningStartedAt,
  state.terminated?.startedAt,
  state.terminated?.finishedAt,
]

const firstDefined = (...values: ReadonlyArray<string | undefined>): string | undefined => {
  for (const v of values) if (v !== undefined && v !== '') return v
  return undefined
}

const nonEmpty = (value: string | undefined): string | undefined => (value === '' ? undefined : value)

const fail = (path: string, message: string): { readonly problems: readonly Problem[] } => ({
  problems: [{ path, message }],
})

/** A non-empty annotation of a pod. */
const annotationOf = (read: Reader, annotations: Json | undefined, key: string, base: string): string | undefined =>
  annotations === undefined ? undefined : nonEmpty(read.string(annotations, key, base))

const decodeUnsafe = (input: unknown): { readonly problems: readonly Problem[] } | { readonly update: TaskUpdate } => {
  const problems: Problem[] = []
  const read = new Reader(problems)
  if (!isObject(input)) return fail('<root>', `expected a Pod or a watch event, got ${describe(input)}`)

  // A watch event `{ type, object }`, or the pod itself.
  let pod: Json = input
  let root = ''
  let deleted = false
  // A pod has no `object`: anything with one is a watch event, and needs its type.
  if (hasOwn(input, 'object')) {
    const type = own(input, 'type')
    if (typeof type !== 'string' || !WATCH_TYPES.has(type)) {
      return fail('type', `expected a watch event type ADDED, MODIFIED or DELETED, got ${describe(type)}`)
    }
    const object = own(input, 'object')
    if (!isObject(object)) return fail('object', `expected a Pod, got ${describe(object)}`)
    pod = object
    root = 'object'
    deleted = type === 'DELETED'
  }
  const metaPath = join(root, 'metadata')
  const specPath = join(root, 'spec')
  const statusPath = join(root, 'status')

  const kind = own(pod, 'kind')
  if (kind !== undefined && kind !== 'Pod') return fail(join(root, 'kind'), `expected "Pod", got ${describe(kind)}`)
  const metadata = own(pod, 'metadata')
  if (!isObject(metadata)) return fail(metaPath, `expected an object, got ${describe(metadata)}`)
  const status = own(pod, 'status')
  if (!isObject(status)) return fail(statusPath, `expected an object, got ${describe(status)}`)
  const spec = read.object(pod, 'spec', root)

  // -- the task id --
  const annotations = read.object(metadata, 'annotations', metaPath)
  const labels = read.object(metadata, 'labels', metaPath)
  const annotationsPath = join(metaPath, 'annotations')
  const taskId = firstDefined(
    annotationOf(read, annotations, TASK_ID_KEY, annotationsPath),
    labels === undefined ? undefined : read.string(labels, TASK_ID_KEY, join(metaPath, 'labels')),
    read.string(metadata, 'name', metaPath),
  )
  if (taskId === undefined) {
    read.problem(
      join(metaPath, 'name'),
      `no task id: expected the annotation or label ${TASK_ID_KEY}, or metadata.name, got nothing`,
    )
  }
  const creation = read.instant(metadata, 'creationTimestamp', metaPath)
  const deletion = read.instant(metadata, 'deletionTimestamp', metaPath)

  // -- the task's container --
  const containers = spec === undefined ? undefined : read.array(spec, 'containers', specPath)
  let firstContainer: string | undefined
  if (containers !== undefined && containers.length > 0) {
    const first = containers[0]
    if (isObject(first)) firstContainer = read.string(first, 'name', join(specPath, 'containers.0'))
    else read.problem(join(specPath, 'containers.0'), `expected an object, got ${describe(first)}`)
  }
  const containerName = firstDefined(
    annotationOf(read, annotations, CONTAINER_KEY, annotationsPath),
    annotationOf(read, annotations, DEFAULT_CONTAINER_KEY, annotationsPath),
    firstContainer,
  )
  const nodeName = spec === undefined ? undefined : nonEmpty(read.string(spec, 'nodeName', specPath))
  const statuses = read.array(status, 'containerStatuses', statusPath)
  const container = findStatus(read, statuses, containerName, join(statusPath, 'containerStatuses'))

  // -- the pod's status --
  const phase = read.string(status, 'phase', statusPath)
  const podReason = read.string(status, 'reason', statusPath)
  const podMessage = read.string(status, 'message', statusPath)
  const startTime = read.instant(status, 'startTime', statusPath)
  const conditionList = read.array(status, 'conditions', statusPath)
  let disruption: Condition | undefined
  let unschedulable: Condition | undefined
  let lastTransition: number | undefined
  if (conditionList !== undefined) {
    for (let i = 0; i < conditionList.length; i++) {
      const c = read.condition(conditionList[i], join(statusPath, 'conditions'), i)
      if (c === undefined) continue
      const t = c.lastTransitionTime
      if (t !== undefined && (lastTransition === undefined || t > lastTransition)) lastTransition = t
      if (c.type === 'DisruptionTarget' && c.status === 'True' && disruption === undefined) disruption = c
      if (c.type === 'PodScheduled' && c.status === 'False' && unschedulable === undefined) unschedulable = c
    }
  }
  if (problems.length > 0) return { problems }

  // -- the init container that failed, when the task's container never ran --
  let cause: ContainerState | undefined
  if (phase === 'Failed' && !hasStarted(container)) {
    const inits = read.array(status, 'initContainerStatuses', statusPath)
    for (let i = 0; inits !== undefined && i < inits.length; i++) {
      const item = inits[i]
      const path = join(join(statusPath, 'initContainerStatuses'), i)
      if (!isObject(item)) {
        read.problem(path, `expected an object, got ${describe(item)}`)
        break
      }
      const init = read.containerStatus(item, path)
      const code = init.state.terminated?.exitCode
      if (code !== undefined && code !== 0) {
        cause = init.state
        break
      }
    }
    if (problems.length > 0) return { problems }
  }

  const state = container?.state ?? NO_STATE
  const lastState = container?.lastState ?? NO_STATE
  const terminated = state.terminated !== undefined

  let converted: TaskStatus
  if (phase === 'Succeeded') converted = 'FINISHED'
  else if (disruption !== undefined || (podReason !== undefined && LOST_REASONS.has(podReason)) || phase === 'Unknown')
    converted = 'LOST'
  else if (deleted || (deletion !== undefined && (terminated || phase === 'Failed'))) converted = 'KILLED'
  else if (phase === 'Failed') converted = 'FAILED'
  else if (phase === 'Running' && state.running) converted = 'RUNNING'
  else if (phase === 'Pending') converted = 'STAGING'
  else converted = 'UNKNOWN'

  const exitCode =
    exitCodeOf(state) ??
    (phase === 'Failed' ? exitCodeOf(lastState) : undefined) ??
    (cause === undefined ? undefined : exitCodeOf(cause)) ??
    (converted === 'FINISHED' ? 0 : undefined)

  const lost = converted === 'LOST' ? disruption : undefined
  const own_ = state.terminated ?? state.waiting
  const reason = firstDefined(lost?.reason, cause?.terminated?.reason, own_?.reason, unschedulable?.reason, podReason)
  const message = firstDefined(
    lost?.message,
    cause?.terminated?.message,
    own_?.message,
    unschedulable?.message,
    podMessage,
  )

  const timestamp =
    latest([
      lastTransition,
      startTime,
      ...instantsOf(state),
      ...instantsOf(lastState),
      ...(cause === undefined ? [] : instantsOf(cause)),
    ]) ?? creation
  if (timestamp === undefined) {
    return fail(
      join(metaPath, 'creationTimestamp'),
      'no instant: expected a condition lastTransitionTime, status.startTime, a container startedAt or ' +
        'finishedAt, or metadata.creationTimestamp, got nothing',
    )
  }
  const containerId = nonEmpty(container?.containerID)
  return {
    update: {
      taskId: taskId ?? '',
      ...(nodeName !== undefined ? { agentId: nodeName } : {}),
      status: converted,
      timestamp,
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(message !== undefined ? { message } : {}),
      ...(reason !== undefined ? { reason } : {}),
      ...(containerId !== undefined ? { containerName: containerId } : {}),
    },
  }
}

/**
 * Decodes a Pod or a watch event into a task update, or the problems that
 * refuse it. Never throws.
 */
export const decodePod = (
  input: unknown,
): { readonly problems: readonly Problem[] } | { readonly update: TaskUpdate } => {
  try {
    return decodeUnsafe(input)
  } catch {
    // Only a hostile object (a throwing getter, a revoked proxy) gets here.
    return { problems: [{ path: '<root>', message: 'unreadable: reading the value threw' }] }
  }
}
