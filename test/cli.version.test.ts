// `--version` when the package's version cannot be read (the command copied
// out of its package, say): a one-line reason and exit code 1, never a throw.
// The reader itself is tested in cli.replay.test.ts; here it is made to fail.
import * as E from 'fp-ts/Either'
import { describe, expect, it, vi } from 'vitest'
import { run } from '../src/cli'

vi.mock('../src/internal/version', () => ({
  packageVersion: (): E.Either<string, string> => E.left('no package.json of job-execution-core above the command'),
}))

describe('job-execution-core --version without its package.json', () => {
  it('says why on standard error and exits with 1', async () => {
    const out: string[] = []
    const err: string[] = []
    const io = { isTTY: false, stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) }
    expect(await run(['--version'], io)).toBe(1)
    expect(out).toEqual([])
    expect(err).toEqual([
      'job-execution-core: cannot tell its version: no package.json of job-execution-core above the command\n',
    ])
  })
})
