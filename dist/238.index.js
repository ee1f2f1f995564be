export const id = 238;
export const ids = [238];
export const modules = {

/***/ 4238:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createMigrateHook: () => (/* binding */ createMigrateHook)
});

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ecs/dist-cjs/index.js
var dist_cjs = __webpack_require__(212);
// EXTERNAL MODULE: ./lib/deploy/watch.js
var watch = __webpack_require__(1012);
// EXTERNAL MODULE: ./lib/errors.js
var lib_errors = __webpack_require__(452);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 11 modules
var core = __webpack_require__(3360);
// EXTERNAL MODULE: ./lib/util/backoff.js
var util_backoff = __webpack_require__(2296);
;// CONCATENATED MODULE: ./lib/migrate/cancel.js
// When the workflow is cancelled during a migration, the runner signals the action (SIGINT, then
// SIGTERM). We do NOT stop the task: a migration stopped half-way can leave the schema in a state
// neither revision expects, which is worse than letting it finish. We say which task it is, so a
// person can follow it, and then let the signal do what it would have done.
const SIGNALS = ['SIGINT', 'SIGTERM'];
let inFlight;
/** The message for a cancellation while a migration runs; undefined when none is running. */
function migrationInFlightMessage() {
    if (!inFlight)
        return undefined;
    return (`the workflow was cancelled while migrate task ${inFlight.taskArn} was running; it is left running ` +
        `to finish (stopping a migration half-way is worse). Follow it with: aws ecs describe-tasks ` +
        `--cluster ${inFlight.cluster} --tasks ${inFlight.taskArn}`);
}
/**
 * Marks a migrate task as running and, until the returned function is called, answers SIGINT and
 * SIGTERM by logging which task is left running. If nobody else listens for the signal, it is
 * raised again after our listener is gone, so the process ends as it would have without us.
 */
function watchCancellation(taskArn, cluster, log, target = process) {
    inFlight = { taskArn, cluster };
    const onSignal = (signal) => {
        const message = migrationInFlightMessage();
        dispose();
        if (message)
            log(message);
        if (target.listenerCount(signal) === 0)
            target.kill(target.pid, signal);
    };
    let disposed = false;
    function dispose() {
        if (disposed)
            return;
        disposed = true;
        for (const signal of SIGNALS)
            target.off(signal, onSignal);
        if (inFlight?.taskArn === taskArn)
            inFlight = undefined;
    }
    for (const signal of SIGNALS)
        target.on(signal, onSignal);
    return dispose;
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-cloudwatch-logs/dist-cjs/index.js
var client_cloudwatch_logs_dist_cjs = __webpack_require__(2684);
;// CONCATENATED MODULE: ./lib/migrate/log-tail.js
// Follows one awslogs stream with GetLogEvents. The forward token is what makes it exact: each
// call continues where the previous one stopped, so lines come in order and never twice, however
// often we poll. The stream appears only once the container has started and written something,
// so ResourceNotFoundException early on is normal and means "nothing yet".


/** Pages read per poll at most (a page holds up to 10,000 events), so one poll stays bounded. */
const MAX_PAGES_PER_POLL = 20;
class LogTail {
    logs;
    location;
    keep;
    warn;
    token;
    recent = [];
    warned = false;
    /** Lines read so far (all of them, for tests and counts; only the last ones are kept in recent). */
    total = 0;
    constructor(logs, location, keep = 20, warn = () => { }) {
        this.logs = logs;
        this.location = location;
        this.keep = keep;
        this.warn = warn;
    }
    /** Reads every line written since the last call, in order. */
    async poll() {
        const lines = [];
        for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
            let answer;
            try {
                answer = await this.logs.send(new client_cloudwatch_logs_dist_cjs.GetLogEventsCommand({
                    logGroupName: this.location.logGroupName,
                    logStreamName: this.location.logStreamName,
                    startFromHead: true,
                    ...(this.token !== undefined && { nextToken: this.token })
                }));
            }
            catch (error) {
                if (error.name === 'ResourceNotFoundException')
                    break;
                if ((0,lib_errors/* isCredentialError */._j)(error))
                    throw error;
                // Logs are a convenience: a failed read must not fail the migration. The token is kept,
                // so the next poll continues from the same place.
                if (!this.warned) {
                    this.warned = true;
                    this.warn(`could not read the migrate task's logs (${describe(error)}); will keep trying`);
                }
                break;
            }
            for (const event of answer.events ?? []) {
                const line = (event.message ?? '').replace(/\r?\n$/, '');
                lines.push(line);
            }
            const next = answer.nextForwardToken;
            // The end of the stream is the same token coming back. An empty page with a new token is
            // not the end: CloudWatch may return empty pages while more events lie further on.
            const atEnd = next === undefined || next === this.token;
            if (next !== undefined)
                this.token = next;
            if (atEnd)
                break;
        }
        this.total += lines.length;
        this.recent.push(...lines);
        if (this.recent.length > this.keep)
            this.recent.splice(0, this.recent.length - this.keep);
        return lines;
    }
    /** The last lines read (up to `keep`), oldest first. */
    lastLines() {
        return [...this.recent];
    }
}
function describe(error) {
    const name = error.name;
    const message = error instanceof Error ? error.message : String(error);
    return name && !message.includes(name) ? `${name}: ${message}` : message;
}

