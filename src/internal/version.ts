/**
 * The package's version, read at run time from its package.json: the first
 * one named `job-execution-core` in the folders above this module. That is
 * two folders up both from `dist/internal/` (the installed command's module)
 * and from `src/internal/` under tsx.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'

const PackageJson = t.type({ name: t.literal('job-execution-core'), version: t.string })

const read = (path: string): unknown => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown
  } catch {
    return undefined
  }
}

/** The version in the package.json above `moduleUrl` (a `file:` URL), or why there is none. */
export const packageVersion = (moduleUrl: string = import.meta.url): E.Either<string, string> => {
  let dir: string
  try {
    dir = dirname(fileURLToPath(moduleUrl))
  } catch {
    return E.left(`not a file: ${moduleUrl}`)
  }
  for (;;) {
    const found = read(join(dir, 'package.json'))
    if (PackageJson.is(found)) return E.right(found.version)
    const parent = dirname(dir)
    if (parent === dir) return E.left('no package.json of job-execution-core above the command')
    dir = parent
  }
}
