/**
 * Task status updates: what the cluster manager says about a task.
 *
 * Raw updates arrive as Mesos v1 `TaskStatus` JSON and are decoded with
 * {@link fromMesos}, which never throws: malformed input is a `Left` that names
 * each bad field. Fields a real Mesos status carries beyond the ones used here
 * (`uuid`, `executor_id`, `healthy`, `labels`, ...) are ignored.
 *
 * @since 0.1.0
 * @module
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import type { Instant, TaskId } from './ids'
import { boundary, describe, Integer, optional, problemsOf } from './internal/decode'
import { invalidError } from './internal/invalid'
import { TASK_STATUS, TERMINAL_STATUS } from './internal/literals'
import { decodesAsItself } from './internal/fastPath'

/**
 * A task status, as this library sees it.
 *
 * @useDeclaredType
 * @category model
 * @since 0.1.0
 */
export type TaskStatus = (typeof TASK_STATUS.values)[number]

/**
 * The statuses that end a task.
 *
 * @useDeclaredType
 * @category model
 * @since 0.1.0
 */
export type TerminalStatus = (typeof TERMINAL_STATUS.values)[number]

/**
 * Every task status, for codecs and generators.
 *
 * @category constants
 * @since 0.1.0
 */
export const STATUSES: readonly TaskStatus[] = TASK_STATUS.values

/**
 * A task status update. Plain data: build one directly in tests, or decode one
 * from Mesos JSON with {@link fromMesos}.
 *
 * @example
 * import type { TaskUpdate } from 'job-execution-core'
 * const update: TaskUpdate.TaskUpdate = {
 *   taskId: 'scale_job_fw1_42x3_main',
 *   agentId: 'agent-7',
 *   status: 'FAILED',
 *   timestamp: 1_700_000_000_000,
 *   exitCode: 2,
 * }
 *
 * @category model
 * @since 0.1.0
 */
export interface TaskUpdate {
  readonly taskId: TaskId
  readonly agentId?: string | undefined
  readonly status: TaskStatus
  /** When the cluster manager saw the change. */
  readonly timestamp: Instant
  readonly exitCode?: number | undefined
  readonly message?: string | undefined
  readonly source?: string | undefined
  readonly reason?: string | undefined
  readonly containerName?: string | undefined
}

/**
 * Why a raw update was refused: each offending field with what is wrong with it.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidTaskUpdate extends invalidError('InvalidTaskUpdate', 'task update') {}

/**
 * Whether a status ends the task.
 *
 * @example
 * import { TaskUpdate } from 'job-execution-core'
 * TaskUpdate.isTerminal('KILLED') // true
 * TaskUpdate.isTerminal('LOST') // false
 *
 * @category refinements
 * @since 0.1.0
 */
export const isTerminal = (status: TaskStatus): status is TerminalStatus => TERMINAL_STATUS.is(status)

const MESOS_STATES: Readonly<Record<string, TaskStatus>> = {
  TASK_STAGING: 'STAGING',
  TASK_STARTING: 'STAGING',
  TASK_RUNNING: 'RUNNING',
  TASK_FINISHED: 'FINISHED',
  TASK_FAILED: 'FAILED',
  TASK_ERROR: 'FAILED',
  TASK_KILLED: 'KILLED',
  TASK_LOST: 'LOST',
  // Sent instead of TASK_LOST to partition-aware frameworks.
  TASK_DROPPED: 'LOST',
  TASK_GONE: 'LOST',
  TASK_GONE_BY_OPERATOR: 'LOST',
  TASK_UNREACHABLE: 'LOST',
  TASK_UNKNOWN: 'LOST',
}

/**
 * The status a cluster-manager state converts to; anything unknown is `UNKNOWN`.
 *
 * @example
 * import { TaskUpdate } from 'job-execution-core'
 * TaskUpdate.statusOfMesosState('TASK_STARTING') // 'STAGING'
 * TaskUpdate.statusOfMesosState('TASK_UNREACHABLE') // 'LOST'
 * TaskUpdate.statusOfMesosState('TASK_KILLING') // 'UNKNOWN'
 *
 * @category conversions
 * @since 0.1.0
 */
export const statusOfMesosState = (state: string): TaskStatus =>
  Object.prototype.hasOwnProperty.call(MESOS_STATES, state) ? (MESOS_STATES[state] ?? 'UNKNOWN') : 'UNKNOWN'

const EXIT_CODE = /exited with status (-?\d+)/

