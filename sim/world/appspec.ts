// The AppSpec of an Amazon ECS deployment, as the CodeDeploy user guide describes it ("AppSpec
// 'resources' section for Amazon ECS deployments", "AppSpec 'hooks' section for an Amazon ECS
// deployment"). YAML or JSON; JSON is valid YAML, so one parser reads both.
import type { NetworkConfiguration } from '@aws-sdk/client-ecs'
import { parse } from 'yaml'
import { AwsError } from '../world/aws-error.js'

/** The ECS lifecycle events in the order CodeDeploy runs them. */
export const ECS_LIFECYCLE_EVENTS = [
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'AllowTestTraffic',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic'
] as const
export type EcsLifecycleEvent = (typeof ECS_LIFECYCLE_EVENTS)[number]

/** The events that run a Lambda function named in the AppSpec; the others are CodeDeploy's own. */
export const HOOK_EVENTS: ReadonlySet<string> = new Set([
  'BeforeInstall',
  'AfterInstall',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AfterAllowTraffic'
])

export interface EcsAppSpec {
  readonly taskDefinition: string
  readonly containerName: string
  readonly containerPort: number
  readonly platformVersion?: string
  readonly networkConfiguration?: NetworkConfiguration
  /** Lifecycle event → Lambda function name or ARN. */
  readonly hooks: Readonly<Partial<Record<EcsLifecycleEvent, string>>>
}

type Doc = Record<string, unknown>
const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v)

function invalid(message: string): never {
  throw new AwsError('InvalidRevisionException', message)
}

function targetServiceProperties(doc: Doc): Doc {
  const resources = doc.Resources
  if (!Array.isArray(resources) || resources.length === 0)
    invalid('The AppSpec file must have a Resources section with one AWS::ECS::Service resource.')
  const [resource] = Object.values((resources[0] ?? {}) as Doc)
  if (!isDoc(resource) || resource.Type !== 'AWS::ECS::Service')
    invalid('The AppSpec resource must have Type AWS::ECS::Service.')
  if (!isDoc(resource.Properties)) invalid('The AppSpec resource must have Properties.')
  return resource.Properties
}

function networkConfiguration(properties: Doc): NetworkConfiguration | undefined {
  const network = properties.NetworkConfiguration
  if (!isDoc(network) || !isDoc(network.AwsvpcConfiguration)) return undefined
  const awsvpc = network.AwsvpcConfiguration
  return {
    awsvpcConfiguration: {
      subnets: (awsvpc.Subnets as string[] | undefined) ?? [],
      securityGroups: awsvpc.SecurityGroups as string[] | undefined,
      assignPublicIp: awsvpc.AssignPublicIp as 'ENABLED' | 'DISABLED' | undefined
    }
  }
}

function hooks(doc: Doc): EcsAppSpec['hooks'] {
  const out: Partial<Record<EcsLifecycleEvent, string>> = {}
  const list = doc.Hooks ?? []
  if (!Array.isArray(list)) invalid('The AppSpec Hooks section must be a list.')
  for (const entry of list) {
    for (const [event, fn] of Object.entries(isDoc(entry) ? entry : {})) {
      if (!HOOK_EVENTS.has(event))
        invalid(`The AppSpec hook ${event} is not a lifecycle event of an ECS deployment.`)
      if (typeof fn !== 'string' || !fn) invalid(`The AppSpec hook ${event} must name a Lambda function.`)
      out[event as EcsLifecycleEvent] = fn
    }
  }
  return out
}

/** Reads an ECS AppSpec; an unreadable or incomplete one is an InvalidRevisionException. */
export function parseEcsAppSpec(content: string): EcsAppSpec {
  let doc: unknown
  try {
    doc = parse(content)
  } catch (err) {
    invalid(`The AppSpec file cannot be parsed: ${(err as Error).message}`)
  }
  if (!isDoc(doc)) invalid('The AppSpec file must be a YAML or JSON object.')
  const properties = targetServiceProperties(doc)
  const loadBalancer = isDoc(properties.LoadBalancerInfo) ? properties.LoadBalancerInfo : {}
  const taskDefinition = properties.TaskDefinition
  if (typeof taskDefinition !== 'string' || !taskDefinition)
    invalid('The AppSpec resource must have a TaskDefinition.')
  const containerName = loadBalancer.ContainerName
  const containerPort = Number(loadBalancer.ContainerPort)
  if (typeof containerName !== 'string' || !containerName || !Number.isInteger(containerPort))
    invalid('The AppSpec resource must have LoadBalancerInfo with ContainerName and ContainerPort.')
  return {
    taskDefinition,
    containerName,
    containerPort,
    platformVersion: typeof properties.PlatformVersion === 'string' ? properties.PlatformVersion : undefined,
    networkConfiguration: networkConfiguration(properties),
    hooks: hooks(doc)
  }
}
