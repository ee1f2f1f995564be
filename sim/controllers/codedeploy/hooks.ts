// The lifecycle hooks of a CodeDeploy ECS deployment: the Lambda function the AppSpec names for an
// event is invoked with a lifecycleEventHookExecutionId and reports Succeeded or Failed through
// PutLifecycleEventHookExecutionStatus within an hour. The simulator has no Lambda: the function's
// answer comes from Behaviours.hooks (by name or ARN), and an unlisted function succeeds after 1 s.
import type { Diagnostics } from '@aws-sdk/client-codedeploy'
import type { EcsLifecycleEvent } from '../../world/appspec.js'
import type { HookBehaviour } from '../../contract.js'
import type { HookExecution, LifecycleFailure, SimCodeDeployment } from '../../world/codedeploy-model.js'
import { recordMilestone, scaled, type SimState } from '../../world/model.js'

export const HOOK_TIMEOUT_SECONDS = 3600

const lambdaName = (ref: string) => (ref.startsWith('arn:') ? (ref.split(':')[6] ?? ref) : ref)

function hookBehaviour(state: SimState, functionName: string): HookBehaviour {
  const hooks = state.behaviours.hooks ?? {}
  return (
    hooks[functionName] ??
    Object.entries(hooks).find(([key]) => lambdaName(key) === lambdaName(functionName))?.[1] ?? {
      outcome: 'succeeded'
    }
  )
}

function invokeHook(
  state: SimState,
  dep: SimCodeDeployment,
  { eventName, functionName }: { eventName: string; functionName: string },
  now: number
): HookExecution {
  const behaviour = hookBehaviour(state, functionName)
  const nonce = Math.random().toString(36).slice(2)
  const id = Buffer.from(JSON.stringify({ deploymentId: dep.info.deploymentId, eventName, nonce })).toString(
    'base64'
  )
  // What the Lambda function receives, for a test that plays the function and reports itself.
  recordMilestone(state, 'codedeploy-hook-invoked', {
    deploymentId: dep.info.deploymentId,
    lifecycleEventName: eventName,
    functionName,
    lifecycleEventHookExecutionId: id
  })
  return {
    id,
    eventName,
    functionName,
    answerAt: now + scaled(state, behaviour.afterSeconds ?? 1),
    answer: behaviour.outcome === 'failed' ? 'Failed' : 'Succeeded',
    timeoutAt: now + scaled(state, HOOK_TIMEOUT_SECONDS)
  }
}

export function runHook(
  state: SimState,
  dep: SimCodeDeployment,
  eventName: EcsLifecycleEvent,
  now: number
): 'running' | 'succeeded' | LifecycleFailure {
  const functionName = dep.appSpec.hooks[eventName]
  if (!functionName) return 'succeeded'
  let hook = dep.hooks.find(h => h.eventName === eventName)
  if (!hook) {
    hook = invokeHook(state, dep, { eventName, functionName }, now)
    dep.hooks.push(hook)
  }
  // The simulated function calls PutLifecycleEventHookExecutionStatus, unless someone already did.
  if (!hook.reported && now >= hook.answerAt) hook.reported = hook.answer
  if (hook.reported === 'Succeeded') return 'succeeded'
  const timedOut = !hook.reported && now >= hook.timeoutAt
  if (hook.reported !== 'Failed' && !timedOut) return 'running'
  const diagnostics: Diagnostics = timedOut
    ? {
        errorCode: 'ScriptTimedOut',
        scriptName: functionName,
        message: `The hook function ${functionName} did not report a status within an hour.`,
        logTail: ''
      }
    : {
        errorCode: 'ScriptFailed',
        scriptName: functionName,
        message: `The hook function ${functionName} reported Failed.`,
        logTail: ''
      }
  return {
    code: 'HOOK_EXECUTION_FAILURE',
    message: `The ${eventName} lifecycle event failed: ${diagnostics.message}`,
    diagnostics
  }
}
