// Never two migrations of one service at once. Before RunTask we look for one that is still
// running and refuse to start. Two deploys that look at the same moment can both see none, so
// after RunTask each looks again: of the migrations then running, the one started first goes on
// and any later one stops itself. Both deploys apply the same order to the same tasks, so exactly
// one goes on.
//
// ListTasks is filtered by startedBy alone: the ECS API reference says that a startedBy filter
// must be the only filter (desiredStatus is RUNNING by default). Recently stopped tasks may still
// be listed, so DescribeTasks decides what is still running, and the group tells services apart.
import { DescribeTasksCommand, ListTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs'
import { MIGRATE_STARTED_BY, migrateGroup } from './task-input.js'

/** ListTasks pages read at most (100 tasks each). */
const MAX_PAGES = 20

/**
 * True when `a` started before `b`: by createdAt, then by ARN when they started in the same
 * millisecond. A task whose createdAt is unknown counts as the earliest: the cautious choice, as a
 * later migration then stops itself.
 */
export function startedBefore(a: Task, b: Task): boolean {
  const at = a.createdAt?.getTime() ?? Number.NEGATIVE_INFINITY
  const bt = b.createdAt?.getTime() ?? Number.NEGATIVE_INFINITY
  if (at !== bt) return at < bt
  return (a.taskArn ?? '') < (b.taskArn ?? '')
}

function byStart(a: Task, b: Task): number {
  return startedBefore(a, b) ? -1 : startedBefore(b, a) ? 1 : 0
}

/** The tasks ListTasks lists as started by ecs-ship's migrate phase, any service. */
async function listMigrationTasks(ecs: ECSClient, cluster: string): Promise<string[]> {
  const arns = new Set<string>()
  let nextToken: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await ecs.send(
      new ListTasksCommand({
        cluster,
        startedBy: MIGRATE_STARTED_BY,
        ...(nextToken !== undefined && { nextToken })
      })
    )
    for (const arn of answer.taskArns ?? []) arns.add(arn)
    nextToken = answer.nextToken
    if (!nextToken) break
  }
  return [...arns]
}

async function describeTasks(ecs: ECSClient, cluster: string, arns: readonly string[]): Promise<Task[]> {
  const tasks: Task[] = []
  for (let i = 0; i < arns.length; i += 100) {
    const answer = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))
    tasks.push(...(answer.tasks ?? []))
  }
  return tasks
}

/** The service's migrations among `tasks` that have not stopped, started first first. */
function runningMigrations(tasks: readonly Task[], serviceName: string, listed: readonly string[]): Task[] {
  // Other services' migrations share startedBy; only the group tells ours apart.
  const group = migrateGroup(serviceName)
  return tasks
    .filter(
      t =>
        t.taskArn !== undefined &&
        listed.includes(t.taskArn) &&
        t.group === group &&
        t.lastStatus !== 'STOPPED' &&
        (t.startedBy ?? MIGRATE_STARTED_BY) === MIGRATE_STARTED_BY
    )
    .sort(byStart)
}

/** The service's migration that is still running (the one started first), if there is one. */
export async function findRunningMigration(
  ecs: ECSClient,
  cluster: string,
  serviceName: string
): Promise<Task | undefined> {
  const listed = await listMigrationTasks(ecs, cluster)
  if (listed.length === 0) return undefined
  return runningMigrations(await describeTasks(ecs, cluster, listed), serviceName, listed)[0]
}

/**
 * After RunTask: a migration of the same service, other than ours, that started before ours and
 * has not stopped (the first such one), if there is one. Ours must then stop.
 */
export async function findEarlierMigration(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
  ours: Task
): Promise<Task | undefined> {
  const arn = ours.taskArn
  if (!arn) throw new Error('findEarlierMigration needs our task with its ARN')
  const others = (await listMigrationTasks(ecs, cluster)).filter(a => a !== arn)
  if (others.length === 0) return undefined
  // RunTask's answer carries createdAt; when it did not, DescribeTasks tells.
  const described = await describeTasks(ecs, cluster, ours.createdAt ? others : [...others, arn])
  const self: Task = {
    ...ours,
    createdAt: ours.createdAt ?? described.find(t => t.taskArn === arn)?.createdAt
  }
  return runningMigrations(described, serviceName, others).find(t => startedBefore(t, self))
}
