// Helpers of the durable-shard tests (in memory and on PostgreSQL): a workload
// appended to shard logs, and what one fault-free manager per shard outboxes.
import { fc } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { expect } from 'vitest'
import { EventLog, Manager } from '../src/index'
import { routeLine, type LogRecord, type ShardStore } from '../src/postgres'
import { eventStream, type EventStream } from '../src/testing'

/** A fixed, non-trivial generated workload. */
export const fixedStream = (seed: number, maxLength = 80): EventStream =>
  fc
    .sample(eventStream({ maxLength }), { numRuns: 20, seed })
    .reduce((a, b) => (b.events.length > a.events.length ? b : a))

/** Routes the stream to `k` shard logs, numbered from `first` (key `event-i` for the i-th event), and appends it twice. */
export const appendStream = async (store: ShardStore, stream: EventStream, k: number, first = 0): Promise<void> => {
  const perShard = new Map<number, Array<{ key: string; line: string }>>()
  stream.events.forEach(({ now, event }, i) => {
    const routed = routeLine(EventLog.encodeLine(now, event), k)
    expect(E.isRight(routed)).toBe(true)
    if (E.isLeft(routed)) return
    for (const [shard, line] of routed.right) {
      const list = perShard.get(first + shard) ?? []
      list.push({ key: `event-${i}`, line })
      perShard.set(first + shard, list)
    }
  })
  for (const [shard, entries] of perShard) {
    const written = await store.append(shard, entries)
    expect(written).toEqual(E.right(entries.map((_, i) => i + 1)))
    // An at-least-once producer sends everything again: nothing is written.
    expect(await store.append(shard, entries)).toEqual(E.right([]))
  }
}

/** The whole log of a shard. */
export const logOf = async (store: ShardStore, shard: number): Promise<LogRecord[]> => {
  const all: LogRecord[] = []
  for (;;) {
    const read = await store.read(shard, all.length, 1_000)
    if (E.isLeft(read) || read.right.length === 0) return all
    all.push(...read.right)
  }
}

/** What one manager fed a shard's whole log without faults gives: its outbox by offset, and its state. */
export const reference = (
  log: readonly LogRecord[],
  start: number,
): { readonly outbox: Map<number, string>; readonly state: Manager.Manager } => {
  let state = Manager.create(start)
  const outbox = new Map<number, string>()
  for (const record of log) {
    const entry = EventLog.decodeLine(record.line)
    if (E.isLeft(entry)) continue
    const [messages, drained] = Manager.drain(
      Manager.reduce(state, entry.right.event, entry.right.now),
      entry.right.now,
    )
    state = drained
    if (messages.length > 0) outbox.set(record.offset, JSON.stringify(messages))
  }
  return { outbox, state }
}
