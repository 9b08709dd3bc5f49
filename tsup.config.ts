import { writeFile } from 'node:fs/promises'
import { dirname, relative, resolve } from 'node:path'
import { defineConfig, type Options } from 'tsup'

// One output file per source module, each importing its neighbours, so that
// (1) a host's bundler drops the modules it does not use (with `sideEffects:
// false`) instead of receiving one file it must keep whole, and (2) the
// `/testing` and `/postgres` entries load the very modules the root entry
// loads: one copy of the core per module system, its classes included.

type Plugin = NonNullable<Options['esbuildPlugins']>[number]

/** The public entries, by output name; every other module keeps its path under src/. */
const ENTRIES = { index: 'src/index.ts', testing: 'src/testing.ts', postgres: 'src/postgres/index.ts' }

/**
 * Widens the build's entries to every module under src/ they reach (so the
 * command line's modules are in the ESM build only), keeps each module
 * external, and rewrites each relative import to the output file of the
 * module it names, with the extension Node needs (`.js` or `.cjs`).
 *
 * Under ESM, `fp-ts/X` becomes `#fp-ts/X` (the package's `imports` map): a
 * bundler (the `module` condition) resolves it as the host's own `fp-ts/X`,
 * so the host and this package share one copy, its ES modules where the
 * bundler picks them; Node gets `fp-ts/lib/X.js`, because fp-ts 2's ES modules
 * import without file extensions and Node can load neither them nor the
 * `fp-ts/X` folder from ESM. CommonJS keeps `fp-ts/X`, which `require`
 * resolves to the files a host's `require('fp-ts/X')` gets. io-ts is imported
 * by its root, which already resolves this way (`main` for Node, `module` for
 * bundlers).
 */
const perModule = (format: 'esm' | 'cjs'): Plugin => ({
  name: 'per-module',
  async setup(build) {
    const entries = build.initialOptions.entryPoints
    if (entries === undefined || Array.isArray(entries)) throw new Error('per-module: entries must be named')
    const { metafile } = await build.esbuild.build({
      entryPoints: Object.values(entries),
      bundle: true,
      write: false,
      outdir: 'dist',
      metafile: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
    })
    const named = new Map(Object.entries(entries).map(([name, path]) => [path, name]))
    const modules = Object.fromEntries(
      Object.keys(metafile.inputs)
        .filter((path) => path.startsWith('src/'))
        .map((path) => [named.get(path) ?? path.slice('src/'.length).replace(/\.ts$/, ''), path]),
    )
    build.initialOptions.entryPoints = modules
    const outputOf = new Map(Object.entries(modules).map(([name, path]) => [resolve(path), name]))
    const extension = format === 'esm' ? '.js' : '.cjs'
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === 'entry-point') return undefined
      const from = outputOf.get(args.importer)
      const candidates = ['.ts', '/index.ts'].map((ending) => resolve(args.resolveDir, args.path + ending))
      const target = candidates.map((path) => outputOf.get(path)).find((name) => name !== undefined)
      if (from === undefined || target === undefined) {
        return { errors: [{ text: `${args.path} from ${args.importer} is not a module of the build` }] }
      }
      const path = relative(dirname(from), target) + extension
      return { path: path.startsWith('.') ? path : `./${path}`, external: true }
    })
    build.onResolve({ filter: /^fp-ts\/[A-Za-z]+$/ }, (args) => ({
      path: format === 'esm' ? `#${args.path}` : args.path,
      external: true,
    }))
  },
})

/**
 * Node's `import` of each entry (`dist/<entry>.node.js`): the CommonJS build,
 * re-exported, so that a process that both imports and requires the package
 * (an ESM host with a CommonJS dependency, say) runs one copy of it, and a
 * state's errors are `instanceof` the classes either way. Bundlers take the
 * ES modules instead (the `module` condition), for `import` and `require`
 * alike. In Node, fp-ts is CommonJS under either build, so nothing is lost.
 */
const nodeImports = async (): Promise<void> => {
  for (const name of Object.keys(ENTRIES)) {
    const text = `// The CommonJS build, for Node's \`import\` (see package.json's exports).\nexport * from './${name}.cjs'\n`
    await writeFile(`dist/${name}.node.js`, text)
  }
}

const shared: Options = {
  sourcemap: true,
  target: 'node20',
  outDir: 'dist',
  splitting: false,
  // Left to the plugin above, which keeps fp-ts external under its own names.
  noExternal: [/^fp-ts\//],
}

export default defineConfig([
  // The ESM build also holds the command line (ESM only, run by Node through the bin).
  {
    ...shared,
    entry: { ...ENTRIES, cli: 'src/cli.ts' },
    format: 'esm',
    clean: true,
    esbuildPlugins: [perModule('esm')],
  },
  { ...shared, entry: ENTRIES, format: 'cjs', esbuildPlugins: [perModule('cjs')], onSuccess: nodeImports },
  // Declarations per public entry, for both module systems (`.d.ts` and `.d.cts`).
  { ...shared, entry: ENTRIES, format: ['esm', 'cjs'], dts: { only: true } },
])