;// CONCATENATED MODULE: ./lib/migrate/outcome.js
/** Explanations for errors that ECS reports by name inside stoppedReason or a container's reason. */
const KNOWN_ERRORS = [
    {
        pattern: /CannotPullContainerError/i,
        explain: 'the image could not be pulled: check that the image and tag exist, that the task execution role may pull it, and that the subnets reach ECR (public IP, NAT gateway or VPC endpoints)'
    },
    {
        pattern: /ResourceInitializationError/i,
        explain: 'ECS could not prepare the task, most often because a secret or parameter in the task definition could not be fetched: check the execution role may read it (secretsmanager:GetSecretValue, ssm:GetParameters, kms:Decrypt) and that the subnets reach Secrets Manager/SSM'
    },
    {
        pattern: /CannotStartContainerError/i,
        explain: 'the container could not be started: check its command, entry point and working directory'
    },
    {
        pattern: /OutOfMemory/i,
        explain: 'the container ran out of memory: raise the memory of the task or container'
    },
    {
        pattern: /CannotCreateVolumeError|CannotInspectContainerError|CannotStopContainerError/i,
        explain: 'ECS could not manage the container on its host; re-running usually helps'
    }
];
function explainKnown(text) {
    if (!text)
        return undefined;
    return KNOWN_ERRORS.find(known => known.pattern.test(text))?.explain;
}
/** Words for the exit codes people meet most often when a process is killed. */
function exitCodeNote(code) {
    if (code === 137)
        return ' (killed: SIGKILL, often out of memory or stopped)';
    if (code === 143)
        return ' (terminated: SIGTERM)';
    if (code === 139)
        return ' (crashed: segmentation fault)';
    if (code === 127)
        return ' (command not found in the image)';
    if (code === 126)
        return ' (command found but not executable)';
    return '';
}
function withOriginal(explanation, original) {
    return explanation ? `${explanation} (ECS said: ${original})` : original;
}
/** Why a task stopped without an exit code from the migrate container, in plain words. */
function describeStop(task, containerReason) {
    const stoppedReason = task.stoppedReason?.trim();
    const stopCode = task.stopCode;
    const original = [stopCode, stoppedReason, containerReason].filter(Boolean).join(': ') || 'no reason given';
    const explanation = explainKnown(containerReason) ?? explainKnown(stoppedReason);
    if (explanation)
        return withOriginal(explanation, original);
    switch (stopCode) {
        case 'TaskFailedToStart':
            return `the task failed to start (ECS said: ${original})`;
        case 'UserInitiated':
            return `the task was stopped by a person or another tool before the command finished (ECS said: ${original})`;
        case 'SpotInterruption':
        case 'TerminationNotice':
            return `the task's capacity was taken back (Spot interruption or host termination) before the command finished; re-run the deploy (ECS said: ${original})`;
        case 'ServiceSchedulerInitiated':
            return `ECS stopped the task (ECS said: ${original})`;
        default:
            return `the task stopped without an exit code from the migrate container (ECS said: ${original})`;
    }
}
/**
 * The result of a STOPPED task. Only the migrate container's exit code decides: a sidecar that
 * is not essential may still be running or exit non-zero without making the migration fail.
 */
