import { createHash } from 'node:crypto'
import { looksSecret, showChange, showValue } from '../../src/taskdef/shown-value.js'

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12)

describe('looksSecret', () => {
  it.each([
    'API_TOKEN',
    'DB_PASSWORD',
    'DBPASSWORD',
    'dbPassword',
    'AWS_SECRET_ACCESS_KEY',
    'STRIPE_API_KEY',
    'stripeApiKey',
    'SENTRY_DSN',
    'GH_PAT',
    'splunk-token',
    'REDIS_PASS',
    'BASIC_AUTH',
    'GOOGLE_APPLICATION_CREDENTIALS_JSON',
    'PASSWORD2'
  ])('%s: yes', name => {
    expect(looksSecret(name)).toBe(true)
  })

  it.each(['DJANGO_SETTINGS_MODULE', 'API_URL', 'BYPASS_CACHE', 'AUTHOR', 'KEYSPACE', 'PORT', 'image'])(
    '%s: no',
    name => {
      expect(looksSecret(name)).toBe(false)
    }
  )
})

describe('showValue: whole, or not at all', () => {
  it('shows a short plain value whole', () => {
    expect(showValue('https://api.example.com/v2', 'API_URL')).toBe('https://api.example.com/v2')
    expect(showValue('x'.repeat(160), 'NOTES')).toBe('x'.repeat(160))
  })

  it('hides a value whose name looks like a secret, without a fingerprint', () => {
    expect(showValue('hunter2', 'DB_PASSWORD')).toBe('(hidden: the name looks like a secret)')
    expect(showValue('t'.repeat(244), 'API_TOKEN')).toBe('(hidden: the name looks like a secret)')
  })

  it('hides a URL with a password in it, whatever the name', () => {
    expect(showValue('postgres://app:hunter2@db.internal:5432/shop', 'DATABASE_URL')).toBe(
      '(hidden: a URL with a password)'
    )
    expect(showValue('postgres://app@db.internal/shop', 'DATABASE_URL')).toBe(
      'postgres://app@db.internal/shop'
    )
  })

  it('shows an ARN under a secret-looking name: it names a secret, it is not one', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-AbCdEf'
    expect(showValue(arn, 'credentialsParameter')).toBe(arn)
  })

  it('fingerprints a value longer than 160 characters: never a prefix', () => {
    const long = 'v'.repeat(244)
    expect(showValue(long, 'FEATURE_FLAGS')).toBe(`(244 chars, sha256:${sha(long)})`)
  })

  it.each([
    ['a newline', 'line one\n::add-mask::x'],
    ['a lone carriage return', 'a\r::set-output name=x::y'],
    ['a tab', 'a\tb'],
    ['a line separator', 'a\u2028b'],
    ['a NUL', 'a\u0000b']
  ])('fingerprints a value with %s', (_name, value) => {
    expect(showValue(value, 'NOTES')).toBe(`(${value.length} chars, sha256:${sha(value)})`)
  })

  it('shows an object as compact JSON, its secret-looking keys hidden', () => {
    expect(
      showValue({
        logDriver: 'splunk',
        options: { 'splunk-url': 'https://s.example', 'splunk-token': 'abc' }
      })
    ).toBe(
      '{"logDriver":"splunk","options":{"splunk-token":"(hidden: the name looks like a secret)","splunk-url":"https://s.example"}}'
    )
    expect(showValue([{ name: 'API_TOKEN', value: 'abc' }])).toBe(
      '[{"name":"API_TOKEN","value":"(hidden: the name looks like a secret)"}]'
    )
  })

  it('fingerprints a long object instead of cutting it', () => {
    const command = ['sh', '-c', 'x'.repeat(200)]
    const json = `["sh","-c","${'x'.repeat(200)}"]`
    expect(showValue(command, 'command')).toBe(`(${json.length} chars, sha256:${sha(json)})`)
  })
})

describe('showChange', () => {
  it('says a hidden value changed, and nothing more', () => {
    expect(showChange('a', 'b', 'API_TOKEN')).toBe('changed (hidden: the name looks like a secret)')
  })

  it('shows both sides otherwise, each by the rule', () => {
    const long = 'v'.repeat(300)
    expect(showChange('1', long, 'WORKERS')).toBe(`1 → (300 chars, sha256:${sha(long)})`)
  })
})
