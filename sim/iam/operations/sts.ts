// AWS STS. GetCallerIdentity needs no permission: "No permissions are required to perform this
// operation. If an administrator attaches a policy to your identity that explicitly denies access
// to the sts:GetCallerIdentity action, you can still perform this operation" (STS API reference).
import type { ServiceTable } from './table.js'

export const stsTable: ServiceTable = {
  GetCallerIdentity: () => []
}
