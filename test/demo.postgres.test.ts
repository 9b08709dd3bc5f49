// The demo on PostgreSQL (demo/postgres.ts): K shard processes running runShard
// on PgStore, one killed with SIGKILL midway and taken over by a standby; its
// --json equals the in-memory demo's for the same seed, byte for byte.
//
// Runs against the server of DATABASE_URL or the PG* variables; without one it
// is skipped (and says why), unless JEC_REQUIRE_POSTGRES=1 (as in .ci/run),
// where it runs (and fails without a server). `npm run db:start` starts one.
import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/Either'
import { parseArgs, run, type Io } from '../demo/main'
import { serverConfigured } from '../demo/postgres'

const configured = serverConfigured()
const required = process.env['JEC_REQUIRE_POSTGRES'] === '1'

if (!configured && !required) {
  console.log('demo on PostgreSQL skipped: none of DATABASE_URL, PG* is set (npm run db:start starts a server)')
}

const capture = (): { readonly io: Io; readonly out: () => string; readonly err: () => string } => {
  let out = ''
  let err = ''
  return {
    io: { stdout: (text) => void (out += text), stderr: (text) => void (err += text), isTTY: false },
    out: () => out,
    err: () => err,
  }
}

const small = ['--nodes', '4', '--jobs', '200', '--seed', '11', '--json']

describe('demo flags of the durable engine', () => {
  it('--engine and --kill-shard parse; bad values are one-line errors', () => {
    const parsed = parseArgs(['--engine', 'postgres', '--shards', '2', '--kill-shard', '1'])
    expect(E.isRight(parsed) && parsed.right.kind === 'run' && parsed.right.options).toMatchObject({
      engine: 'postgres',
      shards: 2,
      killShard: 1,
    })
    for (const argv of [
      ['--engine', 'mysql'],
      ['--kill-shard', '0'],
      ['--engine', 'postgres', '--kill-shard', '1'],
      ['--engine', 'postgres', '--shards', '2', '--kill-shard', '2'],
      ['--engine', 'postgres', '--shards', '2', '--kill-shard', '-1'],
      ['--engine', 'postgres', '--kill-shard', 'x'],
    ]) {
      const bad = parseArgs(argv)
      expect(E.isLeft(bad) && !bad.left.includes('\n')).toBe(true)
    }
  })

  it('a bad value exits 2 with one line', async () => {
    const c = capture()
    expect(await run(['--engine', 'postgres', '--shards', '2', '--kill-shard', '5'], c.io)).toBe(2)
    expect(c.err().trimEnd().split('\n')).toHaveLength(1)
  })
})

describe.skipIf(!configured && !required)('demo on PostgreSQL', () => {
  it('K = 2 shard processes, shard 1 killed midway: --json equals the in-memory run byte for byte', async () => {
    const memory = capture()
    expect(await run(small, memory.io)).toBe(0)
    const durable = capture()
    expect(await run([...small, '--engine', 'postgres', '--shards', '2', '--kill-shard', '1'], durable.io)).toBe(0)
    expect(durable.err()).toMatch(/Failover: shard 1's process killed \(SIGKILL\) after [\d,]+ of [\d,]+ entries/)
    expect(durable.out()).toBe(memory.out())
  }, 600_000)
})