/**
 * The exit code in a status message (`... exited with status N`), if any.
 *
 * @example
 * import { TaskUpdate } from 'job-execution-core'
 * TaskUpdate.exitCodeOfMessage('Command exited with status -9') // -9
 * TaskUpdate.exitCodeOfMessage('Container killed') // undefined
 *
 * @category conversions
 * @since 0.1.0
 */
export const exitCodeOfMessage = (message: string | undefined): number | undefined => {
  if (message === undefined) return undefined
  const match = EXIT_CODE.exec(message)
  if (match === null || match[1] === undefined) return undefined
  const code = Number(match[1])
  return Number.isSafeInteger(code) ? code : undefined
}

const CONTAINER_NAME_KEY = 'MESOS_CONTAINER_NAME='

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

const ASCII_WHITESPACE = /[\t\n\f\r ]/g
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

// What `atob` accepts (forgiving base64: ASCII whitespace anywhere, padding
// optional), so that both decoders below read the same strings.
const isBase64 = (text: string): boolean =>
  BASE64.test(text) && text.length % 4 !== 1 && (!text.endsWith('=') || text.length % 4 === 0)

// `data` without its ASCII whitespace, if that is base64. Runtimes send none:
// testing the text as it is first saves copying it.
const base64Text = (data: string): string | undefined => {
  if (isBase64(data)) return data
  const text = data.replace(ASCII_WHITESPACE, '')
  return text !== data && isBase64(text) ? text : undefined
}

const NodeBuffer = (globalThis as { readonly Buffer?: typeof Buffer }).Buffer

// Node's Buffer decodes megabytes in a few milliseconds; elsewhere atob, with
// the bytes copied in a loop (Uint8Array.from with a mapping function is
// several times slower).
const decodeBase64 = (data: string): string | undefined => {
  const text = base64Text(data)
  if (text === undefined) return undefined
  if (NodeBuffer !== undefined) return NodeBuffer.from(text, 'base64').toString('utf8')
  try {
    const binary = atob(text)
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes)
  } catch {
    return undefined
  }
}

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined

/**
 * The container name in a Mesos status' `data`: base64 of the container
 * runtime's inspect JSON, an array whose first element has `Config.Env`, a list
 * of `NAME=VALUE` strings. Data that is not such JSON has no container name:
 * executors may put anything there, so it is never a reason to refuse the update.
 *
 * @example
 * import { TaskUpdate } from 'job-execution-core'
 * const inspect = [{ Config: { Env: ['A=1', 'MESOS_CONTAINER_NAME=mesos-abc'] } }]
 * TaskUpdate.containerNameOfData(btoa(JSON.stringify(inspect))) // 'mesos-abc'
 *
 * @category conversions
 * @since 0.1.0
 */
export const containerNameOfData = (data: string | undefined): string | undefined => {
  if (data === undefined || data === '') return undefined
  const text = decodeBase64(data)
  // Most inspect JSON of a task is its environment: without the key, there is
  // nothing to parse it for.
  if (text === undefined || !text.includes(CONTAINER_NAME_KEY)) return undefined
  const inspect = parseJson(text)
  if (!Array.isArray(inspect)) return undefined
  const env = field(field(inspect[0], 'Config'), 'Env')
  if (!Array.isArray(env)) return undefined
  for (const entry of env) {
    if (typeof entry === 'string' && entry.startsWith(CONTAINER_NAME_KEY)) {
      return entry.slice(CONTAINER_NAME_KEY.length)
    }
  }
  return undefined
}

const Value = t.type({ value: t.string }, 'Value')

const isMesosTimestamp = (u: unknown): u is number =>
  typeof u === 'number' && Number.isSafeInteger(Math.round(u * 1000))

// Float seconds whose milliseconds are a safe integer: 1e306 seconds would be
// Infinity ms (JSON null in a snapshot), 1e20 no longer an exact instant.
const MesosTimestamp = new t.Type<number, number, unknown>(
  'MesosTimestamp',
  isMesosTimestamp,
  (u, c) => {
    if (isMesosTimestamp(u)) return t.success(u)
    if (typeof u !== 'number' || !Number.isFinite(u))
      return t.failure(u, c, `expected a finite number of seconds, got ${describe(u)}`)
    const ms = Math.round(u * 1000)
    return t.failure(u, c, `${describe(u)} seconds is ${describe(ms)} ms, not a safe integer of milliseconds`)
  },
  t.identity,
)

/**
 * The fields of a Mesos v1 `TaskStatus` this library reads. Other fields pass
 * through unread.
 *
 * @category codecs
 * @since 0.1.0
 */
