// AWS STS: who the caller is (the image phase derives the ECR registry's account from it).
import type { SimState } from './model.js'

export const stsHandlers: Record<string, (state: SimState) => unknown> = {
  GetCallerIdentity: state => ({
    UserId: 'AROASIMULATOR:ecs-ship',
    Account: state.accountId,
    Arn: `arn:aws:sts::${state.accountId}:assumed-role/deployer/ecs-ship`
  })
}
