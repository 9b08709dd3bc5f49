// A child process does not always inherit tsx's loader (under vitest it does
// not): register it here, then load the TypeScript shard owner.
import { register } from 'tsx/esm/api'

register()
await import('./postgresShard.ts')
