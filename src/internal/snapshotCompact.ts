/**
 * The compact layout of the running executions (snapshot version 3): what a
 * version-2 snapshot writes as one object per execution and task, written as
 * positional rows, the values that executions share written once in tables
 * and referred to by index, the derivable left out.
 *
 * - `tables.settings`, `tables.jobTypes`, `tables.exitCodeErrors`,
 *   `tables.configs`: each distinct value once (by content), in order of first
 *   use over the running executions sorted by cluster id. A job type's error
 *   mapping is written with it, so once per job type.
 * - an execution is the row `[id, clusterId, jobId, exeNum, jobTypeId, nodeId,
 *   agentId, queued, started, jobType, settings, status, next, tasks, extra?]`,
 *   `jobType` and `settings` being table indexes; `extra` (left out when empty)
 *   holds what may be absent: `priority`, `exitCodeErrors` (a table index),
 *   `error`, `finished`, `current`, `lastTaskFinished`.
 * - a task as `Task.create` makes it (untouched, lost never, its configuration
 *   the one derived from its execution) is its type alone; any other is the
 *   row `[type, lostCount, flags, launched, started, lastStatusUpdate, ended,
 *   finalStatus, exitCode, containerName, config]`, absent values as `null`,
 *   trailing `null`s left out, `flags` the sum of timedOut 1, killRequested 2,
 *   forceReconciliation 4, `config` a table index or `null` when derived.
 * - task ids are never written: `{clusterId}_{type}`, with `_lost-{n}` after n losses.
 *
 * The decoder here checks the shape of each row, with its path, and builds the
 * executions sharing the tables' objects (and the configurations `Task.create`
 * shares); the meaning is checked by the same checks as version 2, the paths
 * of their problems translated to the rows' positions.
 *
 * @internal
 * @module
 */
import type { ExitCodeErrors, JobError } from '../errors'
import type { Execution, JobType } from '../execution'
import { lostTaskId } from '../ids'
import type { Settings } from '../settings'
import * as Task from '../task'
import * as C from './canonical'
import type { Problem } from './decode'

/** The tables of shared values. */
export interface Tables {
  readonly settings: readonly Settings[]
  readonly jobTypes: readonly JobType[]
  readonly exitCodeErrors: readonly ExitCodeErrors[]
  readonly configs: readonly Task.TaskConfig[]
}

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json }

/** One execution, compact. */
export type Row = readonly Json[]

// Values by identity first (the common case: shared objects), then by content:
// the canonical hash, confirmed by a canonical comparison.
class Interner<T extends object> {
  readonly list: T[] = []
  private readonly byRef = new Map<object, number>()
  private readonly byHash = new Map<string, number[]>()
  indexOf(value: T): number {
    const known = this.byRef.get(value)
    if (known !== undefined) return known
    const hash = C.hash(value)
    const candidates = this.byHash.get(hash) ?? []
    let index = candidates.find((i) => C.firstDifference(this.list[i], value) === undefined)
    if (index === undefined) {
      index = this.list.length
      this.list.push(value)
      candidates.push(index)
      this.byHash.set(hash, candidates)
    }
    this.byRef.set(value, index)
    return index
  }
}

const contextOf = (execution: Pick<Execution, 'clusterId' | 'jobType' | 'settings'>): Task.TaskContext => ({
  clusterId: execution.clusterId,
  isSystem: execution.jobType.isSystem,
  isLongRunning: execution.jobType.isLongRunning,
  timeout: execution.jobType.timeout,
  settings: execution.settings,
})

// Keys with a value: a key holding `undefined` is absent in JSON, so a
// configuration read from a version-2 snapshot (no `runningTimeout` key) is
// the same as the one `Task.create` makes (`runningTimeout: undefined`).
const definedKeys = (record: object): number => Object.values(record).filter((value) => value !== undefined).length

const sameConfig = (a: Task.TaskConfig, b: Task.TaskConfig): boolean =>
  a === b ||
  (a.usesDocker === b.usesDocker &&
    a.isSystem === b.isSystem &&
    a.stagingTimeout === b.stagingTimeout &&
    a.runningTimeout === b.runningTimeout &&
    a.stagingReconcileDelay === b.stagingReconcileDelay &&
    a.runningReconcileDelay === b.runningReconcileDelay &&
    a.timeoutError.name === b.timeoutError.name &&
    a.timeoutError.category === b.timeoutError.category &&
    a.timeoutError.title === b.timeoutError.title &&
    definedKeys(a) === definedKeys(b) &&
    definedKeys(a.timeoutError) === 3 &&
    definedKeys(b.timeoutError) === 3)

