export const id = 795;
export const ids = [795];
export const modules = {

/***/ 6795:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   activeDeployment: () => (/* binding */ activeDeployment),
/* harmony export */   waitForCodeDeployInFlight: () => (/* binding */ waitForCodeDeployInFlight)
/* harmony export */ });
/* unused harmony export decideEnded */
/* harmony import */ var _aws_sdk_client_codedeploy__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7507);
/* harmony import */ var _watch_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1012);
// Another CodeDeploy deployment of the group in flight (someone else's deploy, or CodeDeploy's own
// rollback): CodeDeploy would refuse ours (DeploymentLimitExceeded), so a deploy waits for it to
// end, within wait-for-minutes, before it registers anything.


/** Statuses of a deployment that has not ended; Ready waits for a manual reroute. */
const IN_FLIGHT = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];
async function activeDeployment(codedeploy, setup) {
    const answer = await codedeploy.send(new _aws_sdk_client_codedeploy__WEBPACK_IMPORTED_MODULE_1__.ListDeploymentsCommand({
        applicationName: setup.application,
        deploymentGroupName: setup.deploymentGroup,
        includeOnlyStatuses: [...IN_FLIGHT]
    }));
    return answer.deployments?.[0];
}
/** Pure: has the deployment ended, and if not, is there still time to wait? */
function decideEnded(observation, context) {
    const line = `in-flight CodeDeploy deployment ${context.deploymentId}: ${observation.status}`;
    const progress = {
        running: 0,
        pending: 0,
        desired: 0,
        failedTasks: 0,
        deployments: 0,
        targetGroups: [],
        line
    };
    if (!IN_FLIGHT.includes(observation.status))
        return { kind: 'done', reason: `it ended ${observation.status}`, progress };
    if (observation.at - context.startedAt >= context.timeoutMs) {
        const minutes = Math.round(context.timeoutMs / 60_000);
        return {
            kind: 'failed',
            reason: `timed out after ${minutes} minute${minutes === 1 ? '' : 's'}; last state: ${line}`,
            progress,
            failure: { cause: 'timeout', evidence: [] }
        };
    }
    return { kind: 'wait', reason: `CodeDeploy to end it (${observation.status})`, progress };
}
async function waitForCodeDeployInFlight(deps, deploymentId, timeoutMs) {
    deps.log(`another CodeDeploy deployment is in flight (${deploymentId}): waiting for it to end before deploying`);
    const context = { deploymentId, startedAt: deps.clock.now(), timeoutMs };
    const decision = await (0,_watch_js__WEBPACK_IMPORTED_MODULE_0__/* .watchLoop */ .Mc)(async () => {
        const answer = await deps.codedeploy.send(new _aws_sdk_client_codedeploy__WEBPACK_IMPORTED_MODULE_1__.GetDeploymentCommand({ deploymentId }));
        return { at: deps.clock.now(), status: answer.deploymentInfo?.status ?? 'Unknown' };
    }, observation => decideEnded(observation, context), context, { clock: deps.clock, log: deps.log, ...(deps.backoff !== undefined && { backoff: deps.backoff }) });
    if (decision.kind !== 'done')
        throw new Error(`the in-flight CodeDeploy deployment ${deploymentId} did not end in time (${decision.reason}); nothing was changed`);
    deps.log(`CodeDeploy deployment ${deploymentId} ended: ${decision.reason}`);
}


/***/ })

};
