/**
 * Decoding Mesos `TaskStatus` JSON into task updates (contract §4).
 */
import * as E from 'fp-ts/Either'
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { TaskUpdate } from '../src/index'
import { leftOf, rightOf } from './fixtures'

const TASK_ID = 'scale_job_fw1_42x3_main'

/** A minimal valid Mesos status, with overrides. */
const mesos = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  task_id: { value: TASK_ID },
  agent_id: { value: 'agent-7' },
  state: 'TASK_RUNNING',
  timestamp: 1_700_000_000.25,
  ...overrides,
})

const without = (key: string): Record<string, unknown> => {
  const json = mesos()
  delete json[key]
  return json
}

const decoded = (json: unknown): TaskUpdate.TaskUpdate => rightOf(TaskUpdate.fromMesos(json))

const refused = (json: unknown): TaskUpdate.InvalidTaskUpdate => leftOf(TaskUpdate.fromMesos(json))

const paths = (json: unknown): readonly string[] => refused(json).problems.map((p) => p.path)

const inspectData = (inspect: unknown): string => btoa(JSON.stringify(inspect))

describe('state conversion', () => {
  it.each([
    ['TASK_STAGING', 'STAGING'],
    ['TASK_STARTING', 'STAGING'],
    ['TASK_RUNNING', 'RUNNING'],
    ['TASK_FINISHED', 'FINISHED'],
    ['TASK_FAILED', 'FAILED'],
    ['TASK_ERROR', 'FAILED'],
    ['TASK_KILLED', 'KILLED'],
    ['TASK_LOST', 'LOST'],
    ['TASK_DROPPED', 'LOST'],
    ['TASK_GONE', 'LOST'],
    ['TASK_GONE_BY_OPERATOR', 'LOST'],
    ['TASK_UNREACHABLE', 'LOST'],
    ['TASK_UNKNOWN', 'LOST'],
    ['TASK_KILLING', 'UNKNOWN'],
    ['TASK_SOMETHING_NEW', 'UNKNOWN'],
    ['task_running', 'UNKNOWN'],
    ['', 'UNKNOWN'],
    ['toString', 'UNKNOWN'],
    ['__proto__', 'UNKNOWN'],
  ])('%s -> %s', (state, status) => {
    expect(decoded(mesos({ state })).status).toBe(status)
  })
})

describe('the decoded update', () => {
  it('has every field the status carries', () => {
    const update = decoded(
      mesos({
        state: 'TASK_FAILED',
        message: 'Command exited with status 2',
        source: 'SOURCE_EXECUTOR',
        reason: 'REASON_COMMAND_EXECUTOR_FAILED',
      }),
    )
    expect(update).toEqual({
      taskId: TASK_ID,
      agentId: 'agent-7',
      status: 'FAILED',
      timestamp: 1_700_000_000_250,
      exitCode: 2,
      message: 'Command exited with status 2',
      source: 'SOURCE_EXECUTOR',
      reason: 'REASON_COMMAND_EXECUTOR_FAILED',
    })
  })

  it('a minimal status has no optional fields', () => {
    const update = decoded(mesos())
    expect(update).toEqual({ taskId: TASK_ID, agentId: 'agent-7', status: 'RUNNING', timestamp: 1_700_000_000_250 })
    expect(update.exitCode).toBeUndefined()
    expect(update.message).toBeUndefined()
    expect(update.containerName).toBeUndefined()
  })

  it('agent_id may be absent', () => {
    const update = decoded(without('agent_id'))
    expect(update.agentId).toBeUndefined()
    expect(update.taskId).toBe(TASK_ID)
    expect(update.status).toBe('RUNNING')
  })

  it('ignores the extra fields of a real Mesos status', () => {
    const update = decoded(
      mesos({
        uuid: 'c2NhbGU=',
        executor_id: { value: 'exec-1' },
        healthy: true,
        labels: { labels: [{ key: 'k', value: 'v' }] },
        container_status: {
          container_id: { value: 'abc' },
          network_infos: [{ ip_addresses: [{ ip_address: '10.0.0.1' }] }],
        },
        unreachable_time: { nanoseconds: 1_700_000_000_000_000_000 },
        check_status: { type: 'COMMAND' },
        limits: {},
      }),
    )
    expect(update).toEqual({ taskId: TASK_ID, agentId: 'agent-7', status: 'RUNNING', timestamp: 1_700_000_000_250 })
  })

  it('never changes its input', () => {
    const json = Object.freeze(mesos({ message: 'exited with status 1' }))
    const copy = JSON.stringify(json)
    decoded(json)
    expect(JSON.stringify(json)).toBe(copy)
  })
})

