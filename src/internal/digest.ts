// The integrity digest of a stored snapshot's text.
import { createHash } from 'node:crypto'

/** SHA-256 of the UTF-8 text, in lower-case hex. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex')