const orNull = (value: Json | undefined): Json => (value === undefined ? null : value)

/** Encodes executions (sorted by cluster id) compactly. */
export const encode = (running: readonly Execution[]): { readonly tables: Tables; readonly running: Row[] } => {
  const settings = new Interner<Settings>()
  const jobTypes = new Interner<JobType>()
  const exitCodeErrors = new Interner<ExitCodeErrors>()
  const configs = new Interner<Task.TaskConfig>()
  const rows = running.map((e): Row => {
    const context = contextOf(e)
    const tasks = e.tasks.map((task): Json => {
      const derived = Task.create(task.type, context).config
      const config = sameConfig(task.config, derived) ? null : configs.indexOf(task.config)
      const flags = (task.timedOut ? 1 : 0) + (task.killRequested ? 2 : 0) + (task.forceReconciliation ? 4 : 0)
      const row: Json[] = [
        task.type,
        task.lostCount,
        flags,
        orNull(task.launched),
        orNull(task.started),
        orNull(task.lastStatusUpdate),
        orNull(task.ended),
        orNull(task.finalStatus),
        orNull(task.exitCode),
        orNull(task.containerName),
        config,
      ]
      while (row.length > 1 && row[row.length - 1] === null) row.pop()
      if (row.length === 3 && row[1] === 0 && row[2] === 0) return task.type
      return row
    })
    const extra: Record<string, Json> = {}
    if (e.priority !== undefined) extra['priority'] = e.priority
    if (e.exitCodeErrors !== undefined) extra['exitCodeErrors'] = exitCodeErrors.indexOf(e.exitCodeErrors)
    if (e.error !== undefined) extra['error'] = { name: e.error.name, category: e.error.category, title: e.error.title }
    if (e.finished !== undefined) extra['finished'] = e.finished
    if (e.current !== undefined) extra['current'] = e.current
    if (e.lastTaskFinished !== undefined) extra['lastTaskFinished'] = e.lastTaskFinished
    const row: Json[] = [
      e.id,
      e.clusterId,
      e.jobId,
      e.exeNum,
      e.jobTypeId,
      e.nodeId,
      e.agentId,
      e.queued,
      e.started,
      jobTypes.indexOf(e.jobType),
      settings.indexOf(e.settings),
      e.status,
      e.next,
      tasks,
    ]
    if (Object.keys(extra).length > 0) row.push(extra)
    return row
  })
  return {
    tables: {
      settings: settings.list,
      jobTypes: jobTypes.list,
      exitCodeErrors: exitCodeErrors.list,
      configs: configs.list,
    },
    running: rows,
  }
}

// --- decoding -------------------------------------------------------------------

const EXECUTION_FIELDS = [
  'id',
  'clusterId',
  'jobId',
  'exeNum',
  'jobTypeId',
  'nodeId',
  'agentId',
  'queued',
  'started',
  'jobType',
  'settings',
  'status',
  'next',
  'tasks',
] as const
const EXTRA_FIELDS = ['priority', 'exitCodeErrors', 'error', 'finished', 'current', 'lastTaskFinished'] as const
const TASK_FIELDS = [
  'type',
  'lostCount',
  'flags',
  'launched',
  'started',
  'lastStatusUpdate',
  'ended',
  'finalStatus',
  'exitCode',
  'containerName',
  'config',
] as const
const FLAG_FIELDS = ['timedOut', 'killRequested', 'forceReconciliation']

const executionPosition = new Map<string, string>([
  ...EXECUTION_FIELDS.map((field, i): [string, string] => [field, String(i)]),
  ...EXTRA_FIELDS.map((field): [string, string] => [field, `14.${field}`]),
])
const taskPosition = new Map<string, string>([
  ...TASK_FIELDS.map((field, i): [string, string] => [field, String(i)]),
  ...FLAG_FIELDS.map((field): [string, string] => [field, '2']),
  ['id', '1'],
  ['baseId', '0'],
])