describe('timestamps: float seconds -> integer milliseconds', () => {
  it.each([
    [1_700_000_000, 1_700_000_000_000],
    [1_700_000_000.25, 1_700_000_000_250],
    [1_700_000_000.5, 1_700_000_000_500],
    [1.5, 1_500],
    [0, 0],
    [0.001, 1],
  ])('%d s -> %d ms', (seconds, ms) => {
    expect(decoded(mesos({ timestamp: seconds })).timestamp).toBe(ms)
  })

  it('is always an integer, even for sub-millisecond fractions', () => {
    for (const seconds of [1_700_000_000.123456, 1_700_000_000.0005, 1_700_000_000.9999, 12.3456789]) {
      const ms = decoded(mesos({ timestamp: seconds })).timestamp
      expect(Number.isInteger(ms)).toBe(true)
      expect(Math.abs(ms - seconds * 1000)).toBeLessThanOrEqual(1)
    }
  })
})

describe('exit codes', () => {
  it.each([
    ['TASK_FAILED', 'Command exited with status 2', 2],
    ['TASK_FAILED', 'Container exited with status 137', 137],
    ['TASK_FAILED', 'Command exited with status -9', -9],
    ['TASK_KILLED', 'Command exited with status 143 after kill', 143],
    ['TASK_FINISHED', 'Command exited with status 0', 0],
    ['TASK_FINISHED', 'exited with status 3', 3],
  ])('%s "%s" -> %d', (state, message, code) => {
    expect(decoded(mesos({ state, message })).exitCode).toBe(code)
  })

  it('a FINISHED update without an exit code has exit code 0', () => {
    expect(decoded(mesos({ state: 'TASK_FINISHED' })).exitCode).toBe(0)
    expect(decoded(mesos({ state: 'TASK_FINISHED', message: 'Command terminated' })).exitCode).toBe(0)
  })

  it('other updates without an exit code have none', () => {
    for (const state of ['TASK_FAILED', 'TASK_KILLED', 'TASK_RUNNING', 'TASK_LOST', 'TASK_ERROR']) {
      expect(decoded(mesos({ state })).exitCode).toBeUndefined()
      expect(decoded(mesos({ state, message: 'Container killed' })).exitCode).toBeUndefined()
      expect(decoded(mesos({ state, message: 'exited with status x' })).exitCode).toBeUndefined()
    }
  })
})

describe('container name from data', () => {
  it('is the MESOS_CONTAINER_NAME entry of Config.Env', () => {
    const data = btoa(JSON.stringify([{ Config: { Env: ['MESOS_CONTAINER_NAME=x'] } }]))
    expect(decoded(mesos({ data })).containerName).toBe('x')
  })

  it('is found among other entries of the first element', () => {
    const data = inspectData([
      {
        Id: 'abc',
        Config: { Env: ['PATH=/bin', 'MESOS_SANDBOX=/mnt', 'MESOS_CONTAINER_NAME=mesos-1234.5678', 'B=2'] },
      },
      { Config: { Env: ['MESOS_CONTAINER_NAME=second'] } },
    ])
    expect(decoded(mesos({ data })).containerName).toBe('mesos-1234.5678')
  })

  it('a value with = in it is kept whole', () => {
    expect(
      decoded(mesos({ data: inspectData([{ Config: { Env: ['MESOS_CONTAINER_NAME=a=b'] } }]) })).containerName,
    ).toBe('a=b')
  })

  it.each([
    ['not base64', '!!!not base64!!!'],
    ['not JSON', btoa('this is not json')],
    ['an object', inspectData({ Config: { Env: ['MESOS_CONTAINER_NAME=x'] } })],
    ['an empty array', inspectData([])],
    ['no Config', inspectData([{ Env: ['MESOS_CONTAINER_NAME=x'] }])],
    ['Env not a list', inspectData([{ Config: { Env: 'MESOS_CONTAINER_NAME=x' } }])],
    ['no such entry', inspectData([{ Config: { Env: ['A=1', 'MESOS_CONTAINER=x', 7, null] } }])],
    [
      'only in the second element',
      inspectData([{ Config: { Env: [] } }, { Config: { Env: ['MESOS_CONTAINER_NAME=x'] } }]),
    ],
    ['empty', ''],
    ['JSON null', inspectData(null)],
  ])('garbage data (%s): no container name, still Right', (_label, data) => {
    const update = decoded(mesos({ data }))
    expect(update.containerName).toBeUndefined()
    expect(update.status).toBe('RUNNING')
    expect(update.timestamp).toBe(1_700_000_000_250)
  })
})

