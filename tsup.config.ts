import { defineConfig, type Options } from 'tsup'

// fp-ts 2 has no exports map, so Node's ESM loader cannot resolve `fp-ts/Either`
// (a directory), and its es6 build imports without file extensions. Point each
// fp-ts module at its CommonJS file, which both of our builds can load.
const fpTsFiles = (): NonNullable<Options['esbuildPlugins']>[number] => ({
  name: 'fp-ts-files',
  setup(build) {
    build.onResolve({ filter: /^fp-ts\/[A-Za-z]+$/ }, (args) => ({
      path: args.path.replace(/^fp-ts\//, 'fp-ts/lib/') + '.js',
      external: true,
    }))
  },
})

const shared: Options = {
  entry: { index: 'src/index.ts', testing: 'src/testing.ts', postgres: 'src/postgres/index.ts' },
  sourcemap: true,
  target: 'node20',
  outDir: 'dist',
  // Resolved by the plugin above rather than left as bare specifiers.
  noExternal: [/^fp-ts\//],
}

export default defineConfig([
  { ...shared, format: 'esm', dts: true, clean: true, esbuildPlugins: [fpTsFiles()] },
  { ...shared, format: 'cjs', dts: true, esbuildPlugins: [fpTsFiles()] },
  // The command line: ESM only, run by Node through the package's bin.
  { ...shared, entry: { cli: 'src/cli.ts' }, format: 'esm', dts: false, esbuildPlugins: [fpTsFiles()] },
])
