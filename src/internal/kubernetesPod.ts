/**
 * Reading a core/v1 `Pod` (or a watch event carrying one) as a task update,
 * by the rules of SPEC section 13 (Kubernetes).
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

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

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

/**
 * An RFC 3339 instant (`2024-05-01T12:00:00Z`, fractional seconds and offsets
 * allowed) as integer milliseconds since the epoch; `undefined` when it is
 * not one. Fractions below the millisecond are dropped.
 */
export const parseInstant = (text: string): number | undefined => {
  const m = RFC3339.exec(text)
  if (m === null) return undefined
  const [, ys = '', mos = '', ds = '', hs = '', mins = '', ss = '', frac, zulu, sign, oh = '0', om = '0'] = m
  const year = Number(ys)
  const month = Number(mos)
  const day = Number(ds)
  const hour = Number(hs)
  const minute = Number(mins)
  const second = Number(ss)
  if (month < 1 || month > 12 || day < 1) return undefined
  const maxDay = month === 2 && !isLeap(year) ? 28 : (DAYS_IN_MONTH[month - 1] ?? 31)
  if (day > maxDay || hour > 23 || minute > 59 || second > 60) return undefined
  const offsetHours = Number(oh)
  const offsetMinutes = Number(om)
  if (zulu === undefined && (offsetHours > 23 || offsetMinutes > 59)) return undefined
  const offset = zulu === undefined ? (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) : 0
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'))
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

/** Reads fields at paths, collecting what is wrong. */
const reader = (problems: Problem[]) => {
  const problem = (path: string, message: string): undefined => {
    problems.push({ path, message })
    return undefined
  }
  const object = (parent: Json, key: string, path: string): Json | undefined => {
    const v = own(parent, key)
    if (v === undefined || isObject(v)) return v
    return problem(path, `expected an object, got ${describe(v)}`)
  }
  const array = (parent: Json, key: string, path: string): readonly unknown[] | undefined => {
    const v = own(parent, key)
    if (v === undefined || Array.isArray(v)) return v
    return problem(path, `expected an array, got ${describe(v)}`)
  }
  const string = (parent: Json, key: string, path: string): string | undefined => {
    const v = own(parent, key)
    if (v === undefined || typeof v === 'string') return v
    return problem(path, `expected a string, got ${describe(v)}`)
  }
  const integer = (parent: Json, key: string, path: string): number | undefined => {
    const v = own(parent, key)
    if (v === undefined || (typeof v === 'number' && Number.isSafeInteger(v))) return v
    return problem(path, `expected an integer, got ${describe(v)}`)
  }
  const instant = (parent: Json, key: string, path: string): number | undefined => {
    const v = own(parent, key)
    if (v === undefined) return undefined
    const parsed = typeof v === 'string' ? parseInstant(v) : undefined
    return parsed ?? problem(path, `expected an RFC 3339 instant, got ${describe(v)}`)
  }
  const state = (parent: Json, key: string, path: string): ContainerState => {
    const s = object(parent, key, path)
    if (s === undefined) return NO_STATE
    const running = object(s, 'running', `${path}.running`)
    const waiting = object(s, 'waiting', `${path}.waiting`)
    const terminated = object(s, 'terminated', `${path}.terminated`)
    return {
      running: running !== undefined,
      runningStartedAt: running === undefined ? undefined : instant(running, 'startedAt', `${path}.running.startedAt`),
      waiting:
        waiting === undefined
          ? undefined
          : {
              reason: string(waiting, 'reason', `${path}.waiting.reason`),
              message: string(waiting, 'message', `${path}.waiting.message`),
            },
      terminated:
        terminated === undefined
          ? undefined
          : {
              exitCode: integer(terminated, 'exitCode', `${path}.terminated.exitCode`),
              reason: string(terminated, 'reason', `${path}.terminated.reason`),
              message: string(terminated, 'message', `${path}.terminated.message`),
              startedAt: instant(terminated, 'startedAt', `${path}.terminated.startedAt`),
              finishedAt: instant(terminated, 'finishedAt', `${path}.terminated.finishedAt`),
            },
    }
  }
  const containerStatus = (value: Json, path: string): ContainerStatus => ({
    containerID: string(value, 'containerID', `${path}.containerID`),
    state: state(value, 'state', `${path}.state`),
    lastState: state(value, 'lastState', `${path}.lastState`),
  })
  const condition = (value: unknown, path: string): Condition | undefined => {
    if (!isObject(value)) return problem(path, `expected an object, got ${describe(value)}`)
    return {
      type: string(value, 'type', `${path}.type`),
      status: string(value, 'status', `${path}.status`),
      reason: string(value, 'reason', `${path}.reason`),
      message: string(value, 'message', `${path}.message`),
      lastTransitionTime: instant(value, 'lastTransitionTime', `${path}.lastTransitionTime`),
    }
  }
  return { problem, object, array, string, integer, instant, containerStatus, condition }
}

type Reader = ReturnType<typeof reader>

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
    const itemPath = `${path}.${i}`
    if (!isObject(item)) return read.problem(itemPath, `expected an object, got ${describe(item)}`)
    if (name === undefined) return read.containerStatus(item, itemPath)
    const itemName = read.string(item, 'name', `${itemPath}.name`)
    if (itemName === name) return read.containerStatus(item, itemPath)
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

const decodeUnsafe = (input: unknown): { readonly problems: readonly Problem[] } | { readonly update: TaskUpdate } => {
  const problems: Problem[] = []
  const read = reader(problems)
  const fail = (path: string, message: string) => ({ problems: [{ path, message }] })
  if (!isObject(input)) return fail('<root>', `expected a Pod or a watch event, got ${describe(input)}`)

  // A watch event `{ type, object }`, or the pod itself.
  let pod: Json = input
  let prefix = ''
  let deleted = false
  if (hasOwn(input, 'object') && hasOwn(input, 'type')) {
    const type = own(input, 'type')
    if (typeof type !== 'string' || !WATCH_TYPES.has(type)) {
      return fail('type', `expected a watch event type ADDED, MODIFIED or DELETED, got ${describe(type)}`)
    }
    const object = own(input, 'object')
    if (!isObject(object)) return fail('object', `expected a Pod, got ${describe(object)}`)
    pod = object
    prefix = 'object.'
    deleted = type === 'DELETED'
  }
  const at = (path: string): string => `${prefix}${path}`

  const kind = own(pod, 'kind')
  if (kind !== undefined && kind !== 'Pod') return fail(at('kind'), `expected "Pod", got ${describe(kind)}`)
  const metadata = own(pod, 'metadata')
  if (!isObject(metadata)) return fail(at('metadata'), `expected an object, got ${describe(metadata)}`)
  const status = own(pod, 'status')
  if (!isObject(status)) return fail(at('status'), `expected an object, got ${describe(status)}`)
  const spec = read.object(pod, 'spec', at('spec'))

  // -- the task id --
  const annotations = read.object(metadata, 'annotations', at('metadata.annotations'))
  const labels = read.object(metadata, 'labels', at('metadata.labels'))
  const annotation = (key: string): string | undefined =>
    annotations === undefined ? undefined : nonEmpty(read.string(annotations, key, at(`metadata.annotations.${key}`)))
  const taskId = firstDefined(
    annotation(TASK_ID_KEY),
    labels === undefined ? undefined : read.string(labels, TASK_ID_KEY, at(`metadata.labels.${TASK_ID_KEY}`)),
    read.string(metadata, 'name', at('metadata.name')),
  )
  if (taskId === undefined) {
    read.problem(
      at('metadata.name'),
      `no task id: expected the annotation or label ${TASK_ID_KEY}, or metadata.name, got nothing`,
    )
  }
  const creation = read.instant(metadata, 'creationTimestamp', at('metadata.creationTimestamp'))
  const deletion = read.instant(metadata, 'deletionTimestamp', at('metadata.deletionTimestamp'))

  // -- the task's container --
  const containers = spec === undefined ? undefined : read.array(spec, 'containers', at('spec.containers'))
  let firstContainer: string | undefined
  if (containers !== undefined && containers.length > 0) {
    const first = containers[0]
    if (isObject(first)) firstContainer = read.string(first, 'name', at('spec.containers.0.name'))
    else read.problem(at('spec.containers.0'), `expected an object, got ${describe(first)}`)
  }
  const containerName = firstDefined(annotation(CONTAINER_KEY), annotation(DEFAULT_CONTAINER_KEY), firstContainer)
  const nodeName = spec === undefined ? undefined : nonEmpty(read.string(spec, 'nodeName', at('spec.nodeName')))
  const statuses = read.array(status, 'containerStatuses', at('status.containerStatuses'))
  const container = findStatus(read, statuses, containerName, at('status.containerStatuses'))

  // -- the pod's status --
  const phase = read.string(status, 'phase', at('status.phase'))
  const podReason = read.string(status, 'reason', at('status.reason'))
  const podMessage = read.string(status, 'message', at('status.message'))
  const startTime = read.instant(status, 'startTime', at('status.startTime'))
  const conditionList = read.array(status, 'conditions', at('status.conditions'))
  let disruption: Condition | undefined
  let unschedulable: Condition | undefined
  let lastTransition: number | undefined
  if (conditionList !== undefined) {
    for (let i = 0; i < conditionList.length; i++) {
      const c = read.condition(conditionList[i], at(`status.conditions.${i}`))
      if (c === undefined) continue
      lastTransition = latest([lastTransition, c.lastTransitionTime])
      if (c.type === 'DisruptionTarget' && c.status === 'True' && disruption === undefined) disruption = c
      if (c.type === 'PodScheduled' && c.status === 'False' && unschedulable === undefined) unschedulable = c
    }
  }
  if (problems.length > 0) return { problems }

  // -- the init container that failed, when the task's container never ran --
  let cause: ContainerState | undefined
  if (phase === 'Failed' && !hasStarted(container)) {
    const inits = read.array(status, 'initContainerStatuses', at('status.initContainerStatuses'))
    for (let i = 0; inits !== undefined && i < inits.length; i++) {
      const item = inits[i]
      const path = at(`status.initContainerStatuses.${i}`)
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
      at('metadata.creationTimestamp'),
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