describe('malformed statuses are refused, naming the path', () => {
  it.each([
    ['timestamp missing', without('timestamp'), ['timestamp']],
    ['timestamp a string', mesos({ timestamp: '1700000000' }), ['timestamp']],
    ['timestamp null', mesos({ timestamp: null }), ['timestamp']],
    ['timestamp infinite', mesos({ timestamp: Number.POSITIVE_INFINITY }), ['timestamp']],
    ['timestamp NaN', mesos({ timestamp: Number.NaN }), ['timestamp']],
    ['task_id missing', without('task_id'), ['task_id']],
    ['task_id a string', mesos({ task_id: TASK_ID }), ['task_id']],
    ['task_id.value missing', mesos({ task_id: {} }), ['task_id.value']],
    ['task_id.value a number', mesos({ task_id: { value: 5 } }), ['task_id.value']],
    ['state missing', without('state'), ['state']],
    ['state a number', mesos({ state: 1 }), ['state']],
    ['agent_id.value a number', mesos({ agent_id: { value: 3 } }), ['agent_id.value']],
    ['message a number', mesos({ message: 2 }), ['message']],
    ['reason an object', mesos({ reason: {} }), ['reason']],
    ['data a number', mesos({ data: 3 }), ['data']],
  ])('%s', (_label, json, expected) => {
    const error = refused(json)
    expect(error).toBeInstanceOf(TaskUpdate.InvalidTaskUpdate)
    expect(error.problems.map((p) => p.path)).toEqual(expected)
    for (const path of expected) expect(error.message).toContain(path)
  })

  it('names every bad field at once', () => {
    expect([...paths({ task_id: { value: 5 }, state: 3 })].sort()).toEqual(['state', 'task_id.value', 'timestamp'])
  })

  it.each([null, undefined, 42, 'TASK_RUNNING', [], [mesos()], true])('a non-object %j is refused', (json) => {
    expect(E.isLeft(TaskUpdate.fromMesos(json))).toBe(true)
  })
})

describe('data is decoded only where a task can take a container name', () => {
  const data = btoa(JSON.stringify([{ Config: { Env: ['MESOS_CONTAINER_NAME=x'] } }]))

  it.each(['TASK_STAGING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_KILLING'])(
    'a %s status carries no container name (a task takes it from its first RUNNING update)',
    (state) => {
      expect(decoded(mesos({ state, data })).containerName).toBeUndefined()
    },
  )

  it('a RUNNING one does', () => {
    expect(decoded(mesos({ state: 'TASK_RUNNING', data })).containerName).toBe('x')
  })
})

