// The operation table of every service the simulator answers, keyed the way its call log names
// services (`ecs`, `ecr`, `elbv2`, `codedeploy`, `logs`, `sts`).
import type { Check, RequestScope } from '../check.js'
import { codeDeployTable } from './codedeploy.js'
import { ecrTable } from './ecr.js'
import { ecsTable } from './ecs.js'
import { elbTable } from './elbv2.js'
import { logsTable } from './logs.js'
import { stsTable } from './sts.js'
import type { ServiceTable } from './table.js'

export const SERVICE_TABLES = {
  ecs: ecsTable,
  ecr: ecrTable,
  elbv2: elbTable,
  codedeploy: codeDeployTable,
  logs: logsTable,
  sts: stsTable
} as const satisfies Record<string, ServiceTable>

export type SimService = keyof typeof SERVICE_TABLES

export function isSimService(service: string): service is SimService {
  return Object.hasOwn(SERVICE_TABLES, service)
}

/**
 * The checks a request makes; undefined for an operation the table does not know, which the
 * caller must refuse rather than let through.
 */
export function checksFor(
  service: SimService,
  operation: string,
  input: unknown,
  scope: RequestScope
): Check[] | undefined {
  const table: ServiceTable = SERVICE_TABLES[service]
  const checks = Object.hasOwn(table, operation) ? table[operation] : undefined
  if (!checks) return undefined
  const request = input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : {}
  return checks(request, scope)
}

export { registryCheck, type RegistryRequest } from './ecr.js'
