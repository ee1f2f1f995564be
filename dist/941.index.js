export const id = 941;
export const ids = [941];
export const modules = {

/***/ 2941:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  activeDeployment: () => (/* reexport */ activeDeployment),
  describeCodeDeploySetup: () => (/* reexport */ describeCodeDeploySetup),
  loadCodeDeploySetup: () => (/* reexport */ loadCodeDeploySetup),
  rollOutCodeDeploy: () => (/* binding */ rollOutCodeDeploy),
  waitForCodeDeployInFlight: () => (/* reexport */ waitForCodeDeployInFlight)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 11 modules
var core = __webpack_require__(3360);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-codedeploy/dist-cjs/index.js
var dist_cjs = __webpack_require__(7507);
// EXTERNAL MODULE: ./lib/errors.js
var errors = __webpack_require__(452);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./lib/deploy/decide.js
var decide = __webpack_require__(4515);
;// CONCATENATED MODULE: ./lib/deploy/codedeploy-plan.js
// CodeDeploy blue/green, the pure part: the AppSpec (from the user's file or generated from the
// service's load balancer), what the deployment group allows, and the verdict on one poll of a
// deployment. No AWS calls here: codedeploy.ts gathers the data and carries the decisions out.




/** Parses and checks an AppSpec file's text; errors name the file and, for syntax, the line. */
function parseAppSpec(text, file) {
    const document = (0,dist/* parseDocument */.Tp)(text, { prettyErrors: false });
    const syntax = document.errors[0];
    if (syntax) {
        const line = text.slice(0, syntax.pos[0]).split('\n').length;
        throw new errors/* ActionError */.lZ(`input codedeploy-appspec: ${file}:${line}: ${syntax.message}`);
    }
    const spec = document.toJS();
    const fail = (problem) => {
        throw new errors/* ActionError */.lZ(`input codedeploy-appspec: ${file}: ${problem}`);
    };
    if (!spec || typeof spec !== 'object' || Array.isArray(spec))
        fail('is not an AppSpec (a mapping is expected)');
    const resources = spec.Resources;
    if (!Array.isArray(resources) || resources.length !== 1)
        fail('Resources must list exactly one TargetService (an ECS AppSpec deploys one service)');
    const target = resources[0];
    const service = target ? Object.values(target)[0] : undefined;
    if (service?.Type !== 'AWS::ECS::Service')
        fail('Resources[0] must have Type AWS::ECS::Service');
    const info = service?.Properties?.LoadBalancerInfo;
    if (typeof info?.ContainerName !== 'string' || typeof info.ContainerPort !== 'number')
        fail('Resources[0].Properties.LoadBalancerInfo needs ContainerName and ContainerPort');
    const hooks = spec.Hooks;
    if (hooks !== undefined && !Array.isArray(hooks))
        fail('Hooks must be a list of {LifecycleEvent: LambdaFunction}');
    return spec;
}
/** The AppSpec CodeDeploy gets: the file's (hooks passed through) or one made from the service. */
function renderAppSpec(taskDefinitionArn, template, loadBalancer) {
    if (template) {
        const [first] = template.Resources;
        const [name, service] = Object.entries(first ?? {})[0] ?? ['TargetService', {}];
        return {
            ...template,
            Resources: [
                { [name]: { ...service, Properties: { ...service.Properties, TaskDefinition: taskDefinitionArn } } }
            ]
        };
    }
    if (!loadBalancer)
        throw new errors/* ActionError */.lZ('input codedeploy-appspec: the service has no load balancer to build an AppSpec from; give an AppSpec file');
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
    };
}
/** CreateDeployment's revision for an AppSpec: its content as JSON, with the sha256 CodeDeploy checks. */
function appSpecRevision(spec) {
    const content = JSON.stringify(spec);
    return {
        revisionType: 'AppSpecContent',
        appSpecContent: { content, sha256: (0,external_node_crypto_.createHash)('sha256').update(content).digest('hex') }
    };
}
const FINISHED_BADLY = ['Failed', 'Stopped'];
function describeLifecycleFailure(event) {
    const d = event.diagnostics;
    const detail = [d?.errorCode, d?.scriptName ? `hook ${d.scriptName}` : undefined, d?.message]
        .filter(Boolean)
        .join(': ');
    return `lifecycle event ${event.name} ${event.status}${detail ? ` (${detail})` : ''}`;
}
function progressLine(o, context, group) {
    const parts = [`${context.label} ${context.deploymentId}: ${o.status}`];
    if (o.status === 'Ready' && context.waitUntil === 'succeeded')
        parts.push('waiting for the production reroute (ContinueDeployment), or for the group’s wait time to run out');
    const current = o.lifecycleEvents.find(e => e.status === 'InProgress');
    const done = o.lifecycleEvents.filter(e => e.status === 'Succeeded').length;
    if (o.lifecycleEvents.length > 0)
        parts.push(`${current ? `event ${current.name}` : 'events'} ${done}/${o.lifecycleEvents.length} done`);
    for (const set of o.taskSets)
        parts.push(`${set.label} ${set.runningCount}/${set.desiredCount} running, ${set.trafficWeight}% traffic`);
    if (group)
        parts.push(`${(0,decide/* targetGroupName */.IT)(group.targetGroupArn)} ${group.healthy}/${group.expected} healthy`);
    return parts.join(' · ');
}
/** The verdict on one poll of a CodeDeploy deployment (ours, or the rollback of it). */
function decideCodeDeploy(o, context) {
    const replacement = o.taskSets.find(s => s.label === 'Green');
    // A deployment must end with the replacement healthy; a rollback with whatever task set then
    // serves production (the original one in CodeDeploy's own rollback, the replacement when
    // ecs-ship redeployed the previous revision).
    const serving = o.taskSets.find(s => s.trafficWeight >= 100);
    const expected = context.label === 'rollback'
        ? (serving?.desiredCount ?? Math.max(0, ...o.taskSets.map(s => s.desiredCount)))
        : (replacement?.desiredCount ?? 0);
    const targets = o.targetGroup?.targets ?? [];
    const group = context.targetGroupArn
        ? (0,decide/* targetCountEvidence */.kc)(context.targetGroupArn, targets, expected)
        : undefined;
    const failedStops = o.stoppedTasks.filter(decide/* isFailureStop */.F2);
    const progress = {
        running: replacement?.runningCount ?? 0,
        pending: replacement?.pendingCount ?? 0,
        desired: expected,
        failedTasks: failedStops.length,
        deployments: o.taskSets.length,
        rolloutState: o.status,
        targetGroups: group ? [group] : [],
        line: progressLine(o, context, group)
    };
    const failed = (cause, reason, evidence) => ({
        kind: 'failed',
        reason,
        progress,
        failure: { cause, evidence }
    });
    const stopEvidence = failedStops.map(decide/* describeStoppedTask */.us);
    const failedEvent = o.lifecycleEvents.find(e => e.status === 'Failed');
    const hookEvidence = failedEvent?.diagnostics?.logTail
        ? failedEvent.diagnostics.logTail.split('\n').filter(line => line.trim() !== '')
        : [];
    if (FINISHED_BADLY.includes(o.status)) {
        const error = o.errorCode || o.errorMessage ? `: ${[o.errorCode, o.errorMessage].filter(Boolean).join(': ')}` : '';
        const event = failedEvent ? `; ${describeLifecycleFailure(failedEvent)}` : '';
        return failed('rollout-failed', `CodeDeploy ${context.label} ${context.deploymentId} ${o.status}${error}${event}`, [...hookEvidence, ...stopEvidence]);
    }
    // A failed hook fails the deployment; say so now rather than when CodeDeploy gets to it.
    if (failedEvent && context.label === 'deployment')
        return failed('rollout-failed', describeLifecycleFailure(failedEvent), [...hookEvidence, ...stopEvidence]);
    const unhealthy = targets.filter(t => t.state === 'unhealthy');
    if (context.label === 'deployment' && failedStops.length + unhealthy.length >= context.failureThreshold) {
        if (unhealthy.length > 0) {
            const first = unhealthy[0];
            const why = [first?.reason, first?.description].filter(Boolean).join(': ');
            return failed('targets-unhealthy', `replacement tasks fail their load balancer health checks: target ${first?.id ?? '?'} is unhealthy in ${(0,decide/* targetGroupName */.IT)(context.targetGroupArn ?? '')}${why ? ` (${why})` : ''}`, [
                ...unhealthy.map(t => `target ${t.id}:${t.port ?? '?'} ${t.state}${t.reason ? ` (${t.reason})` : ''}`),
                ...stopEvidence
            ]);
        }
        return failed('tasks-stopped', `${failedStops.length} replacement tasks failed: ${stopEvidence[0] ?? ''}`, stopEvidence);
    }
    const arrived = o.status === 'Succeeded' || (context.waitUntil === 'ready' && o.status === 'Ready');
    const healthy = !group || (group.expected > 0 && group.healthy >= group.expected);
    if (arrived && healthy) {
        const where = group
            ? `; ${(0,decide/* targetGroupName */.IT)(group.targetGroupArn)} ${group.healthy}/${group.expected} healthy`
            : '';
        const what = o.status === 'Ready'
            ? 'Ready: the replacement serves test traffic and waits for the production reroute'
            : 'Succeeded';
        return {
            kind: 'done',
            reason: `CodeDeploy ${context.label} ${context.deploymentId} ${what}${where}`,
            progress
        };
    }
    if (o.at - context.startedAt >= context.timeoutMs) {
        return failed('timeout', `${(0,decide/* timedOutAfter */.mf)(context.timeoutMs)} waiting for CodeDeploy ${context.label} ${context.deploymentId}; last state: ${progress.line}`, stopEvidence);
    }
    const reason = arrived ? 'targets to be healthy' : `CodeDeploy to finish (${o.status})`;
    return { kind: 'wait', reason, progress };
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ecs/dist-cjs/index.js
var client_ecs_dist_cjs = __webpack_require__(212);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-elastic-load-balancing-v2/dist-cjs/index.js
var client_elastic_load_balancing_v2_dist_cjs = __webpack_require__(586);
// EXTERNAL MODULE: ./lib/deploy/observe.js
var observe = __webpack_require__(4023);
;// CONCATENATED MODULE: ./lib/deploy/codedeploy-observe.js
// One poll of a CodeDeploy deployment: the deployment, its ECS target (lifecycle events, task
// sets), the health of the target group that must end healthy, and the revision's stopped tasks.
// Each lifecycle event is logged as it happens, even when several passed between two polls.





/** One poll: the deployment, its ECS target (events, task sets), a target group's health, failed tasks. */
function codeDeployObserver(deps, request, deploymentId, targetGroupArn, taskDefinitionArn) {
    let targetId;
    const seenStopped = new Map();
    let lastCounts = '';
    const eventStatus = new Map();
    /** Each lifecycle event as it happens, even when several passed between two polls. */
    function logEvents(events) {
        for (const event of events) {
            const name = event.lifecycleEventName ?? '?';
            const status = event.status ?? 'Unknown';
            if (status === 'Pending' || eventStatus.get(name) === status)
                continue;
            eventStatus.set(name, status);
            deps.log(`  ${deploymentId} ${name}: ${status}`);
        }
    }
    async function ecsTarget() {
        try {
            if (targetId === undefined) {
                const listed = await deps.codedeploy.send(new dist_cjs.ListDeploymentTargetsCommand({ deploymentId }));
                targetId = listed.targetIds?.[0];
            }
            if (targetId === undefined)
                return undefined;
            const answer = await deps.codedeploy.send(new dist_cjs.GetDeploymentTargetCommand({ deploymentId, targetId }));
            return answer.deploymentTarget?.ecsTarget;
        }
        catch (error) {
            // For a moment after CreateDeployment there are no targets yet.
            if ((0,errors/* errorName */.Is)(error) === 'DeploymentNotStartedException')
                return undefined;
            throw error;
        }
    }
    async function stoppedTasks(taskSets) {
        // Listed again only when the task sets' counts move: stopped tasks are what costs the most calls.
        const counts = taskSets.map(s => `${s.label}:${s.runningCount}:${s.pendingCount}`).join('|');
        if (counts === lastCounts)
            return;
        lastCounts = counts;
        const listed = await deps.ecs.send(new client_ecs_dist_cjs.ListTasksCommand({
            cluster: request.plan.cluster,
            serviceName: request.plan.serviceName,
            desiredStatus: 'STOPPED'
        }));
        const fresh = (listed.taskArns ?? []).filter(arn => !seenStopped.has(arn)).slice(0, 100);
        if (fresh.length === 0)
            return;
        const described = await deps.ecs.send(new client_ecs_dist_cjs.DescribeTasksCommand({ cluster: request.plan.cluster, tasks: fresh }));
        for (const task of described.tasks ?? [])
            if (task.taskArn)
                seenStopped.set(task.taskArn, task);
    }
    return async () => {
        const { deploymentInfo: info } = await deps.codedeploy.send(new dist_cjs.GetDeploymentCommand({ deploymentId }));
        const target = await ecsTarget();
        logEvents(target?.lifecycleEvents ?? []);
        const taskSets = (target?.taskSetsInfo ?? []).map(s => ({
            label: s.taskSetLabel ?? '?',
            ...(s.status !== undefined && { status: s.status }),
            desiredCount: s.desiredCount ?? 0,
            runningCount: s.runningCount ?? 0,
            pendingCount: s.pendingCount ?? 0,
            trafficWeight: s.trafficWeight ?? 0,
            ...(s.targetGroup?.name !== undefined && { targetGroupName: s.targetGroup.name })
        }));
        const [health] = await Promise.all([
            targetGroupArn
                ? deps.elb.send(new client_elastic_load_balancing_v2_dist_cjs.DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))
                : undefined,
            stoppedTasks(taskSets)
        ]);
        return {
            at: deps.clock.now(),
            status: info?.status ?? 'Unknown',
            ...(info?.errorInformation?.code !== undefined && { errorCode: info.errorInformation.code }),
            ...(info?.errorInformation?.message !== undefined && { errorMessage: info.errorInformation.message }),
            ...(info?.rollbackInfo?.rollbackDeploymentId !== undefined && {
                rollbackDeploymentId: info.rollbackInfo.rollbackDeploymentId
            }),
            lifecycleEvents: (target?.lifecycleEvents ?? []).map(e => ({
                name: e.lifecycleEventName ?? '?',
                status: e.status ?? 'Unknown',
                ...(e.diagnostics && {
                    diagnostics: {
                        ...(e.diagnostics.errorCode !== undefined && { errorCode: e.diagnostics.errorCode }),
                        ...(e.diagnostics.message !== undefined && { message: e.diagnostics.message }),
                        ...(e.diagnostics.scriptName !== undefined && { scriptName: e.diagnostics.scriptName }),
                        ...(e.diagnostics.logTail !== undefined && { logTail: e.diagnostics.logTail })
                    }
                })
            })),
            taskSets,
            ...(targetGroupArn &&
                health && {
                targetGroup: {
                    arn: targetGroupArn,
                    targets: (health.TargetHealthDescriptions ?? []).map(d => ({
                        id: d.Target?.Id ?? '?',
                        ...(d.Target?.Port !== undefined && { port: d.Target.Port }),
                        state: d.TargetHealth?.State ?? 'unknown',
                        ...(d.TargetHealth?.Reason !== undefined && { reason: d.TargetHealth.Reason }),
                        ...(d.TargetHealth?.Description !== undefined && { description: d.TargetHealth.Description })
                    }))
                }
            }),
            stoppedTasks: [...seenStopped.values()]
                .filter(t => t.taskDefinitionArn === taskDefinitionArn)
                .map(t => (0,observe/* toTask */.FM)(t))
        };
    };
}

