/**
 * One shard owner of the demo on PostgreSQL, in its own process (forked by
 * `postgres.ts`): `runShard` for one shard against `PgStore`. A standby is the
 * same script: it waits in `runShard` until the shard's lock is free.
 *
 * The parent passes `{ shard, schema, start }` as JSON in argv[2] and, when it
 * has appended everything, `{ kind: 'finish', offset }`; the owner stops once it
 * has applied that offset and answers with its metrics. Outbox entries go to the
 * parent as they are handed out (at-least-once: the parent keeps one per offset).
 */
import * as E from 'fp-ts/Either'
import { EventLog, Manager } from '../src/index'
import { PgStore, runShard } from '../src/postgres'
import { toWire, type WireMetrics } from './wireMetrics'

/** What the parent tells a shard owner. */
export interface OwnerRequest {
  readonly kind: 'finish'
  /** The last offset of the shard's log. */
  readonly offset: number
}

/** What a shard owner tells the parent. */
export type OwnerReport =
  | { readonly kind: 'connected' }
  | { readonly kind: 'applied'; readonly offset: number }
  | { readonly kind: 'outbox'; readonly entries: ReadonlyArray<readonly [number, Readonly<Record<string, number>>]> }
  | {
      readonly kind: 'done'
      readonly metrics: WireMetrics
    }
  | { readonly kind: 'failed'; readonly reason: string }

/** The shard owner's arguments. */
export interface OwnerArgs {
  readonly shard: number
  readonly schema: string
  readonly start: number
}

const send = (report: OwnerReport): Promise<void> =>
  new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('not a forked child'))
      return
    }
    process.send(report, undefined, {}, (error) => (error === null ? resolve() : reject(error)))
  })

const parseArgs = (text: string | undefined): OwnerArgs | undefined => {
  try {
    const value = JSON.parse(text ?? '') as Partial<OwnerArgs>
    return typeof value.shard === 'number' && typeof value.schema === 'string' && typeof value.start === 'number'
      ? { shard: value.shard, schema: value.schema, start: value.start }
      : undefined
  } catch {
    return undefined
  }
}

// The outbox holds what this driver wrote (a JSON array of messages).
const countsOf = (messages: string): Record<string, number> => {
  try {
    const parsed: unknown = JSON.parse(messages)
    return Array.isArray(parsed) ? EventLog.countMessages(parsed) : {}
  } catch {
    return {}
  }
}

const main = async (): Promise<number> => {
  const args = parseArgs(process.argv[2])
  if (args === undefined) {
    await send({ kind: 'failed', reason: `bad arguments ${process.argv[2] ?? ''}` })
    return 2
  }
  const connected = await PgStore.connect({ schema: args.schema, heartbeatMs: 100 })
  if (E.isLeft(connected)) {
    await send({ kind: 'failed', reason: JSON.stringify(connected.left) })
    return 1
  }
  const store = connected.right
  await send({ kind: 'connected' })
  const controller = new AbortController()
  // Offset 0 is the empty log: a shard with no entries is done at once.
  let applied = 0
  let target: number | undefined
  const stopIfDone = (): void => {
    if (target !== undefined && applied >= target) controller.abort()
  }
  process.on('message', (request: OwnerRequest) => {
    if (request.kind === 'finish') {
      target = request.offset
      stopIfDone()
    }
  })
  let reported = Promise.resolve()
  const stop = await runShard(store, args.shard, {
    signal: controller.signal,
    start: args.start,
    pollMs: 20,
    onOutbox: async (_shard, entries) => {
      await send({ kind: 'outbox', entries: entries.map((entry) => [entry.offset, countsOf(entry.messages)] as const) })
    },
    onApplied: (_state, offset) => {
      applied = offset
      reported = reported.then(() => send({ kind: 'applied', offset }))
      stopIfDone()
    },
  })
  await reported
  await store.close()
  if (stop.type !== 'Stopped') {
    await send({ kind: 'failed', reason: stop.type === 'Failed' ? stop.reason : `shard ${args.shard} lost` })
    return 1
  }
  await send({ kind: 'done', metrics: toWire(Manager.metrics(stop.state)) })
  return 0
}

void main().then((code) => {
  process.exitCode = code
  process.disconnect()
})
