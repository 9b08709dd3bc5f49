/**
 * Durable, sharded managers: an ordered event log per shard, fenced shard
 * owners, snapshots and an outbox committed together, on PostgreSQL
 * memory (`MemoryStore`), driven by {@link runShard}. The root entry never
 * loads this one.
 *
 * @module postgres
 * @since 0.2.0
 */
export * from './store'
export { runShard, routeLine, type ShardOptions, type ShardStop } from './runShard'
export * as MemoryStore from './memoryStore'
export * as PgStore from './pgStore'