// EXTERNAL MODULE: ./lib/deploy/rolling.js
var rolling = __webpack_require__(8946);
// EXTERNAL MODULE: ./lib/deploy/watch.js
var watch = __webpack_require__(1012);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
;// CONCATENATED MODULE: ./lib/deploy/codedeploy-setup.js
// CodeDeploy, before anything changes: the application and deployment group as they are, the
// AppSpec file checked, and the pair of target groups (which one is blue now). A typo in an input
// fails here, with the input's name, before a revision is registered.






async function readGroup(codedeploy, application, deploymentGroup) {
    try {
        const answer = await codedeploy.send(new dist_cjs.GetDeploymentGroupCommand({ applicationName: application, deploymentGroupName: deploymentGroup }));
        if (!answer.deploymentGroupInfo)
            throw new Error('GetDeploymentGroup returned no deployment group');
        return answer.deploymentGroupInfo;
    }
    catch (error) {
        const name = (0,errors/* errorName */.Is)(error);
        if (name === 'ApplicationDoesNotExistException')
            throw new errors/* ActionError */.lZ(`input codedeploy-application: application ${application} does not exist`);
        if (name === 'DeploymentGroupDoesNotExistException')
            throw new errors/* ActionError */.lZ(`input codedeploy-deployment-group: deployment group ${deploymentGroup} does not exist in application ${application}`);
        throw error;
    }
}
function readAppSpecFile(path) {
    if (!(0,external_node_fs_.existsSync)(path))
        throw new errors/* ActionError */.lZ(`input codedeploy-appspec: ${path} does not exist`);
    return parseAppSpec((0,external_node_fs_.readFileSync)(path, 'utf8'), path);
}
/** Everything a CodeDeploy rollout needs, checked before anything in AWS changes. */
async function loadCodeDeploySetup(inputs, clients, plan) {
    const application = inputs.codedeploy.application ?? `AppECS-${plan.cluster}-${plan.serviceName}`;
    const deploymentGroup = inputs.codedeploy.deploymentGroup ?? `DgpECS-${plan.cluster}-${plan.serviceName}`;
    const appspec = inputs.codedeploy.appspecPath ? readAppSpecFile(inputs.codedeploy.appspecPath) : undefined;
    const group = await readGroup(await clients.codedeploy(), application, deploymentGroup);
    const ready = group.blueGreenDeploymentConfiguration?.deploymentReadyOption;
    if (inputs.waitUntil === 'ready' && ready?.actionOnTimeout !== 'STOP_DEPLOYMENT')
        throw new errors/* ActionError */.lZ(`input wait-until: \`ready\` needs a deployment group that waits for a manual reroute (deploymentReadyOption STOP_DEPLOYMENT); ${deploymentGroup} continues on its own`);
    const rollback = group.autoRollbackConfiguration;
    const autoRollback = rollback?.enabled === true && (rollback.events ?? []).includes('DEPLOYMENT_FAILURE');
    // The pair of target groups: blue is the one the PRIMARY task set serves from now.
    const names = (group.loadBalancerInfo?.targetGroupPairInfoList?.[0]?.targetGroups ?? [])
        .map(t => t.name)
        .filter((n) => typeof n === 'string');
    let blue;
    let green;
    if (names.length === 2) {
        const elb = await clients.elb();
        const found = await elb.send(new client_elastic_load_balancing_v2_dist_cjs.DescribeTargetGroupsCommand({ Names: names }));
        const arns = (found.TargetGroups ?? []).map(t => t.TargetGroupArn).filter((a) => !!a);
        const primary = plan.service.taskSets?.find(s => s.status === 'PRIMARY');
        const serving = primary?.loadBalancers?.[0]?.targetGroupArn ?? plan.targetGroupArns[0];
        blue = arns.find(a => a === serving) ?? arns[0];
        green = arns.find(a => a !== blue);
    }
    return {
        application,
        deploymentGroup,
        ...(inputs.codedeploy.deploymentConfig !== undefined && {
            deploymentConfig: inputs.codedeploy.deploymentConfig
        }),
        ...(appspec !== undefined && { appspec }),
        waitUntil: inputs.waitUntil,
        autoRollback,
        ...(blue !== undefined && { blueTargetGroupArn: blue }),
        ...(green !== undefined && { greenTargetGroupArn: green })
    };
}
/** The plan's lines for the log and the summary. */
function describeCodeDeploySetup(setup) {
    return [
        `CodeDeploy: application ${setup.application}, deployment group ${setup.deploymentGroup}${setup.deploymentConfig ? `, config ${setup.deploymentConfig}` : ''}`,
        `AppSpec: ${setup.appspec ? `from the file${setup.appspec.Hooks?.length ? `, ${setup.appspec.Hooks.length} hook(s)` : ''}` : "generated from the service's load balancer"}`,
        ...(setup.greenTargetGroupArn && setup.blueTargetGroupArn
            ? [
                `replacement in ${(0,decide/* targetGroupName */.IT)(setup.greenTargetGroupArn)}, original in ${(0,decide/* targetGroupName */.IT)(setup.blueTargetGroupArn)}`
            ]
            : []),
        `on failure: ${setup.autoRollback ? 'the deployment group rolls back by itself' : 'ecs-ship rolls back (the group has no automatic rollback)'}`,
        `done when: ${setup.waitUntil === 'ready' ? 'Ready (replacement on test traffic, waiting for the reroute)' : 'Succeeded'}`
    ];
}

