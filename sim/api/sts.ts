// AWS STS: who the caller is (the image phase derives the ECR registry's account from it).
import type * as S from '@aws-sdk/client-sts'
import type { Handlers, QueryShapes } from './handlers.js'

/** The STS operations the simulator answers, with the SDK's shapes (awsQuery). */
export type StsOperations = QueryShapes<{
  GetCallerIdentity: [S.GetCallerIdentityRequest, S.GetCallerIdentityResponse]
}>

export const stsHandlers: Handlers<StsOperations> = {
  // The identity the control API set, when there is one: the caller signs as it.
  GetCallerIdentity: state => ({
    UserId: 'AROASIMULATOR:ecs-ship',
    Account: state.accountId,
    Arn: state.identity?.principalArn ?? `arn:aws:sts::${state.accountId}:assumed-role/deployer/ecs-ship`
  })
}