export const MesosTaskStatus = boundary(
  t.intersection([
    t.type({ task_id: Value, state: t.string, timestamp: MesosTimestamp }),
    t.partial({
      agent_id: optional(Value),
      message: optional(t.string),
      source: optional(t.string),
      reason: optional(t.string),
      data: optional(t.string),
    }),
  ]),
  'MesosTaskStatus',
)

/**
 * The decoded fields of a Mesos `TaskStatus`.
 *
 * @category model
 * @since 0.1.0
 */
export type MesosTaskStatus = t.TypeOf<typeof MesosTaskStatus>

/**
 * Converts a decoded Mesos status into a task update: the state is converted,
 * the timestamp goes from float seconds to integer milliseconds, the exit code
 * is parsed from the message (0 for a FINISHED update without one), and the
 * container name is read from `data` of a RUNNING status (a task takes it from
 * its first RUNNING update; other statuses' `data` is not decoded).
 *
 * @category conversions
 * @since 0.1.0
 */
export const fromMesosStatus = (status: MesosTaskStatus): TaskUpdate => {
  const converted = statusOfMesosState(status.state)
  const { agent_id, message, source, reason } = status
  const exitCode = exitCodeOfMessage(message) ?? (converted === 'FINISHED' ? 0 : undefined)
  // A task takes its container name from its first RUNNING update only: the
  // (possibly megabytes of) base64 of any other status is never read.
  const containerName = converted === 'RUNNING' ? containerNameOfData(status.data) : undefined
  const taskId = status.task_id.value
  const timestamp = Math.round(status.timestamp * 1000)
  // Fields assigned in the order of the interface: a spread per optional
  // field cost as much as the rest of the conversion.
  const update: { -readonly [K in keyof TaskUpdate]: TaskUpdate[K] } =
    agent_id === undefined
      ? { taskId, status: converted, timestamp }
      : { taskId, agentId: agent_id.value, status: converted, timestamp }
  if (exitCode !== undefined) update.exitCode = exitCode
  if (message !== undefined) update.message = message
  if (source !== undefined) update.source = source
  if (reason !== undefined) update.reason = reason
  if (containerName !== undefined) update.containerName = containerName
  return update
}

/**
 * Decodes a Mesos v1 `TaskStatus` JSON object into a task update. Never throws:
 * malformed input yields an {@link InvalidTaskUpdate} naming each bad field.
 *
 * @example
 * import { TaskUpdate } from 'job-execution-core'
 * import * as E from 'fp-ts/Either'
 * const update = TaskUpdate.fromMesos({
 *   task_id: { value: 'scale_job_fw1_42x3_main' },
 *   agent_id: { value: 'agent-7' },
 *   state: 'TASK_FAILED',
 *   timestamp: 1700000000.25,
 *   message: 'Command exited with status 2',
 * })
 * // E.right({ taskId: 'scale_job_fw1_42x3_main', agentId: 'agent-7', status: 'FAILED',
 * //           timestamp: 1700000000250, exitCode: 2, message: 'Command exited with status 2' })
 * E.isRight(TaskUpdate.fromMesos({ state: 'TASK_RUNNING' })) // false: task_id and timestamp are missing
 *
 * @category decoding
 * @since 0.1.0
 */
export const fromMesos = (json: unknown): E.Either<InvalidTaskUpdate, TaskUpdate> =>
  // The codec's own guard first (see internal/fastPath): a status it accepts
  // decodes as itself, and anything else is decoded to say what is wrong.
  decodesAsItself(MesosTaskStatus, json, false)
    ? E.right(fromMesosStatus(json))
    : pipe(
        MesosTaskStatus.decode(json),
        E.bimap((errors) => new InvalidTaskUpdate(problemsOf(errors)), fromMesosStatus),
      )

/**
 * The codec of a {@link TaskUpdate} in its own (already converted) form, as event
 * logs and snapshots store it.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codec: t.Type<TaskUpdate, TaskUpdate, unknown> = boundary(
  t.intersection([
    t.type({ taskId: t.string, status: TASK_STATUS.codec, timestamp: Integer }),
    t.partial({
      agentId: optional(t.string),
      exitCode: optional(Integer),
      message: optional(t.string),
      source: optional(t.string),
      reason: optional(t.string),
      containerName: optional(t.string),
    }),
  ]),
  'TaskUpdate',
)

/**
 * Decodes a task update in its own form (see {@link codec}). Never throws.
 *
 * @example
 * import { TaskUpdate } from 'job-execution-core'
 * TaskUpdate.decode({ taskId: 'scale_job_fw1_1x1_pull', status: 'RUNNING', timestamp: 5 })
 *
 * @category decoding
 * @since 0.1.0
 */