function decideOutcome(task, containerName) {
    const container = task.containers?.find(c => c.name === containerName);
    const exitCode = container?.exitCode;
    if (exitCode !== undefined && exitCode !== null) {
        if (exitCode === 0)
            return { succeeded: true, exitCode };
        const known = explainKnown(container?.reason);
        const detail = known
            ? `: ${withOriginal(known, container?.reason ?? '')}`
            : container?.reason
                ? `: ${container.reason}`
                : '';
        return {
            succeeded: false,
            exitCode,
            reason: `the command exited with code ${exitCode}${exitCodeNote(exitCode)}${detail}`
        };
    }
    if (!container) {
        return {
            succeeded: false,
            reason: `the task has no container named ${containerName}; ${describeStop(task)}`
        };
    }
    return { succeeded: false, reason: describeStop(task, container.reason) };
}
/** RunTask's failures[] (no task was started), in plain words. */
function describeRunTaskFailures(failures) {
    if (failures.length === 0)
        return 'RunTask started no task and gave no reason';
    const parts = failures.map(failure => {
        const reason = failure.reason ?? 'no reason given';
        const detail = failure.detail ? `, ${failure.detail}` : '';
        const original = `${reason}${detail}${failure.arn ? ` (${failure.arn})` : ''}`;
        const resource = /^RESOURCE:(\w+)/i.exec(reason)?.[1]?.toLowerCase();
        if (resource) {
            return `no capacity to place the task: no container instance in the cluster has enough ${resource} free (ECS said: ${original})`;
        }
        if (/capacity/i.test(reason)) {
            return `no capacity to place the task; try again later, or give the service subnets in more Availability Zones (ECS said: ${original})`;
        }
        if (/^AGENT/i.test(reason))
            return `the container instance's ECS agent is disconnected (ECS said: ${original})`;
        if (/^ATTRIBUTE/i.test(reason) || /constraint/i.test(reason)) {
            return `no container instance meets the task's placement constraints or required attributes (ECS said: ${original})`;
        }
        if (/^MISSING/i.test(reason))
            return `a resource the task needs was not found (ECS said: ${original})`;
        return `RunTask failed: ${original}`;
    });
    return parts.join('; ');
}

;// CONCATENATED MODULE: ./lib/migrate/task-input.js
/** ECS allows up to 128 characters; the same value for every service, so ListTasks can filter on it. */
const MIGRATE_STARTED_BY = 'ecs-ship-migrate';
/** The task group that names this service's migrations (ECS allows 255 characters). */
function migrateGroup(serviceName) {
    return `migrate:${serviceName}`.slice(0, 255);
}
function buildRunTaskInput(context) {
    const { service } = context;
    const strategy = service.capacityProviderStrategy ?? [];
    // A capacity-provider strategy and a launch type exclude each other; the service has one or
    // neither (then the cluster's default strategy applies to us as it does to the service).
    const placement = strategy.length > 0
        ? { capacityProviderStrategy: strategy }
        : service.launchType
            ? { launchType: service.launchType }
            : {};
    // platformVersion is only valid for Fargate, and ECS rejects it for EC2.
    const fargate = service.launchType === 'FARGATE' || strategy.length > 0;
    return {
        cluster: context.cluster,
        taskDefinition: context.taskDefinitionArn,
        count: 1,
        startedBy: MIGRATE_STARTED_BY,
        group: migrateGroup(service.serviceName ?? 'service'),
        propagateTags: 'TASK_DEFINITION',
        ...placement,
        ...(fargate && service.platformVersion && { platformVersion: service.platformVersion }),
        ...(service.networkConfiguration?.awsvpcConfiguration && {
            networkConfiguration: {
                awsvpcConfiguration: {
                    subnets: service.networkConfiguration.awsvpcConfiguration.subnets ?? [],
                    ...(service.networkConfiguration.awsvpcConfiguration.securityGroups && {
                        securityGroups: service.networkConfiguration.awsvpcConfiguration.securityGroups
                    }),
                    ...(service.networkConfiguration.awsvpcConfiguration.assignPublicIp && {
                        assignPublicIp: service.networkConfiguration.awsvpcConfiguration.assignPublicIp
                    })
                }
            }
        }),
        // The service's own constraints are valid for its placement, so they are valid for ours.
        ...(service.placementConstraints?.length && { placementConstraints: service.placementConstraints }),
        ...(service.placementStrategy?.length && { placementStrategy: service.placementStrategy }),
        ...(service.enableECSManagedTags !== undefined && { enableECSManagedTags: service.enableECSManagedTags }),
        overrides: { containerOverrides: [{ name: context.containerName, command: [...context.command] }] }
    };
}
/**
 * The awslogs stream of a container in a task: `<prefix>/<container>/<task-id>`. Undefined when
 * the container does not use awslogs with a stream prefix (without a prefix, the stream is named
 * after the Docker container id, which ECS does not report in a way we can rely on).
 */