;// CONCATENATED MODULE: ./lib/deploy/codedeploy-inflight.js
// Another CodeDeploy deployment of the group in flight (someone else's deploy, or CodeDeploy's own
// rollback): CodeDeploy would refuse ours (DeploymentLimitExceeded), so a deploy waits for it to
// end, within wait-for-minutes, before it registers anything.



/** Statuses of a deployment that has not ended; Ready waits for a manual reroute. */
const IN_FLIGHT = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];
async function activeDeployment(codedeploy, setup) {
    const answer = await codedeploy.send(new dist_cjs.ListDeploymentsCommand({
        applicationName: setup.application,
        deploymentGroupName: setup.deploymentGroup,
        includeOnlyStatuses: [...IN_FLIGHT]
    }));
    return answer.deployments?.[0];
}
/** Pure: has the deployment ended, and if not, is there still time to wait? */
function decideEnded(observation, context) {
    const { status } = observation;
    const line = `in-flight CodeDeploy deployment ${context.deploymentId}: ${status}`;
    const ended = !IN_FLIGHT.includes(status);
    return (0,decide/* untilEnded */.rr)({ ...observation, ended }, (0,decide/* statusProgress */.ID)(line), context, 'CodeDeploy to end it');
}
async function waitForCodeDeployInFlight(deps, deploymentId, timeoutMs) {
    deps.log(`another CodeDeploy deployment is in flight (${deploymentId}): waiting for it to end before deploying`);
    const context = { deploymentId, startedAt: deps.clock.now(), timeoutMs };
    const decision = await (0,watch/* watchLoop */.Mc)(async () => {
        const answer = await deps.codedeploy.send(new dist_cjs.GetDeploymentCommand({ deploymentId }));
        return { at: deps.clock.now(), status: answer.deploymentInfo?.status ?? 'Unknown' };
    }, observation => decideEnded(observation, context), context, { clock: deps.clock, log: deps.log, ...(deps.backoff !== undefined && { backoff: deps.backoff }) });
    if (decision.kind !== 'done')
        throw new Error(`the in-flight CodeDeploy deployment ${deploymentId} did not end in time (${decision.reason}); nothing was changed`);
    deps.log(`CodeDeploy deployment ${deploymentId} ended: ${decision.reason}`);
}

