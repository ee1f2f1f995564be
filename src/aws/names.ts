// Short names for AWS resources, the way a person reads them in a log line or the job summary.

/** The last path segment of an ARN: a task id, a service deployment id. */
export function shortId(arn: string): string {
  return arn.split('/').pop() ?? arn
}

/** `web-tg` from `arn:aws:elasticloadbalancing:…:targetgroup/web-tg/0123abcd`. */
export function targetGroupName(arn: string): string {
  const match = /targetgroup\/([^/]+)/.exec(arn)
  return match?.[1] ?? arn
}

/** `web:7` from a task-definition ARN. */
export function revisionName(arn: string): string {
  return arn.split('/').pop() ?? arn
}