describe('base64 is read as atob reads it (forgiving base64), whichever decoder runs', () => {
  // The decoding before Buffer was used: atob, then UTF-8 with replacement.
  const reference = (value: string): string | undefined => {
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0)))
    } catch {
      return undefined
    }
    try {
      const inspect = JSON.parse(text) as unknown
      const first: unknown = Array.isArray(inspect) ? inspect[0] : undefined
      const config: unknown =
        typeof first === 'object' && first !== null ? (first as { Config?: unknown }).Config : undefined
      const env: unknown = typeof config === 'object' && config !== null ? (config as { Env?: unknown }).Env : undefined
      if (!Array.isArray(env)) return undefined
      const entry: unknown = env.find((e) => typeof e === 'string' && e.startsWith('MESOS_CONTAINER_NAME='))
      return typeof entry === 'string' ? entry.slice('MESOS_CONTAINER_NAME='.length) : undefined
    } catch {
      return undefined
    }
  }

  const encoded = fc
    .string({ unit: 'grapheme', maxLength: 12 })
    .map((name) =>
      btoa(
        String.fromCharCode(
          ...new TextEncoder().encode(JSON.stringify([{ Config: { Env: [`MESOS_CONTAINER_NAME=${name}`] } }])),
        ),
      ),
    )
  // Damage: drop padding, insert whitespace, cut, or put in a character base64 has not.
  const damaged = fc
    .tuple(encoded, fc.nat(), fc.constantFrom('', ' ', '\n', '\t', '=', '-', '_', '!', 'é', '=='), fc.boolean())
    .map(([text, at, insert, cut]) => {
      const i = at % (text.length + 1)
      const withInsert = `${text.slice(0, i)}${insert}${text.slice(i)}`
      return cut ? withInsert.slice(0, i) : withInsert
    })

  test.prop([fc.oneof(encoded, damaged, fc.base64String(), fc.string())])(
    'same container name as atob gives',
    (value) => {
      expect(TaskUpdate.containerNameOfData(value)).toBe(value === '' ? undefined : reference(value))
    },
  )
})

describe('fromMesos keeps only the keys it has', () => {
  it('for a bare status', () => {
    const decoded = TaskUpdate.fromMesos({ task_id: { value: 't' }, state: 'TASK_RUNNING', timestamp: 2 })
    expect(E.isRight(decoded) ? Object.keys(decoded.right).sort() : []).toEqual(['status', 'taskId', 'timestamp'])
  })

  it('for a full one', () => {
    const decoded = TaskUpdate.fromMesos({
      task_id: { value: 't' },
      agent_id: { value: 'a' },
      state: 'TASK_RUNNING',
      timestamp: 2,
      message: 'exited with status 3',
      source: 'SOURCE_EXECUTOR',
      reason: 'REASON_COMMAND_EXECUTOR_FAILED',
      data: btoa(JSON.stringify([{ Config: { Env: ['MESOS_CONTAINER_NAME=c'] } }])),
    })
    expect(E.isRight(decoded) ? Object.keys(decoded.right).sort() : []).toEqual([
      'agentId',
      'containerName',
      'exitCode',
      'message',
      'reason',
      'source',
      'status',
      'taskId',
      'timestamp',
    ])
  })

  it('reads the container name from inspect JSON holding a byte that is not UTF-8 elsewhere', () => {
    const inspect = '[{"Config":{"Env":["X=\xff","MESOS_CONTAINER_NAME=mesos-abc"]}}]'
    expect(TaskUpdate.containerNameOfData(btoa(inspect))).toBe('mesos-abc')
  })

  it('reads no container name from data that is not the inspect JSON', () => {
    for (const data of [
      '',
      '%%%',
      btoa('not json'),
      btoa('{"Config":{}}'),
      btoa('[{"Config":{"Env":"x"}}]'),
      btoa('[null]'),
    ]) {
      expect(TaskUpdate.containerNameOfData(data)).toBeUndefined()
    }
    expect(TaskUpdate.exitCodeOfMessage(undefined)).toBeUndefined()
    expect(TaskUpdate.exitCodeOfMessage('exited with status')).toBeUndefined()
  })

  it('reads no container name from JSON that names one but is not shaped as inspect JSON, and never throws', () => {
    // Each holds the key, so each is parsed: only its shape refuses it.
    for (const json of [
      '[null, "MESOS_CONTAINER_NAME=mesos-abc"]',
      '{"0":{"Config":{"Env":["MESOS_CONTAINER_NAME=mesos-abc"]}}}',
      '[{"Config":null, "x":"MESOS_CONTAINER_NAME=mesos-abc"}]',
      '[{"Config":{"Env":null}, "x":"MESOS_CONTAINER_NAME=mesos-abc"}]',
      '[{"Config":{"Env":[{"MESOS_CONTAINER_NAME=mesos-abc":1}]}}]',
    ]) {
      expect(TaskUpdate.containerNameOfData(btoa(json))).toBeUndefined()
    }
  })

  it('skips Env entries that are not strings', () => {
    const inspect = '[{"Config":{"Env":[7,null,{"k":"v"},"MESOS_CONTAINER_NAME=mesos-abc"]}}]'
    expect(TaskUpdate.containerNameOfData(btoa(inspect))).toBe('mesos-abc')
  })
})
