// Named in the AWS user agent, so CloudTrail shows which tool made each call.
export const ACTION_NAME = 'ecs-ship'
export const ACTION_VERSION = '0.1.0'