;// CONCATENATED MODULE: ./lib/deploy/codedeploy.js
// CodeDeploy blue/green for services with the CODE_DEPLOY controller: read the deployment group
// (before anything changes), CreateDeployment with the AppSpec, follow it event by event with the
// shared watch loop and the replacement's target health, and on failure make sure the service
// ends on a known-good revision: follow CodeDeploy's own rollback when it makes one, stop the
// deployment with auto-rollback when we see the failure first, or redeploy the previous revision
// when production traffic had already moved and nothing rolls back.








// The one module the rest of the action loads on demand for CodeDeploy services: one bundle chunk
// holds the setup, the in-flight wait and the rollout, instead of one chunk for each.


async function createDeployment(codedeploy, setup, request, taskDefinitionArn, description, purpose = 'deploy') {
    // A rollback runs no hooks, as CodeDeploy's own rollbacks do: the revision is the known-good
    // one, and a check that failed the deploy must not hold production on the failed revision.
    const template = purpose === 'rollback' && setup.appspec ? { ...setup.appspec, Hooks: undefined } : setup.appspec;
    const spec = renderAppSpec(taskDefinitionArn, template, request.plan.loadBalancers[0]);
    try {
        const answer = await codedeploy.send(new dist_cjs.CreateDeploymentCommand({
            applicationName: setup.application,
            deploymentGroupName: setup.deploymentGroup,
            ...(setup.deploymentConfig !== undefined && { deploymentConfigName: setup.deploymentConfig }),
            revision: appSpecRevision(spec),
            description
        }));
        if (!answer.deploymentId)
            throw new Error('CreateDeployment returned no deployment id');
        return answer.deploymentId;
    }
    catch (error) {
        if ((0,errors/* errorName */.Is)(error) === 'DeploymentLimitExceededException')
            throw new errors/* ActionError */.lZ(`another CodeDeploy deployment of ${setup.deploymentGroup} is in progress; the service was not changed (${(0,errors/* describeError */.Uc)(error)})`);
        throw error;
    }
}
async function follow(deps, request, context, taskDefinitionArn) {
    const full = {
        ...context,
        startedAt: deps.clock.now(),
        timeoutMs: request.timeoutMs,
        failureThreshold: decide/* DEFAULT_FAILURE_THRESHOLD */.De
    };
    const observe = codeDeployObserver(deps, request, context.deploymentId, context.targetGroupArn, taskDefinitionArn);
    let last;
    const decision = await (0,watch/* watchLoop */.Mc)(async () => (last = await observe()), observation => decideCodeDeploy(observation, full), full, { clock: deps.clock, log: deps.log, ...(deps.backoff !== undefined && { backoff: deps.backoff }) });
    return { decision, ...(last !== undefined && { last }) };
}
/** Polls for the rollback deployment: at most this many times, ECS_SHIP_POLL_MIN_MS apart (2 s: a minute). */
const ROLLBACK_LOOKUPS = 30;
/** CodeDeploy names its rollback deployment a moment after the failure: ask a few times. */
async function rollbackDeploymentOf(deps, deploymentId) {
    for (let attempt = 0; attempt < ROLLBACK_LOOKUPS; attempt++) {
        const { deploymentInfo } = await deps.codedeploy.send(new dist_cjs.GetDeploymentCommand({ deploymentId }));
        const id = deploymentInfo?.rollbackInfo?.rollbackDeploymentId;
        if (id)
            return id;
        const finished = ['Succeeded', 'Failed', 'Stopped'].includes(deploymentInfo?.status ?? '');
        if (finished && attempt >= 3)
            return undefined;
        await deps.clock.sleep(deps.backoff?.minMs ?? 2000);
    }
    return undefined;
}
function rollOutCodeDeploy(setup) {
    return async (deps, request) => {
        if (!deps.codedeploy)
            throw new Error('the CodeDeploy client is missing');
        const cd = { ...deps, codedeploy: deps.codedeploy };
        // Inputs that mean nothing to CodeDeploy are said out loud rather than silently ignored.
        if (request.desiredCount !== undefined)
            core/* warning */.$e('input desired-count: not applied by a CodeDeploy deployment (the replacement task set takes the service’s count)');
        const description = `ecs-ship: ${request.plan.serviceName} → ${(0,decide/* revisionName */.pd)(request.target.arn)}`;
        const deploymentId = await createDeployment(cd.codedeploy, setup, request, request.target.arn, description);
        deps.log(`CreateDeployment: ${deploymentId} (${setup.application} / ${setup.deploymentGroup}) → ${(0,decide/* revisionName */.pd)(request.target.arn)}`);
        if (!request.wait) {
            deps.log('wait-for-service-stability is false: not following the CodeDeploy deployment');
            return { status: 'succeeded', deploymentId, taskDefinitionArn: request.target.arn, rolledBack: false };
        }
        const { decision, last } = await follow(cd, request, {
            label: 'deployment',
            deploymentId,
            waitUntil: setup.waitUntil,
            ...(setup.greenTargetGroupArn !== undefined && { targetGroupArn: setup.greenTargetGroupArn })
        }, request.target.arn);
        // Recovery runs whatever rollback-on-failure says: CodeDeploy's own rollback is followed even
        // when it is off, so the verdict says where the service ended.
        return (0,rolling/* concludeRollout */.NS)(deps, request, deploymentId, decision, failedResult => recover(cd, setup, request, deploymentId, decision, last, failedResult));
    };
}
/** After a failure: find or start the rollback, follow it, and say where the service ended. */
async function recover(deps, setup, request, deploymentId, decision, last, failedResult) {
    const reason = decision.reason;
    const stillRunning = last !== undefined && !['Succeeded', 'Failed', 'Stopped'].includes(last.status);
    let rollbackId = last?.rollbackDeploymentId;
    let startedBy = 'CodeDeploy (the deployment group rolls back by itself)';
    // A failed lifecycle event fails the deployment in CodeDeploy too; a group with automatic
    // rollback then rolls back by itself, and a StopDeployment on top would only race it.
    const codeDeployRollsBack = setup.autoRollback && decision.kind === 'failed' && decision.failure.cause === 'rollout-failed';
    if (!rollbackId && stillRunning && request.rollbackOnFailure && !codeDeployRollsBack) {
        // We saw the failure before CodeDeploy: stop it, and let it put the original task set back.
        try {
            await deps.codedeploy.send(new dist_cjs.StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
            deps.log(`rolling back: StopDeployment ${deploymentId} with auto-rollback`);
            startedBy = 'ecs-ship (StopDeployment with auto-rollback)';
        }
        catch (error) {
            // It finished (failed, and maybe rolled back) between our last poll and this call.
            if ((0,errors/* errorName */.Is)(error) !== 'DeploymentAlreadyCompletedException')
                throw error;
            deps.log(`${deploymentId} had already finished; looking for its rollback`);
        }
    }
    if (!rollbackId && (request.rollbackOnFailure || setup.autoRollback))
        rollbackId = await rollbackDeploymentOf(deps, deploymentId);
    if (!rollbackId) {
        const production = last?.taskSets.find(s => s.trafficWeight > 0);
        const stayed = !production || production.label === 'Blue';
        if (stayed) {
            return {
                ...failedResult(`deploy failed: ${reason}; production traffic never left ${(0,decide/* revisionName */.pd)(request.previous.arn)} (CodeDeploy kept the original task set)`),
                // What production runs, as the output says it.
                taskDefinitionArn: request.previous.arn
            };
        }
        if (!request.rollbackOnFailure)
            return failedResult(`deploy failed: ${reason} (rollback-on-failure is off; production runs the new revision)`);
        // Production had moved and nothing rolls back: deploy the previous revision the same way.
        rollbackId = await createDeployment(deps.codedeploy, setup, request, request.previous.arn, `ecs-ship rollback: ${request.plan.serviceName} → ${(0,decide/* revisionName */.pd)(request.previous.arn)}`, 'rollback');
        startedBy = 'ecs-ship (a new deployment of the previous revision)';
        deps.log(`rolling back: CreateDeployment ${rollbackId} → ${(0,decide/* revisionName */.pd)(request.previous.arn)}`);
    }
    else {
        deps.log(`following rollback deployment ${rollbackId}`);
    }
    const { decision: rollbackDecision } = await follow(deps, request, {
        label: 'rollback',
        deploymentId: rollbackId,
        waitUntil: 'succeeded',
        ...(setup.blueTargetGroupArn !== undefined && { targetGroupArn: setup.blueTargetGroupArn })
    }, request.previous.arn);
    const rollback = {
        deploymentId: rollbackId,
        decision: rollbackDecision,
        byEcs: false,
        startedBy
    };
    return (0,rolling/* rollbackOutcome */.pl)(request, deploymentId, decision, rollback, failedResult, rollbackDecision.reason);
}


/***/ })

};
