// A deliberate violation, for __tests__/architecture/imports.test.ts: a verdict that loads the AWS
// SDK at run time.
import { GetDeploymentCommand } from '@aws-sdk/client-codedeploy'

export const command = new GetDeploymentCommand({ deploymentId: 'd-1' })
