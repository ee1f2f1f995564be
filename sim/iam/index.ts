// The simulator's IAM: what each request asks (operations/), how a caller's policies answer it
// (evaluate.ts, with @cloud-copilot/iam-simulate), and AWS's AccessDenied on the wire
// (access-denied.ts). Self-contained: it imports nothing else from sim/.
export { authorize, type AuthorizeRequest, type Decision, type DecidedCheck } from './authorize.js'
export {
  evaluateCheck,
  identityFrom,
  principalArnOfSession,
  type CheckResult,
  type Identity,
  type NamedPolicy,
  type Verdict
} from './evaluate.js'
export {
  accessDeniedAnswer,
  accessDeniedMessage,
  protocolOf,
  type Protocol,
  type WireAnswer
} from './access-denied.js'
export type { Check, ConditionContext, RequestScope, World } from './check.js'
export {
  checksFor,
  isSimService,
  registryCheck,
  SERVICE_TABLES,
  type RegistryRequest,
  type SimService
} from './operations/index.js'
export {
  exampleIdentity,
  grantPairs,
  loadPermissions,
  pairsCovering,
  type Grant,
  type GrantPair,
  type PermissionsData,
  type RoleData
} from './permissions.js'