export const decode = (json: unknown): E.Either<InvalidTaskUpdate, TaskUpdate> =>
  pipe(
    codec.decode(json),
    E.mapLeft((errors) => new InvalidTaskUpdate(problemsOf(errors))),
  )

// Kubernetes pods (contract §13), read by a decoder of their own.
import { decodePod } from './internal/kubernetesPod'

/**
 * Decodes a Kubernetes core/v1 `Pod`, as the API server returns it (an item of
 * a list, or a whole watch event `{ type, object }`), into the update of the
 * task the pod runs. Never throws: input that is not a pod, has no task id, no
 * `status` or no instant, or a field this reads of the wrong type, yields an
 * {@link InvalidTaskUpdate} naming each bad path; every other field is ignored.
 *
 * - Task id: the annotation `job-execution-core/task-id`, else the label of
 *   that name, else `metadata.name` (pod names cannot hold `_`).
 * - The task's container: the one named by the annotation
 *   `job-execution-core/container`, else by
 *   `kubectl.kubernetes.io/default-container`, else the first of
 *   `spec.containers`; its status is found by name in
 *   `status.containerStatuses` (without containers in `spec`, the first).
 * - Status, first match wins: phase `Succeeded` is `FINISHED`; a true
 *   `DisruptionTarget` condition, a pod reason `Evicted`, `Preempting`,
 *   `NodeLost`, `Shutdown`, `NodeShutdown` or `Terminated`, or phase `Unknown`
 *   is `LOST`; a `DELETED` watch event, or a `deletionTimestamp` while the
 *   container has terminated or the phase is `Failed`, is `KILLED`; phase
 *   `Failed` is `FAILED`; phase `Running` with the container running is
 *   `RUNNING`; phase `Pending` is `STAGING`; anything else is `UNKNOWN`.
 * - Exit code: the container's `state.terminated.exitCode`, else (phase
 *   `Failed`) its `lastState`'s; none from a termination without `startedAt`.
 *   When a failed pod's container never started, the first init container
 *   that exited non-zero stands for it. A `FINISHED` update without one has 0.
 * - Reason and message: the disruption's (when `LOST`), the failed init
 *   container's, the container's terminated or waiting ones, a false
 *   `PodScheduled` condition's, the pod's `status.reason` / `status.message`.
 * - Container name: the container's `containerID`; agent id: `spec.nodeName`.
 * - Timestamp: the latest of the conditions' `lastTransitionTime`s,
 *   `status.startTime` and the container's `startedAt` / `finishedAt` (RFC
 *   3339, read to the millisecond), else `metadata.creationTimestamp`.
 *
 * @example
 * import { TaskUpdate } from 'job-execution-core'
 * const update = TaskUpdate.fromKubernetesPod({
 *   type: 'MODIFIED',
 *   object: {
 *     metadata: {
 *       name: 'scale-job-fw1-42x3-main',
 *       annotations: { 'job-execution-core/task-id': 'scale_job_fw1_42x3_main' },
 *     },
 *     spec: { nodeName: 'node-7', containers: [{ name: 'main', image: 'scale/ingest:1.0' }] },
 *     status: {
 *       phase: 'Failed',
 *       containerStatuses: [{
 *         name: 'main',
 *         containerID: 'containerd://4f1c',
 *         state: { terminated: { exitCode: 2, reason: 'Error', startedAt: '2024-05-01T12:00:00Z', finishedAt: '2024-05-01T12:03:10Z' } },
 *       }],
 *     },
 *   },
 * })
 * // E.right({ taskId: 'scale_job_fw1_42x3_main', agentId: 'node-7', status: 'FAILED',
 * //           timestamp: 1714564990000, exitCode: 2, reason: 'Error', containerName: 'containerd://4f1c' })
 * TaskUpdate.fromKubernetesPod({ kind: 'Pod', metadata: { name: 'x' } }) // E.left: status is missing
 *
 * @category decoding
 * @since 0.2.0
 */
export const fromKubernetesPod = (input: unknown): E.Either<InvalidTaskUpdate, TaskUpdate> => {
  const decoded = decodePod(input)
  return 'update' in decoded ? E.right(decoded.update) : E.left(new InvalidTaskUpdate(decoded.problems))
}