/**
 * The path in a compact row of what a check of the full execution names (as
 * `.tasks.2.started`): `.13.2.4`. A task written as its type alone is named
 * by its index.
 */
export const rowPath = (suffix: string, row: Row): string => {
  const parts = suffix.split('.').slice(1)
  const [field, index, taskField] = parts
  if (field === undefined) return ''
  if (field !== 'tasks') return `.${executionPosition.get(field) ?? field}`
  if (index === undefined) return '.13'
  const tasks = row[13]
  const task = Array.isArray(tasks) ? (tasks as readonly Json[])[Number(index)] : undefined
  if (taskField === undefined || !Array.isArray(task)) return `.13.${index}`
  return `.13.${index}.${taskPosition.get(taskField) ?? taskField}`
}

const STATUSES = new Set(['RUNNING', 'COMPLETED', 'FAILED', 'CANCELED'])
const FINAL_STATUSES = new Set(['FINISHED', 'FAILED', 'KILLED'])
const CATEGORIES = new Set(['SYSTEM', 'ALGORITHM', 'DATA'])
const TASK_TYPE_SET = new Set<string>(Task.TASK_TYPES)

const isObject = (x: unknown): x is Readonly<Record<string, unknown>> =>
  typeof x === 'object' && x !== null && !Array.isArray(x)

