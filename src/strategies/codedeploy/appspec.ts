// CodeDeploy's AppSpec, the pure part: the user's file checked, or one generated from the
// service's load balancer, and the revision CreateDeployment sends (content plus its sha256).
import { createHash } from 'node:crypto'
import { parseDocument } from 'yaml'
import { ActionError } from '../../errors.js'
import type { LoadBalancerTarget } from '../../service/plan.js'
import { yamlProblem } from '../../util/input-file.js'

export interface AppSpec {
  readonly version?: unknown
  readonly Resources: readonly Record<string, { Type?: unknown; Properties?: Record<string, unknown> }>[]
  readonly Hooks?: readonly Record<string, string>[]
  readonly [key: string]: unknown
}

/** Parses and checks an AppSpec file's text; errors name the file and, for syntax, the line. */
export function parseAppSpec(text: string, file: string): AppSpec {
  const document = parseDocument(text, { prettyErrors: false })
  const syntax = document.errors[0]
  if (syntax) {
    const before = text.slice(0, syntax.pos[0]).split('\n')
    const column = (before.at(-1) ?? '').length + 1
    // The position and the kind of problem only: the yaml package's message may quote the text.
    throw new ActionError(
      `input codedeploy-appspec: ${file}:${before.length}: invalid YAML at column ${column} (${yamlProblem(syntax)})`
    )
  }
  const spec = document.toJS() as unknown
  const fail = (problem: string): never => {
    throw new ActionError(`input codedeploy-appspec: ${file}: ${problem}`)
  }
  if (!spec || typeof spec !== 'object' || Array.isArray(spec))
    fail('is not an AppSpec (a mapping is expected)')
  const resources = (spec as { Resources?: unknown }).Resources
  if (!Array.isArray(resources) || resources.length !== 1)
    fail('Resources must list exactly one TargetService (an ECS AppSpec deploys one service)')
  const target = (resources as Record<string, { Type?: unknown; Properties?: Record<string, unknown> }>[])[0]
  const service = target ? Object.values(target)[0] : undefined
  if (service?.Type !== 'AWS::ECS::Service') fail('Resources[0] must have Type AWS::ECS::Service')
  const info = service?.Properties?.LoadBalancerInfo as
    { ContainerName?: unknown; ContainerPort?: unknown } | undefined
  if (typeof info?.ContainerName !== 'string' || typeof info.ContainerPort !== 'number')
    fail('Resources[0].Properties.LoadBalancerInfo needs ContainerName and ContainerPort')
  const hooks = (spec as { Hooks?: unknown }).Hooks
  if (hooks !== undefined && !Array.isArray(hooks))
    fail('Hooks must be a list of {LifecycleEvent: LambdaFunction}')
  return spec as AppSpec
}

/** The AppSpec CodeDeploy gets: the file's (hooks passed through) or one made from the service. */
export function renderAppSpec(
  taskDefinitionArn: string,
  template: AppSpec | undefined,
  loadBalancer: LoadBalancerTarget | undefined
): AppSpec {
  if (template) {
    const [first] = template.Resources
    const [name, service] = Object.entries(first ?? {})[0] ?? ['TargetService', {}]
    return {
      ...template,
      Resources: [
        { [name]: { ...service, Properties: { ...service.Properties, TaskDefinition: taskDefinitionArn } } }
      ]
    }
  }
  if (!loadBalancer)
    throw new ActionError(
      'input codedeploy-appspec: the service has no load balancer to build an AppSpec from; give an AppSpec file'
    )
  return {
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: taskDefinitionArn,
            LoadBalancerInfo: {
              ContainerName: loadBalancer.containerName,
              ContainerPort: loadBalancer.containerPort
            }
          }
        }
      }
    ]
  }
}

/** CreateDeployment's revision for an AppSpec: its content as JSON, with the sha256 CodeDeploy checks. */
export function appSpecRevision(spec: AppSpec) {
  const content = JSON.stringify(spec)
  return {
    revisionType: 'AppSpecContent' as const,
    appSpecContent: { content, sha256: createHash('sha256').update(content).digest('hex') }
  }
}
