// How the task-definition diff (in the job log and the job summary) shows a value: whole, or not
// at all, never a prefix. The runner masks a secret only where the whole of it appears on one
// line, so a value cut short, or split over lines, would show part of a secret in clear. Pure.
//
// The rule, in this order (the README's "What the diff shows"):
//  1. Hidden: a value whose name looks like a secret (a word such as TOKEN, SECRET, PASSWORD,
//     PASS, KEY, AUTH, CREDENTIALS, DSN in API_TOKEN, dbPassword, splunk-token), or a URL with a
//     password in it; an ARN never (it names a secret, it is not one). The line says that it was
//     added, removed or changed, and nothing about the value: not even a fingerprint, which for
//     a short password would be as good as the value.
//  2. Fingerprinted: a value with a line break or another control character, or longer than 160
//     characters: its length and the first 12 hex digits of its sha256, `(244 chars,
//     sha256:1a2b3c4d5e6f)`, enough to tell two values apart and to check one you hold.
//  3. Whole: everything else.
// Objects and lists (a logConfiguration, a command) are shown as compact JSON, with the values of
// their secret-looking keys hidden, and fingerprinted past 160 characters like any value.
import { createHash } from 'node:crypto'

/** Values up to this many characters (on one line) are shown whole: the old cut-off, no more cut. */
export const LONGEST_SHOWN = 160

const HIDDEN_NAME = '(hidden: the name looks like a secret)'
const HIDDEN_URL = '(hidden: a URL with a password)'

/** Words of a name that make it a secret's (after splitting on _ - . and camelCase). */
const SECRET_WORDS = new Set([
  'secret',
  'secrets',
  'token',
  'tokens',
  'password',
  'passwords',
  'passwd',
  'pass',
  'pwd',
  'passphrase',
  'key',
  'keys',
  'apikey',
  'privatekey',
  'secretkey',
  'accesskey',
  'auth',
  'authorization',
  'credential',
  'credentials',
  'creds',
  'dsn',
  'salt',
  'pat'
])

/** Parts that make a name a secret's even inside a longer word (DBPASSWORD, githubtoken). */
const SECRET_PARTS = /secret|token|passw|passphrase|credential|apikey|privatekey/

/** True when a name (an environment variable, a tag key, an option) looks like a secret's. */
export function looksSecret(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map(word => word.replace(/\d+$/, ''))
  return words.some(word => SECRET_WORDS.has(word)) || SECRET_PARTS.test(name.toLowerCase())
}

/** An ARN names a secret (a repositoryCredentials parameter, say); it is never one itself. */
const ARN = /^arn:aws[a-z-]*:/

/** `scheme://user:password@host`: the password is a secret whatever the variable is called. */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:[^\s/@]+@/i

// Line breaks and other control characters (C0, DEL, C1), and the Unicode line separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

type Json = unknown

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** JSON with object keys sorted, so equal values have equal text. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map(key => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'undefined'
}

/** The value with the strings under secret-looking keys (and URLs with passwords) hidden. */
function redacted(value: Json, name?: string): Json {
  if (typeof value === 'string') {
    if (name !== undefined && looksSecret(name) && !ARN.test(value)) return HIDDEN_NAME
    return URL_WITH_PASSWORD.test(value) ? HIDDEN_URL : value
  }
  if (Array.isArray(value)) return value.map(item => redacted(item, name))
  if (isObject(value)) {
    // An { name, value } pair (environment, a log option) takes its name from `name`.
    const pairName = typeof value.name === 'string' ? value.name : undefined
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [key, redacted(v, key === 'value' ? pairName : key)])
    )
  }
  return value
}

function fingerprint(text: string): string {
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 12)
  return `(${text.length} chars, sha256:${digest})`
}

/**
 * How one value reads in the diff. `name` is what the value is called (an environment
 * variable's name, a tag's key, the field), when it has one.
 */
export function showValue(value: Json, name?: string): string {
  if (typeof value === 'string') {
    if (name !== undefined && looksSecret(name) && !ARN.test(value)) return HIDDEN_NAME
    if (URL_WITH_PASSWORD.test(value)) return HIDDEN_URL
    return value.length > LONGEST_SHOWN || CONTROL.test(value) ? fingerprint(value) : value
  }
  const text = canonicalJson(redacted(value, name))
  return text.length > LONGEST_SHOWN ? fingerprint(text) : text
}

/** `before → after`, or `changed (hidden: …)` when neither side may be shown. */
export function showChange(before: Json, after: Json, name?: string): string {
  const [from, to] = [showValue(before, name), showValue(after, name)]
  return from === to && from.startsWith('(hidden') ? `changed ${from}` : `${from} → ${to}`
}