const describe = (x: unknown): string => {
  const text = JSON.stringify(x) ?? typeof x
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

/**
 * The executions of compact rows, sharing the tables' objects, or the problems
 * of their shape (each with its path under `path`).
 */
export const decode = (
  rows: readonly unknown[],
  tables: Tables,
  path: string,
): { readonly running: Execution[]; readonly problems: Problem[] } => {
  const problems: Problem[] = []
  const running: Execution[] = []
  let at = ''
  let bad: boolean
  const fail = (where: string, expected: string, value: unknown): undefined => {
    problems.push({ path: `${at}${where}`, message: `expected ${expected}, got ${describe(value)}` })
    bad = true
    return undefined
  }
  const integer = (x: unknown, where: string): number =>
    typeof x === 'number' && Number.isSafeInteger(x) ? x : (fail(where, 'an integer', x), 0)
  const natural = (x: unknown, where: string): number =>
    typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : (fail(where, 'a non-negative integer', x), 0)
  const finite = (x: unknown, where: string): number =>
    typeof x === 'number' && Number.isFinite(x) ? x : (fail(where, 'a finite number', x), 0)
  const string = (x: unknown, where: string): string => (typeof x === 'string' ? x : (fail(where, 'a string', x), ''))
  const optionalOf = <T>(x: unknown, where: string, read: (x: unknown, where: string) => T): T | undefined =>
    x === null || x === undefined ? undefined : read(x, where)
  const ref = <T>(table: readonly T[], name: string, x: unknown, where: string): T | undefined => {
    const value = typeof x === 'number' && Number.isSafeInteger(x) ? table[x] : undefined
    return value === undefined ? fail(where, `an index into tables.${name} (of ${table.length})`, x) : value
  }
  for (let i = 0; i < rows.length; i++) {
    at = `${path}.${i}`
    bad = false
    const row = rows[i]
    if (!Array.isArray(row) || (row.length !== 14 && row.length !== 15)) {
      fail('', 'an execution row of 14 or 15 items', row)
      continue
    }
    const r = row as readonly unknown[]
    const jobType = ref(tables.jobTypes, 'jobTypes', r[9], '.9')
    const settings = ref(tables.settings, 'settings', r[10], '.10')
    const status = r[11]
    if (typeof status !== 'string' || !STATUSES.has(status)) fail('.11', 'an execution status', status)
    const extraValue = r[14] ?? {}
    const extra: Readonly<Record<string, unknown>> = isObject(extraValue)
      ? extraValue
      : (fail('.14', 'an object', extraValue), {})
    const errorValue = extra['error']
    let error: JobError | undefined
    if (errorValue !== undefined) {
      if (
        isObject(errorValue) &&
        typeof errorValue['name'] === 'string' &&
        typeof errorValue['title'] === 'string' &&
        typeof errorValue['category'] === 'string' &&
        CATEGORIES.has(errorValue['category'])
      ) {
        error = errorValue as unknown as JobError
      } else fail('.14.error', 'a job error', errorValue)
    }
    const exitCodeErrors =
      extra['exitCodeErrors'] === undefined
        ? undefined
        : ref(tables.exitCodeErrors, 'exitCodeErrors', extra['exitCodeErrors'], '.14.exitCodeErrors')
    const clusterId = string(r[1], '.1')
    const head = {
      id: integer(r[0], '.0'),
      clusterId,
      jobId: integer(r[2], '.2'),
      exeNum: integer(r[3], '.3'),
      jobTypeId: integer(r[4], '.4'),
      nodeId: typeof r[5] === 'string' ? r[5] : integer(r[5], '.5'),
      agentId: string(r[6], '.6'),
      priority: optionalOf(extra['priority'], '.14.priority', finite),
      queued: finite(r[7], '.7'),
      started: finite(r[8], '.8'),
    }
    const tasksValue = r[13]
    const tasks: Task.Task[] = []
    if (!Array.isArray(tasksValue)) fail('.13', 'an array of tasks', tasksValue)
    else if (jobType !== undefined && settings !== undefined) {
      const context = contextOf({ clusterId, jobType, settings })
      ;(tasksValue as readonly unknown[]).forEach((value, j) => {
        const where = `.13.${j}`
        const type = Array.isArray(value) ? (value as readonly unknown[])[0] : value
        if (typeof type !== 'string' || !TASK_TYPE_SET.has(type)) {
          fail(Array.isArray(value) ? `${where}.0` : where, 'a task type', type)
          return
        }
        const fresh = Task.create(type as Task.TaskType, context)
        if (!Array.isArray(value)) {
          tasks.push(fresh)
          return
        }
        const t = value as readonly unknown[]
        if (t.length < 2 || t.length > 11) fail(where, 'a task row of 2 to 11 items', value)
        const lostCount = natural(t[1], `${where}.1`)
        const flags = optionalOf(t[2], `${where}.2`, natural) ?? 0
        if (flags > 7) fail(`${where}.2`, 'flags from 0 to 7', flags)
        const finalStatus = t[7] === null || t[7] === undefined ? undefined : t[7]
        if (finalStatus !== undefined && (typeof finalStatus !== 'string' || !FINAL_STATUSES.has(finalStatus)))
          fail(`${where}.7`, 'a final status', finalStatus)
        const config =
          t[10] === null || t[10] === undefined ? fresh.config : ref(tables.configs, 'configs', t[10], `${where}.10`)
        tasks.push({
          id: lostTaskId(fresh.baseId, lostCount),
          baseId: fresh.baseId,
          type: fresh.type,
          lostCount,
          config: config ?? fresh.config,
          launched: optionalOf(t[3], `${where}.3`, finite),
          started: optionalOf(t[4], `${where}.4`, finite),
          ended: optionalOf(t[6], `${where}.6`, finite),
          lastStatusUpdate: optionalOf(t[5], `${where}.5`, finite),
          timedOut: (flags & 1) !== 0,
          killRequested: (flags & 2) !== 0,
          forceReconciliation: (flags & 4) !== 0,
          finalStatus: finalStatus as Task.Task['finalStatus'],
          exitCode: optionalOf(t[8], `${where}.8`, integer),
          containerName: optionalOf(t[9], `${where}.9`, string),
        })
      })
    }
    const next = natural(r[12], '.12')
    const finished = optionalOf(extra['finished'], '.14.finished', finite)
    const current = optionalOf(extra['current'], '.14.current', natural)
    const lastTaskFinished = optionalOf(extra['lastTaskFinished'], '.14.lastTaskFinished', finite)
    if (bad || jobType === undefined || settings === undefined) continue
    running.push({
      id: head.id,
      clusterId: head.clusterId,
      jobId: head.jobId,
      exeNum: head.exeNum,
      jobTypeId: head.jobTypeId,
      nodeId: head.nodeId,
      agentId: head.agentId,
      priority: head.priority,
      queued: head.queued,
      started: head.started,
      jobType,
      exitCodeErrors,
      settings,
      status: status as Execution['status'],
      error,
      finished,
      tasks,
      current,
      next,
      lastTaskFinished,
    })
  }
  return { running, problems }
}
