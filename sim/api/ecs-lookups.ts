// The ECS resources a request names, found or answered with the error ECS gives for a missing one.
import type * as E from '@aws-sdk/client-ecs'
import { AwsError } from '../world/aws-error.js'
import { findService, nameFromArn, type SimService, type SimState } from '../world/model.js'
import { findTaskDefinition } from '../world/task-definitions.js'

export function cluster(state: SimState, ref: string | undefined): E.Cluster {
  const name = nameFromArn(ref ?? 'default')
  const found = state.clusters.get(name)
  if (!found) throw new AwsError('ClusterNotFoundException', 'Cluster not found.')
  return found
}

export function service(
  state: SimState,
  clusterRef: string | undefined,
  ref: string | undefined
): SimService {
  const c = cluster(state, clusterRef)
  const svc = findService(state, c.clusterName ?? '', ref ?? '')
  if (!svc || svc.service.status === 'INACTIVE')
    throw new AwsError('ServiceNotFoundException', 'Service not found.')
  return svc
}

export function taskDefinitionOrThrow(state: SimState, ref: string | undefined, code = 'ClientException') {
  const td = ref ? findTaskDefinition(state, ref) : undefined
  if (!td)
    throw new AwsError(
      code,
      code === 'ClientException' ? 'Unable to describe task definition.' : 'TaskDefinition not found.'
    )
  return td
}
