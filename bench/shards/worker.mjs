// Worker threads do not inherit tsx's loader: register it, then load the worker.
import { register } from 'tsx/esm/api'

register()
await import('./worker.ts')