function logLocation(taskDefinition, containerName, taskArn) {
    const container = taskDefinition.containerDefinitions?.find(c => c.name === containerName);
    const config = container?.logConfiguration;
    if (config?.logDriver !== 'awslogs')
        return undefined;
    const group = config.options?.['awslogs-group'];
    const prefix = config.options?.['awslogs-stream-prefix'];
    if (!group || !prefix)
        return undefined;
    return { logGroupName: group, logStreamName: `${prefix}/${containerName}/${taskId(taskArn)}` };
}
/** The id at the end of a task ARN (`arn:…:task/<cluster>/<id>` or the older `arn:…:task/<id>`). */
function taskId(taskArn) {
    return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

// EXTERNAL MODULE: ./lib/migrate/command.js + 1 modules
var command = __webpack_require__(4166);
;// CONCATENATED MODULE: ./lib/migrate/index.js
// The migrate phase: each migrate command runs as its own one-off ECS task with the new
// revision, in order, stopping at the first failure. Its output streams into a collapsed log
// group while it runs. It never touches the service: a failed migration leaves the service
// exactly as it was, and the orchestrator stops the deploy.










const coreOutput = {
    info: line => core/* info */.pq(line),
    warning: message => core/* warning */.$e(message),
    startGroup: name => core/* startGroup */.Oh(name),
    endGroup: () => core/* endGroup */.N4()
};
/** Poll errors in a row (after the SDK's own retries) before we stop following the task. */
const MAX_POLL_ERRORS = 5;
/** After StopTask, how long we wait for STOPPED so the last log lines can be read. */
const STOP_WAIT_MS = 2 * 60_000;
/** Runs every command in order; stops at the first one that does not succeed. */
async function runMigrations(migrate, deps) {
    const taskDefinitionArn = deps.taskDefinition.taskDefinitionArn;
    if (!taskDefinitionArn)
        throw new Error('runMigrations needs the registered task definition with its ARN');
    const names = (deps.taskDefinition.containerDefinitions ?? []).map(c => c.name);
    if (!names.includes(deps.containerName)) {
        throw new lib_errors/* ActionError */.lZ(`input migrate-container: the task definition ${taskDefinitionArn} has no container named ${deps.containerName} (it has ${names.join(', ') || 'none'})`);
    }
    const tasks = [];
    for (const command of migrate.commands) {
        const result = await runOne(command, migrate.timeoutMinutes, deps);
        tasks.push(result);
        if (!result.succeeded)
            break;
    }
    return { tasks, succeeded: tasks.length === migrate.commands.length && tasks.every(t => t.succeeded) };
}
/** A migration of the same service that is still running (desired RUNNING), if there is one. */
async function findRunningMigration(ecs, cluster, serviceName) {
    const group = migrateGroup(serviceName);
    const arns = [];
    let nextToken;
    for (let page = 0; page < 20; page++) {
        const answer = await ecs.send(new dist_cjs.ListTasksCommand({
            cluster,
            startedBy: MIGRATE_STARTED_BY,
            desiredStatus: 'RUNNING',
            ...(nextToken !== undefined && { nextToken })
        }));
        arns.push(...(answer.taskArns ?? []));
        nextToken = answer.nextToken;
        if (!nextToken)
            break;
    }
    // Other services' migrations share startedBy; only the group tells ours apart.
    for (let i = 0; i < arns.length; i += 100) {
        const answer = await ecs.send(new dist_cjs.DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }));
        const running = (answer.tasks ?? []).find(t => t.group === group &&
            t.lastStatus !== 'STOPPED' &&
            (t.startedBy ?? MIGRATE_STARTED_BY) === MIGRATE_STARTED_BY);
        if (running)
            return running;
    }
    return undefined;
}
function commandText(command) {
    return command.map(word => (/^[\w@%+=:,./-]+$/.test(word) ? word : JSON.stringify(word))).join(' ');
}
function seconds(ms) {
    return ms < 60_000
        ? `${Math.round(ms / 1000)} s`
        : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
async function runOne(command, timeoutMinutes, deps) {
    const { ecs, clock, cluster, containerName } = deps;
    const out = deps.output ?? coreOutput;
    const backoff = deps.backoff ?? util_backoff/* DEFAULT_BACKOFF */.V;
    const serviceName = deps.service.serviceName ?? 'service';
    const text = commandText(command);
    const started = clock.now();
    const failed = (reason, extra = {}) => ({
        command,
        durationMs: clock.now() - started,
        lastLogLines: [],
        succeeded: false,
        reason,
        ...extra
    });
    const other = await findRunningMigration(ecs, cluster, serviceName);
    if (other?.taskArn) {
        const since = other.createdAt ? `, started ${other.createdAt.toISOString()}` : '';
        const reason = `another migration of service ${serviceName} is still running: task ${other.taskArn} (${other.lastStatus ?? 'status unknown'}${since}). Migrations never run two at once; wait for it to finish (or stop it) and re-run`;
        out.info(`migrate: ${reason}`);
        return failed(reason);
    }
    const input = buildRunTaskInput({
        cluster,
        service: deps.service,
        taskDefinitionArn: deps.taskDefinition.taskDefinitionArn ?? '',
        containerName,
        command
    });
    out.startGroup(`Migrate: ${text}`);
    let result;
    try {
        const answer = await ecs.send(new dist_cjs.RunTaskCommand(input));
        const taskArn = answer.tasks?.[0]?.taskArn;
        if (!taskArn) {
            result = failed(`the task could not be started: ${describeRunTaskFailures(answer.failures ?? [])}`);
            out.info(result.reason ?? '');
            return result;
        }
        out.info(`started task ${taskArn} with ${deps.taskDefinition.taskDefinitionArn} in container ${containerName}`);
        result = await follow(taskArn, command, timeoutMinutes, started, deps, out, backoff);
        return result;
    }
    finally {
        out.endGroup();
        if (result) {
            const verdict = result.succeeded ? 'succeeded' : `failed: ${result.reason ?? 'no reason'}`;
            out.info(`migrate \`${text}\` ${verdict} (exit code ${result.exitCode ?? 'none'}, ${seconds(result.durationMs)})`);
        }
    }
}
async function follow(taskArn, command, timeoutMinutes, started, deps, out, backoff) {
    const { ecs, clock, cluster, containerName } = deps;
    const location = logLocation(deps.taskDefinition, containerName, taskArn);
    const tail = location
        ? new LogTail(deps.logs, location, deps.keepLogLines ?? 20, m => out.warning(m))
        : undefined;
    if (location)
        out.info(`logs: ${location.logGroupName} ${location.logStreamName}`);
    else
        out.info(`logs are not available here: container ${containerName} does not use the awslogs driver with an awslogs-stream-prefix`);
    const printLines = async () => {
        if (!tail)
            return 0;
        const lines = await tail.poll();
        for (const line of lines)
            out.info(line);
        return lines.length;
    };
    const deadline = started + timeoutMinutes * 60_000;
    const stopCancelWatch = watchCancellation(taskArn, cluster, m => out.warning(m), deps.signals);
    let task;
    let status;
    let delay;
    let errors = 0;
    let timedOut = false;
    let stopDeadline = Number.POSITIVE_INFINITY;
    try {
        // Bounded: every turn sleeps at least 1 ms of the clock, and the loop ends at the deadline
        // (plus at most STOP_WAIT_MS to see the stopped task after StopTask).
        for (;;) {
            let changed = false;
            try {
                const answer = await ecs.send(new dist_cjs.DescribeTasksCommand({ cluster, tasks: [taskArn] }));
                // Right after RunTask the task may not be visible yet (eventual consistency): keep waiting.
                task = answer.tasks?.find(t => t.taskArn === taskArn) ?? task;
                changed = (await printLines()) > 0;
                errors = 0;
            }
            catch (error) {
                errors++;
                if ((0,lib_errors/* isCredentialError */._j)(error) || errors >= MAX_POLL_ERRORS) {
                    throw new lib_errors/* ActionError */.lZ(`could not follow migrate task ${taskArn} (${(0,lib_errors/* describeError */.Uc)(error)}); it may still be running`);
                }
                out.warning(`checking migrate task ${taskId(taskArn)} failed (${(0,lib_errors/* describeError */.Uc)(error)}); retrying`);
            }
            if (task?.lastStatus !== status) {
                status = task?.lastStatus;
                changed = true;
                if (status)
                    out.info(`task ${taskId(taskArn)}: ${status}`);
            }
            if (status === 'STOPPED')
                break;
            const now = clock.now();
            if (!timedOut && now >= deadline) {
                timedOut = true;
                out.info(`migrate-timeout-minutes (${timeoutMinutes}) reached: stopping task ${taskArn} (StopTask)`);
                await ecs.send(new dist_cjs.StopTaskCommand({
                    cluster,
                    task: taskArn,
                    reason: `ecs-ship: migrate-timeout-minutes (${timeoutMinutes}) reached`
                }));
                stopDeadline = now + STOP_WAIT_MS;
            }
            if (timedOut && now >= stopDeadline) {
                out.warning(`task ${taskArn} did not reach STOPPED within ${seconds(STOP_WAIT_MS)} of StopTask`);
                break;
            }
            delay = (0,util_backoff/* nextPollDelay */.q)(delay, changed, backoff);
            const limit = timedOut ? stopDeadline : deadline;
            await clock.sleep(Math.max(1, Math.min(delay, limit - now)));
        }
    }
    finally {
        stopCancelWatch();
    }
    // The last lines are often written just before the task stops and reach CloudWatch a moment
    // later: read once now and once more after a short pause.
    if (tail) {
        try {
            await printLines();
            await clock.sleep(Math.max(1, backoff.minMs));
            await printLines();
        }
        catch (error) {
            if ((0,lib_errors/* isCredentialError */._j)(error))
                throw error;
        }
    }
    const durationMs = clock.now() - started;
    const lastLogLines = tail?.lastLines() ?? [];
    const base = { command, taskArn, durationMs, lastLogLines };
    if (timedOut) {
        const exitCode = task?.containers?.find(c => c.name === containerName)?.exitCode;
        return {
            ...base,
            ...(exitCode !== undefined && exitCode !== null && { exitCode }),
            succeeded: false,
            reason: `timed out after ${timeoutMinutes} minute${timeoutMinutes === 1 ? '' : 's'} (migrate-timeout-minutes); the task was stopped with StopTask`
        };
    }
    const outcome = decideOutcome(task ?? {}, containerName);
    return {
        ...base,
        ...(outcome.exitCode !== undefined && { exitCode: outcome.exitCode }),
        ...(outcome.reason !== undefined && { reason: outcome.reason }),
        succeeded: outcome.succeeded
    };
}

;// CONCATENATED MODULE: ./lib/migrate/hook.js
// Adapts runMigrations to the orchestrator's PhaseHooks.runMigrations signature, so wiring the
// phase into src/main.ts is one line: `runMigrations: createMigrateHook({ clock, env })`.




function createMigrateHook(deps) {
    return async (inputs, { clients, plan, taskDefinitionArn, containers }) => {
        if (!inputs.migrate)
            return { tasks: [], succeeded: true };
        const ecs = await clients.ecs();
        const logs = await clients.logs();
        const answer = await ecs.send(new dist_cjs.DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }));
        const taskDefinition = answer.taskDefinition;
        if (!taskDefinition)
            throw new lib_errors/* ActionError */.lZ(`task definition ${taskDefinitionArn} was not found`);
        // migrate-container, else the first container the image went to (container-name), else the
        // only essential container.
        const essential = (taskDefinition.containerDefinitions ?? []).filter(c => c.essential !== false);
        const containerName = inputs.migrate.container ?? containers[0] ?? (essential.length === 1 ? essential[0]?.name : undefined);
        if (!containerName) {
            throw new lib_errors/* ActionError */.lZ('input migrate-container: the task definition has several essential containers; say which one runs the migrate command');
        }
        return runMigrations(inputs.migrate, {
            ecs,
            logs,
            clock: deps.clock,
            cluster: plan.cluster,
            service: plan.service,
            taskDefinition,
            containerName,
            backoff: (0,watch/* backoffFromEnv */._T)(deps.env),
            ...(deps.output && { output: deps.output })
        });
    };
}


/***/ })

};
