/**
 * The compact layout of the running executions (snapshot version 3): what a
 * version-2 snapshot writes as one object per execution and task, written as
 * positional rows, the values that executions share written once in tables
 * and referred to by index, the derivable left out.
 *
 * - `tables.settings`, `tables.jobTypes`, `tables.exitCodeErrors`,
 *   `tables.configs`, `tables.agents`, `tables.frameworks`: each distinct
 *   value once (by content), in order of first use over the running
 *   executions sorted by cluster id. A job type's error mapping is written
 *   with it, so once per job type.
 * - `tables.base`: the instant every instant of the rows is written as an
 *   offset from (13-digit epoch milliseconds become a few digits): the
 *   smallest of them, or 0 when there is none or when an offset from the
 *   smallest would not be a safe integer.
 * - an execution is the row `[id, clusterId, jobId, exeNum, jobTypeId, nodeId,
 *   agent, queued, started, jobType, settings, status, next, tasks, extra?]`,
 *   `agent`, `jobType` and `settings` being table indexes, `status` the index
 *   of the status in RUNNING, COMPLETED, FAILED, CANCELED; `clusterId` is the
 *   index of its framework id in `tables.frameworks` when it is exactly
 *   `Ids.clusterId(frameworkId, jobId, exeNum)` (as every cluster id the
 *   manager makes is), else the string; `extra` (left out when empty) holds
 *   what may be absent: `priority`, `exitCodeErrors` (a table index), `error`,
 *   `finished`, `current`, `lastTaskFinished`.
 * - a task as `Task.create` makes it (untouched, lost never, its configuration
 *   the one derived from its execution) is its type alone; any other is the
 *   row `[type, lostCount, flags, launched, started, lastStatusUpdate, ended,
 *   finalStatus, exitCode, containerName, config]`, absent values as `null`,
 *   trailing `null`s left out, `flags` the sum of timedOut 1, killRequested 2,
 *   forceReconciliation 4, `finalStatus` the index of the status in FINISHED,
 *   FAILED, KILLED, `config` a table index or `null` when derived.
 * - `queued`, `started`, `finished`, `lastTaskFinished` and the task instants
 *   `launched`, `started`, `lastStatusUpdate`, `ended` are offsets from
 *   `tables.base`.
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
import type { Execution, JobType, ListedExecution } from '../execution'
import { clusterId as clusterIdOf, JOB_TASK_ID_PREFIX, lostTaskId } from '../ids'
import type { Settings } from '../settings'
import * as Task from '../task'
import * as C from './canonical'
import { ERROR_CATEGORY, EXECUTION_STATUS, TASK_TYPE, TERMINAL_STATUS } from './literals'
import type { Problem } from './decode'
import { sameConfig } from './taskList'

/** The tables of shared values. */
export interface Tables {
  readonly settings: readonly Settings[]
  readonly jobTypes: readonly JobType[]
  readonly exitCodeErrors: readonly ExitCodeErrors[]
  readonly configs: readonly Task.TaskConfig[]
  readonly agents: readonly string[]
  readonly frameworks: readonly string[]
  readonly base: number
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

// Strings by value: agent and framework ids.
class StringTable {
  readonly list: string[] = []
  private readonly index = new Map<string, number>()
  indexOf(value: string): number {
    const known = this.index.get(value)
    if (known !== undefined) return known
    this.index.set(value, this.list.length)
    this.list.push(value)
    return this.list.length - 1
  }
}

/**
 * The codes of execution statuses and of task final statuses in rows: their
 * index in the sets' tuples, so those tuples' order is part of the format
 * (test/manager.snapshot.integrity.test.ts pins it).
 */
export const STATUS_CODES = EXECUTION_STATUS.values
export const FINAL_STATUS_CODES = TERMINAL_STATUS.values

/**
 * The base of the instants: the smallest, so that every offset is small and
 * non-negative; 0 when there is none, or when the spread of the instants is
 * beyond a safe integer (only then would an offset not be one).
 */
export const baseOf = (running: readonly Execution[]): number => {
  let min = Infinity
  let max = -Infinity
  // One pass over the instants in place: the writer's hot loop, so no array per execution.
  const see = (instant: number | undefined): void => {
    if (instant === undefined) return
    if (instant < min) min = instant
    if (instant > max) max = instant
  }
  for (const e of running) {
    see(e.queued)
    see(e.started)
    see(e.finished)
    see(e.lastTaskFinished)
    // A task not reached yet has no instant.
    for (const task of e.tasksSoFar) {
      see(task.launched)
      see(task.started)
      see(task.lastStatusUpdate)
      see(task.ended)
    }
  }
  return min === Infinity || !Number.isSafeInteger(max - min) || !Number.isSafeInteger(min) ? 0 : min
}

/**
 * The framework id of a cluster id that is exactly `Ids.clusterId(frameworkId,
 * jobId, exeNum)` for the execution's own job id and number, else undefined
 * (the cluster id is then written as it is).
 */
export const frameworkOf = (clusterId: string, jobId: number, exeNum: number): string | undefined => {
  const prefix = `${JOB_TASK_ID_PREFIX}_`
  const suffix = `_${jobId}x${exeNum}`
  if (clusterId.length < prefix.length + suffix.length) return undefined
  if (!clusterId.startsWith(prefix) || !clusterId.endsWith(suffix)) return undefined
  const framework = clusterId.slice(prefix.length, clusterId.length - suffix.length)
  return clusterIdOf(framework, jobId, exeNum) === clusterId ? framework : undefined
}

/**
 * The same string, held flat: a string built by concatenation is held by V8
 * as a tree of its parts (a rope), several times the size of its characters;
 * `JSON.parse` makes flat strings, so a derived cluster id is held as
 * compactly as one read from a version-2 snapshot. Without it the restored
 * heap at 100,000 grows from 1.037 to 1.052 times the original. (Reading the
 * rope as a whole, with `Number(text)` and the result unused, flattened it
 * only until the optimizing compiler dropped the call.)
 */
const flat = (text: string): string => JSON.parse(JSON.stringify(text)) as string

const contextOf = (execution: Pick<Execution, 'clusterId' | 'jobType' | 'settings'>): Task.TaskContext => ({
  clusterId: execution.clusterId,
  isSystem: execution.jobType.isSystem,
  isLongRunning: execution.jobType.isLongRunning,
  timeout: execution.jobType.timeout,
  settings: execution.settings,
})

// The configuration Task.create derives for a task of an execution: a
// function of its job type and settings, so made once per pair of those
// (shared objects, mostly one or a few) rather than a task per task written.
type ConfigsByType = Map<Task.TaskType, Task.TaskConfig>

class DerivedConfigs {
  private readonly byJobType = new Map<JobType, Map<Settings, ConfigsByType>>()
  of(type: Task.TaskType, execution: Pick<Execution, 'clusterId' | 'jobType' | 'settings'>): Task.TaskConfig {
    const bySettings = entryOf(this.byJobType, execution.jobType, () => new Map<Settings, ConfigsByType>())
    const byType = entryOf(bySettings, execution.settings, (): ConfigsByType => new Map())
    return entryOf(byType, type, () => Task.create(type, contextOf(execution)).config)
  }
}

// The value at `key`, made by `make` and kept there the first time.
const entryOf = <K, V>(map: Map<K, V>, key: K, make: () => V): V => {
  const known = map.get(key)
  if (known !== undefined) return known
  const made = make()
  map.set(key, made)
  return made
}

// What the writer gives its type alone for (its configuration aside): a row
// of `type, 0, 0` and nulls, all trimmed.
const isUntouched = (task: Task.Task): boolean =>
  task.lostCount === 0 &&
  !task.timedOut &&
  !task.killRequested &&
  !task.forceReconciliation &&
  task.launched === undefined &&
  task.started === undefined &&
  task.lastStatusUpdate === undefined &&
  task.ended === undefined &&
  task.finalStatus === undefined &&
  task.exitCode === undefined &&
  task.containerName === undefined

const orNull = (value: Json | undefined): Json => (value === undefined ? null : value)

const finalStatusCode = (status: Task.Task['finalStatus']): number | null =>
  status === undefined ? null : FINAL_STATUS_CODES.indexOf(status)

/** Encodes executions (sorted by cluster id) compactly. */
export const encode = (running: readonly Execution[]): { readonly tables: Tables; readonly running: Row[] } => {
  const settings = new Interner<Settings>()
  const jobTypes = new Interner<JobType>()
  const exitCodeErrors = new Interner<ExitCodeErrors>()
  const configs = new Interner<Task.TaskConfig>()
  const agents = new StringTable()
  const frameworks = new StringTable()
  const base = baseOf(running)
  const offset = (instant: number | undefined): number | null => (instant === undefined ? null : instant - base)
  const derivedConfigs = new DerivedConfigs()
  const rows = running.map((e): Row => {
    const tasks = e.tasksSoFar.map((task): Json => {
      const derived = sameConfig(task.config, derivedConfigs.of(task.type, e))
      // Most tasks are as Task.create made them: their type alone, without a row to trim.
      if (derived && isUntouched(task)) return task.type
      const config = derived ? null : configs.indexOf(task.config)
      const flags = (task.timedOut ? 1 : 0) + (task.killRequested ? 2 : 0) + (task.forceReconciliation ? 4 : 0)
      const row: Json[] = [
        task.type,
        task.lostCount,
        flags,
        offset(task.launched),
        offset(task.started),
        offset(task.lastStatusUpdate),
        offset(task.ended),
        finalStatusCode(task.finalStatus),
        orNull(task.exitCode),
        orNull(task.containerName),
        config,
      ]
      while (row.length > 1 && row[row.length - 1] === null) row.pop()
      if (row.length === 3 && row[1] === 0 && row[2] === 0) return task.type
      return row
    })
    // The tasks not reached yet are as Task.create makes them: their type alone.
    for (let i = e.tasksSoFar.length; i < e.taskTypes.length; i++) tasks.push(e.taskTypes[i] ?? null)
    const extra: Record<string, Json> = {}
    if (e.priority !== undefined) extra['priority'] = e.priority
    if (e.exitCodeErrors !== undefined) extra['exitCodeErrors'] = exitCodeErrors.indexOf(e.exitCodeErrors)
    if (e.error !== undefined) extra['error'] = { name: e.error.name, category: e.error.category, title: e.error.title }
    if (e.finished !== undefined) extra['finished'] = e.finished - base
    if (e.current !== undefined) extra['current'] = e.current
    if (e.lastTaskFinished !== undefined) extra['lastTaskFinished'] = e.lastTaskFinished - base
    const framework = frameworkOf(e.clusterId, e.jobId, e.exeNum)
    const row: Json[] = [
      e.id,
      framework === undefined ? e.clusterId : frameworks.indexOf(framework),
      e.jobId,
      e.exeNum,
      e.jobTypeId,
      e.nodeId,
      agents.indexOf(e.agentId),
      e.queued - base,
      e.started - base,
      jobTypes.indexOf(e.jobType),
      settings.indexOf(e.settings),
      STATUS_CODES.indexOf(e.status),
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
      agents: agents.list,
      frameworks: frameworks.list,
      base,
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
): { readonly running: ListedExecution[]; readonly problems: Problem[] } => {
  const problems: Problem[] = []
  const running: ListedExecution[] = []
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
  const code = <T>(codes: readonly T[], name: string, x: unknown, where: string): T | undefined => {
    const value = typeof x === 'number' && Number.isSafeInteger(x) ? codes[x] : undefined
    return value === undefined ? fail(where, `the code of ${name} (0 to ${codes.length - 1})`, x) : value
  }
  // An offset from the base: both whole, so is the instant; it must stay a safe integer.
  const instant = (x: unknown, where: string): number => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x)) return fail(where, 'an offset (an integer)', x) ?? 0
    const value = tables.base + x
    return Number.isSafeInteger(value) ? value : (fail(where, `an offset from ${tables.base} to a safe integer`, x), 0)
  }
  // The framework's index for a cluster id the manager's way, or the cluster id itself.
  const clusterIdAt = (x: unknown, jobId: number, exeNum: number): string => {
    if (typeof x === 'string') return x
    if (typeof x !== 'number') return fail('.1', 'a cluster id or an index into tables.frameworks', x) ?? ''
    const framework = ref(tables.frameworks, 'frameworks', x, '.1')
    return framework === undefined ? '' : flat(clusterIdOf(framework, jobId, exeNum))
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
    const status = code(STATUS_CODES, 'an execution status', r[11], '.11')
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
        ERROR_CATEGORY.is(errorValue['category'])
      ) {
        error = errorValue as unknown as JobError
      } else fail('.14.error', 'a job error', errorValue)
    }
    const exitCodeErrors =
      extra['exitCodeErrors'] === undefined
        ? undefined
        : ref(tables.exitCodeErrors, 'exitCodeErrors', extra['exitCodeErrors'], '.14.exitCodeErrors')
    const jobId = integer(r[2], '.2')
    const exeNum = integer(r[3], '.3')
    const clusterId = clusterIdAt(r[1], jobId, exeNum)
    const head = {
      id: integer(r[0], '.0'),
      clusterId,
      jobId,
      exeNum,
      jobTypeId: integer(r[4], '.4'),
      nodeId: typeof r[5] === 'string' ? r[5] : integer(r[5], '.5'),
      agentId: ref(tables.agents, 'agents', r[6], '.6') ?? '',
      priority: optionalOf(extra['priority'], '.14.priority', finite),
      queued: instant(r[7], '.7'),
      started: instant(r[8], '.8'),
    }
    const tasksValue = r[13]
    const decoded: Task.Task[] = []
    if (!Array.isArray(tasksValue)) fail('.13', 'an array of tasks', tasksValue)
    else if (jobType !== undefined && settings !== undefined) {
      const context = contextOf({ clusterId, jobType, settings })
      ;(tasksValue as readonly unknown[]).forEach((value, j) => {
        const where = `.13.${j}`
        const type = Array.isArray(value) ? (value as readonly unknown[])[0] : value
        if (!TASK_TYPE.is(type)) {
          fail(Array.isArray(value) ? `${where}.0` : where, 'a task type', type)
          return
        }
        const fresh = Task.create(type, context)
        if (!Array.isArray(value)) {
          decoded.push(fresh)
          return
        }
        const t = value as readonly unknown[]
        if (t.length < 2 || t.length > 11) fail(where, 'a task row of 2 to 11 items', value)
        const lostCount = natural(t[1], `${where}.1`)
        const flags = optionalOf(t[2], `${where}.2`, natural) ?? 0
        if (flags > 7) fail(`${where}.2`, 'flags from 0 to 7', flags)
        const finalStatus = optionalOf(t[7], `${where}.7`, (x, at) => code(FINAL_STATUS_CODES, 'a final status', x, at))
        const config =
          t[10] === null || t[10] === undefined ? fresh.config : ref(tables.configs, 'configs', t[10], `${where}.10`)
        decoded.push({
          id: lostTaskId(fresh.baseId, lostCount),
          baseId: fresh.baseId,
          type: fresh.type,
          lostCount,
          config: config ?? fresh.config,
          launched: optionalOf(t[3], `${where}.3`, instant),
          started: optionalOf(t[4], `${where}.4`, instant),
          ended: optionalOf(t[6], `${where}.6`, instant),
          lastStatusUpdate: optionalOf(t[5], `${where}.5`, instant),
          timedOut: (flags & 1) !== 0,
          killRequested: (flags & 2) !== 0,
          forceReconciliation: (flags & 4) !== 0,
          finalStatus,
          exitCode: optionalOf(t[8], `${where}.8`, integer),
          containerName: optionalOf(t[9], `${where}.9`, string),
        })
      })
    }
    const next = natural(r[12], '.12')
    const finished = optionalOf(extra['finished'], '.14.finished', instant)
    const current = optionalOf(extra['current'], '.14.current', natural)
    const lastTaskFinished = optionalOf(extra['lastTaskFinished'], '.14.lastTaskFinished', instant)
    if (bad || jobType === undefined || settings === undefined || status === undefined) continue
    // A copy of exactly four slots: the list pushed to keeps growth room for
    // thirteen more, 104 bytes per restored execution.
    const tasks = decoded.slice()
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
      status,
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
