export const id = 849;
export const ids = [849];
export const modules = {

/***/ 1877:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   WS: () => (/* binding */ parseAppSpec),
/* harmony export */   Zl: () => (/* binding */ renderAppSpec),
/* harmony export */   lz: () => (/* binding */ decideCodeDeploy),
/* harmony export */   q$: () => (/* binding */ appSpecRevision)
/* harmony export */ });
/* unused harmony export describeLifecycleFailure */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var yaml__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8815);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(452);
/* harmony import */ var _decide_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4515);
// CodeDeploy blue/green, the pure part: the AppSpec (from the user's file or generated from the
// service's load balancer), what the deployment group allows, and the verdict on one poll of a
// deployment. No AWS calls here: codedeploy.ts gathers the data and carries the decisions out.




/** Parses and checks an AppSpec file's text; errors name the file and, for syntax, the line. */
function parseAppSpec(text, file) {
    const document = (0,yaml__WEBPACK_IMPORTED_MODULE_1__/* .parseDocument */ .Tp)(text, { prettyErrors: false });
    const syntax = document.errors[0];
    if (syntax) {
        const line = text.slice(0, syntax.pos[0]).split('\n').length;
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ(`input codedeploy-appspec: ${file}:${line}: ${syntax.message}`);
    }
    const spec = document.toJS();
    const fail = (problem) => {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ(`input codedeploy-appspec: ${file}: ${problem}`);
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ('input codedeploy-appspec: the service has no load balancer to build an AppSpec from; give an AppSpec file');
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
        appSpecContent: { content, sha256: (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(content).digest('hex') }
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
        parts.push(`${(0,_decide_js__WEBPACK_IMPORTED_MODULE_3__/* .targetGroupName */ .IT)(group.targetGroupArn)} ${group.healthy}/${group.expected} healthy`);
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
        ? {
            targetGroupArn: context.targetGroupArn,
            healthy: targets.filter(t => t.state === 'healthy').length,
            expected,
            targets: targets.map(t => ({
                task: '-',
                id: t.id,
                port: t.port ?? 0,
                state: t.state,
                ...(t.reason !== undefined && { reason: t.reason }),
                ...(t.description !== undefined && { description: t.description })
            }))
        }
        : undefined;
    const failedStops = o.stoppedTasks.filter(_decide_js__WEBPACK_IMPORTED_MODULE_3__/* .isFailureStop */ .F2);
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
    const stopEvidence = failedStops.map(_decide_js__WEBPACK_IMPORTED_MODULE_3__/* .describeStoppedTask */ .us);
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
            return failed('targets-unhealthy', `replacement tasks fail their load balancer health checks: target ${first?.id ?? '?'} is unhealthy in ${(0,_decide_js__WEBPACK_IMPORTED_MODULE_3__/* .targetGroupName */ .IT)(context.targetGroupArn ?? '')}${why ? ` (${why})` : ''}`, [
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
            ? `; ${(0,_decide_js__WEBPACK_IMPORTED_MODULE_3__/* .targetGroupName */ .IT)(group.targetGroupArn)} ${group.healthy}/${group.expected} healthy`
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
        const minutes = Math.round(context.timeoutMs / 60_000);
        return failed('timeout', `timed out after ${minutes} minute${minutes === 1 ? '' : 's'} waiting for CodeDeploy ${context.label} ${context.deploymentId}; last state: ${progress.line}`, stopEvidence);
    }
    const reason = arrived ? 'targets to be healthy' : `CodeDeploy to finish (${o.status})`;
    return { kind: 'wait', reason, progress };
}


/***/ }),

/***/ 2849:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   I: () => (/* binding */ errorName),
/* harmony export */   describeCodeDeploySetup: () => (/* binding */ describeCodeDeploySetup),
/* harmony export */   loadCodeDeploySetup: () => (/* binding */ loadCodeDeploySetup)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var _aws_sdk_client_codedeploy__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7507);
/* harmony import */ var _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(586);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(452);
/* harmony import */ var _codedeploy_plan_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1877);
/* harmony import */ var _decide_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(4515);
// CodeDeploy, before anything changes: the application and deployment group as they are, the
// AppSpec file checked, and the pair of target groups (which one is blue now). A typo in an input
// fails here, with the input's name, before a revision is registered.






const errorName = (error) => error && typeof error === 'object' && 'name' in error ? String(error.name) : '';
async function readGroup(codedeploy, application, deploymentGroup) {
    try {
        const answer = await codedeploy.send(new _aws_sdk_client_codedeploy__WEBPACK_IMPORTED_MODULE_2__.GetDeploymentGroupCommand({ applicationName: application, deploymentGroupName: deploymentGroup }));
        if (!answer.deploymentGroupInfo)
            throw new Error('GetDeploymentGroup returned no deployment group');
        return answer.deploymentGroupInfo;
    }
    catch (error) {
        const name = errorName(error);
        if (name === 'ApplicationDoesNotExistException')
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .lZ(`input codedeploy-application: application ${application} does not exist`);
        if (name === 'DeploymentGroupDoesNotExistException')
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .lZ(`input codedeploy-deployment-group: deployment group ${deploymentGroup} does not exist in application ${application}`);
        throw error;
    }
}
function readAppSpecFile(path) {
    if (!(0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(path))
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .lZ(`input codedeploy-appspec: ${path} does not exist`);
    return (0,_codedeploy_plan_js__WEBPACK_IMPORTED_MODULE_1__/* .parseAppSpec */ .WS)((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(path, 'utf8'), path);
}
/** Everything a CodeDeploy rollout needs, checked before anything in AWS changes. */
async function loadCodeDeploySetup(inputs, clients, plan) {
    const application = inputs.codedeploy.application ?? `AppECS-${plan.cluster}-${plan.serviceName}`;
    const deploymentGroup = inputs.codedeploy.deploymentGroup ?? `DgpECS-${plan.cluster}-${plan.serviceName}`;
    const appspec = inputs.codedeploy.appspecPath ? readAppSpecFile(inputs.codedeploy.appspecPath) : undefined;
    const group = await readGroup(await clients.codedeploy(), application, deploymentGroup);
    const ready = group.blueGreenDeploymentConfiguration?.deploymentReadyOption;
    if (inputs.waitUntil === 'ready' && ready?.actionOnTimeout !== 'STOP_DEPLOYMENT')
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .lZ(`input wait-until: \`ready\` needs a deployment group that waits for a manual reroute (deploymentReadyOption STOP_DEPLOYMENT); ${deploymentGroup} continues on its own`);
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
        const found = await elb.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.DescribeTargetGroupsCommand({ Names: names }));
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
                `replacement in ${(0,_decide_js__WEBPACK_IMPORTED_MODULE_5__/* .targetGroupName */ .IT)(setup.greenTargetGroupArn)}, original in ${(0,_decide_js__WEBPACK_IMPORTED_MODULE_5__/* .targetGroupName */ .IT)(setup.blueTargetGroupArn)}`
            ]
            : []),
        `on failure: ${setup.autoRollback ? 'the deployment group rolls back by itself' : 'ecs-ship rolls back (the group has no automatic rollback)'}`,
        `done when: ${setup.waitUntil === 'ready' ? 'Ready (replacement on test traffic, waiting for the reroute)' : 'Succeeded'}`
    ];
}


/***/ })

};
