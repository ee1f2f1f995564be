import {
  ActionError,
  credentialErrorMessage,
  describeError,
  errorName,
  isCredentialError
} from '../src/errors.js'

const awsError = (name: string, message = 'from AWS') => Object.assign(new Error(message), { name })

describe('errors', () => {
  it.each([
    'ExpiredToken',
    'ExpiredTokenException',
    'InvalidClientTokenId',
    'UnrecognizedClientException',
    'InvalidSignatureException',
    'SignatureDoesNotMatch',
    'CredentialsProviderError',
    'AccessDenied',
    'AccessDeniedException'
  ])('%s is a credential error: no wait or retry helps', name => {
    expect(isCredentialError(awsError(name))).toBe(true)
    expect(describeError(awsError(name))).toBe(credentialErrorMessage(awsError(name)))
  })

  it.each(['ThrottlingException', 'ServiceUnavailable', 'InternalFailure', 'ServiceNotFoundException', ''])(
    '%s is not a credential error',
    name => expect(isCredentialError(awsError(name))).toBe(false)
  )

  it('says what to fix for each kind', () => {
    expect(credentialErrorMessage(awsError('AccessDeniedException', 'no ecs:UpdateService'))).toBe(
      'AWS denied access (AccessDeniedException): no ecs:UpdateService. The role needs the permission named above.'
    )
    expect(credentialErrorMessage(awsError('ExpiredTokenException', 'expired'))).toMatch(
      /^the AWS credentials have expired \(ExpiredTokenException\): expired\. Configure credentials again/
    )
    expect(credentialErrorMessage(awsError('InvalidClientTokenId', 'bad'))).toMatch(
      /^the AWS credentials are not valid \(InvalidClientTokenId\)/
    )
  })

  it('reads the code from name, Code or code, and prints plain messages as they are', () => {
    expect(errorName({ Code: 'Throttling' })).toBe('Throttling')
    expect(errorName({ code: 'ECONNRESET' })).toBe('ECONNRESET')
    expect(errorName(new Error('plain'))).toBe('')
    expect(describeError(new ActionError('input cluster: empty'))).toBe('input cluster: empty')
    expect(describeError(awsError('ThrottlingException', 'Rate exceeded'))).toBe(
      'ThrottlingException: Rate exceeded'
    )
  })
})
