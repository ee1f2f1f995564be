export const id = 857;
export const ids = [857];
export const modules = {

/***/ 4857:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  finishTracking: () => (/* binding */ finishTracking),
  startTracking: () => (/* binding */ startTracking)
});

// UNUSED EXPORTS: previewStatus, wantsTracking

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 11 modules
var core = __webpack_require__(3360);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js + 22 modules
var github = __webpack_require__(2413);
// EXTERNAL MODULE: ./lib/errors.js
var errors = __webpack_require__(452);
;// CONCATENATED MODULE: ./lib/github/client.js
// Builds the one Octokit the action uses for GitHub. The token is registered as a secret before
// anything else happens, so no later log line (an error that echoes a request, a debug dump)
// can show it. Everything that calls GitHub receives this client as a parameter.



function createGitHubClient(token, options = {}) {
    if (token.trim() === '') {
        throw new errors/* ActionError */.lZ('input github-token: is empty; GitHub deployments and comments need a token');
    }
    core/* setSecret */.Pq(token);
    return (0,github/* getOctokit */.Q)(token, options.baseUrl ? { baseUrl: options.baseUrl } : {});
}

// EXTERNAL MODULE: ./lib/github/context.js
var context = __webpack_require__(8120);
;// CONCATENATED MODULE: ./lib/github/render.js
// Pure rendering of the pull-request comment a preview keeps up to date. The hidden marker on
// its first line is how the next run finds this comment again instead of posting a new one.
const MARKER_PREFIX = 'ecs-ship:preview:';
/** The hidden marker that identifies one preview's comment. */
function previewMarker(id) {
    // `--` would end the HTML comment early; ids are short and plain, but never trust that.
    return `<!-- ${MARKER_PREFIX}${id.replace(/-{2,}/g, '-').replace(/[<>\s]/g, '')} -->`;
}
/** The marker at the start of a body, if it has one. */
function markerOf(body) {
    const match = /^<!-- ecs-ship:[^\s<>]+ -->/.exec(body.trimStart());
    return match?.[0];
}
const STATUS_LINE = {
    deploying: '🟡 Deploying',
    ready: '🟢 Ready',
    failed: '🔴 Failed',
    destroyed: '⚪ Destroyed'
};
/** Inline code that cannot be broken out of: backticks inside would end the span. */
function code(text) {
    return `\`${text.replace(/`/g, "'").replace(/[\r\n]+/g, ' ')}\``;
}
/** Only http(s) URLs become links; anything else is shown as plain code. */
function render_link(url) {
    return /^https?:\/\/[^\s()<>]+$/.test(url) ? `[${url}](${url})` : code(url);
}
function renderPreviewComment(data) {
    const rows = [['Status', STATUS_LINE[data.status]]];
    if (data.url)
        rows.push(['URL', data.status === 'destroyed' ? `~~${code(data.url)}~~` : render_link(data.url)]);
    if (data.image)
        rows.push(['Image', code(data.image)]);
    if (data.commit)
        rows.push(['Commit', code(data.commit)]);
    if (data.service)
        rows.push(['Service', code(data.service)]);
    if (data.taskDefinitionArn)
        rows.push(['Task definition', code(data.taskDefinitionArn)]);
    if (data.reason && data.status === 'failed')
        rows.push(['Reason', data.reason.replace(/[\r\n|]+/g, ' ')]);
    if (data.logUrl)
        rows.push(['Log', render_link(data.logUrl)]);
    const lines = [
        previewMarker(data.id),
        `### Preview \`${data.id.replace(/`/g, "'")}\``,
        '',
        '| | |',
        '| --- | --- |',
        ...rows.map(([key, value]) => `| ${key} | ${value} |`)
    ];
    if (data.status === 'destroyed') {
        lines.push('', 'The preview environment was removed when the pull request closed.');
    }
    if (data.updatedAt)
        lines.push('', `<sub>Updated ${data.updatedAt} by ecs-ship.</sub>`);
    return `${lines.join('\n')}\n`;
}

;// CONCATENATED MODULE: ./lib/github/comments.js
// One pull-request comment per preview, updated in place on every push: the run finds its own
// earlier comment by the hidden marker on the first line and edits it; only the first run posts.


/** Pure: the oldest comment whose body starts with the marker (a quote of it in a reply does not count). */
function findMarkedComment(comments, marker) {
    return comments.find(comment => (comment.body ?? '').trimStart().startsWith(marker));
}
async function upsertPullRequestComment(octokit, options) {
    const marker = markerOf(options.body);
    if (!marker) {
        throw new errors/* ActionError */.lZ('a preview comment must start with its <!-- ecs-ship:… --> marker');
    }
    const { owner, repo, issueNumber } = options;
    // Busy pull requests have hundreds of comments: read every page, not just the first 30.
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
        owner,
        repo,
        issue_number: issueNumber,
        per_page: 100
    });
    const existing = findMarkedComment(comments, marker);
    if (!existing) {
        const created = await octokit.rest.issues.createComment({
            owner,
            repo,
            issue_number: issueNumber,
            body: options.body
        });
        return { commentId: created.data.id, action: 'created' };
    }
    if (existing.body === options.body)
        return { commentId: existing.id, action: 'unchanged' };
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body: options.body });
    return { commentId: existing.id, action: 'updated' };
}

;// CONCATENATED MODULE: ./lib/github/deployments.js
// GitHub Deployments: one deployment per run for the commit, and its statuses moved as the run
// goes (in_progress → success | failure; inactive when a preview is destroyed). The environment
// page then shows what runs where, with the URL and a link to the log.

/** GitHub rejects deployment-status descriptions longer than this. */
const DESCRIPTION_LIMIT = 140;
/** Pure: shortens a description to GitHub's limit, marking the cut. */
function fitDescription(text) {
    const oneLine = text.replace(/\s+/g, ' ').trim();
    return oneLine.length <= DESCRIPTION_LIMIT ? oneLine : `${oneLine.slice(0, DESCRIPTION_LIMIT - 1)}…`;
}
async function createDeployment(octokit, options) {
    const response = await octokit.rest.repos.createDeployment({
        owner: options.owner,
        repo: options.repo,
        ref: options.ref,
        environment: options.environment,
        transient_environment: options.transient,
        production_environment: options.production,
        // The action deploys exactly the commit it was given: no merge of the default branch, and
        // no wait for other status checks (the workflow's own `needs:` decides what must pass first).
        auto_merge: false,
        required_contexts: [],
        task: 'deploy',
        ...(options.description ? { description: fitDescription(options.description) } : {})
    });
    const data = response.data;
    if (typeof data.id !== 'number') {
        const reason = typeof data.message === 'string' ? data.message : `HTTP ${response.status}`;
        throw new errors/* ActionError */.lZ(`GitHub did not create a deployment for ${options.environment}: ${reason}`);
    }
    return data.id;
}
async function setDeploymentStatus(octokit, options) {
    await octokit.rest.repos.createDeploymentStatus({
        owner: options.owner,
        repo: options.repo,
        deployment_id: options.deploymentId,
        state: options.state,
        // A success retires the environment's earlier deployments, so only the live one is "Active".
        auto_inactive: options.state === 'success',
        ...(options.environment ? { environment: options.environment } : {}),
        ...(options.environment_url ? { environment_url: options.environment_url } : {}),
        ...(options.log_url ? { log_url: options.log_url } : {}),
        ...(options.description ? { description: fitDescription(options.description) } : {})
    });
}
/**
 * Every deployment of the environment, newest first. preview-destroy marks each one inactive,
 * so the pull request no longer links to a URL that is gone (inactive twice is harmless).
 */
async function listDeploymentIds(octokit, options) {
    const deployments = await octokit.paginate(octokit.rest.repos.listDeployments, {
        owner: options.owner,
        repo: options.repo,
        environment: options.environment,
        per_page: 100
    });
    return deployments.map(deployment => deployment.id);
}

;// CONCATENATED MODULE: ./lib/github/tracker.js
// The GitHub side of one run, as the orchestrator uses it: a deployment that starts in progress
// and ends in success or failure, previews' deployments retired on destroy, and the preview
// comment. GitHub bookkeeping never decides a deploy: when a call fails, the run goes on and a
// warning says what was not recorded and, for a missing permission, which one to grant.




/** Pure: a warning for a failed GitHub call, with the permission to grant when that is the cause. */
function describeGitHubFailure(what, error, permission) {
    const status = error?.status;
    const message = error instanceof Error ? error.message : String(error);
    if (status === 403 || status === 404) {
        return `could not ${what}: ${message} (HTTP ${String(status)}). The job needs \`permissions: ${permission}\`, and a token that can see this repository.`;
    }
    return `could not ${what}: ${message}`;
}
async function attempt(what, permission, warn, call) {
    try {
        return await call();
    }
    catch (error) {
        warn(describeGitHubFailure(what, error, permission));
        return undefined;
    }
}
/** Creates the deployment and marks it in progress; undefined (after a warning) when GitHub refused. */
async function beginDeployment(octokit, target, warn = core/* warning */.$e) {
    const permission = 'deployments: write';
    const id = await attempt(`create a GitHub deployment for ${target.environment}`, permission, warn, () => createDeployment(octokit, target));
    if (id === undefined)
        return undefined;
    await attempt('mark the GitHub deployment in progress', permission, warn, () => setDeploymentStatus(octokit, {
        owner: target.owner,
        repo: target.repo,
        deploymentId: id,
        state: 'in_progress',
        environment: target.environment,
        ...(target.logUrl ? { log_url: target.logUrl } : {}),
        ...(target.description ? { description: target.description } : {})
    }));
    return { id, target };
}
async function completeDeployment(octokit, handle, outcome, warn = core/* warning */.$e) {
    if (!handle)
        return;
    const { target } = handle;
    await attempt(`mark the GitHub deployment ${outcome.state}`, 'deployments: write', warn, () => setDeploymentStatus(octokit, {
        owner: target.owner,
        repo: target.repo,
        deploymentId: handle.id,
        state: outcome.state,
        environment: target.environment,
        ...(outcome.environmentUrl ? { environment_url: outcome.environmentUrl } : {}),
        ...(target.logUrl ? { log_url: target.logUrl } : {}),
        ...(outcome.description ? { description: outcome.description } : {})
    }));
}
/** preview-destroy: every deployment of the preview's environment becomes inactive. */
async function retireDeployments(octokit, target, warn = core/* warning */.$e) {
    const permission = 'deployments: write';
    const ids = await attempt(`list the GitHub deployments of ${target.environment}`, permission, warn, () => listDeploymentIds(octokit, target));
    let retired = 0;
    for (const id of ids ?? []) {
        const done = await attempt(`mark GitHub deployment ${id} inactive`, permission, warn, async () => {
            await setDeploymentStatus(octokit, {
                owner: target.owner,
                repo: target.repo,
                deploymentId: id,
                state: 'inactive',
                environment: target.environment,
                ...(target.logUrl ? { log_url: target.logUrl } : {}),
                description: 'Preview destroyed'
            });
            return true;
        });
        if (done)
            retired++;
    }
    return retired;
}
/** Posts or updates the preview's one comment; undefined (after a warning) when GitHub refused. */
async function publishPreviewComment(octokit, target, data, warn = core/* warning */.$e) {
    const result = await attempt(`comment on pull request #${target.issueNumber}`, 'pull-requests: write', warn, () => upsertPullRequestComment(octokit, { ...target, body: renderPreviewComment(data) }));
    return result?.commentId;
}

;// CONCATENATED MODULE: ./lib/github/run-tracking.js



const isPreview = (mode) => mode === 'preview' || mode === 'preview-destroy';
/** Pure: whether this run records anything on GitHub. */
function wantsTracking(inputs, pullRequest) {
    if (inputs.github.token === '')
        return false;
    return inputs.github.environment !== undefined || (isPreview(inputs.mode) && pullRequest !== undefined);
}
async function startTracking(inputs, env) {
    const payload = (0,context/* eventPayload */.Z3)(env);
    const pullRequest = (0,context/* pullRequestNumber */.Kd)(payload);
    if (!wantsTracking(inputs, pullRequest))
        return undefined;
    const octokit = createGitHubClient(inputs.github.token);
    const { owner, repo } = (0,context/* repoFromEnv */.K)(env);
    const logUrl = (0,context/* runLogUrl */.lm)(env);
    const environment = inputs.github.environment;
    const commit = env.GITHUB_SHA ? (0,context/* deploymentRef */.f8)(payload, env) : undefined;
    // preview-destroy deploys nothing: it retires the environment's deployments at the end.
    const handle = environment && inputs.mode !== 'preview-destroy'
        ? await beginDeployment(octokit, {
            owner,
            repo,
            ref: (0,context/* deploymentRef */.f8)(payload, env),
            environment,
            transient: isPreview(inputs.mode),
            production: !isPreview(inputs.mode),
            ...(logUrl && { logUrl }),
            description: `ecs-ship ${inputs.mode} of ${inputs.service}`
        })
        : undefined;
    return {
        octokit,
        owner,
        repo,
        mode: inputs.mode,
        ...(environment !== undefined && { environment }),
        ...(handle !== undefined && { handle }),
        ...(logUrl !== undefined && { logUrl }),
        ...(commit !== undefined && { commit }),
        ...(isPreview(inputs.mode) && pullRequest !== undefined && { pullRequest }),
        ...(inputs.preview.id !== undefined && { previewId: inputs.preview.id })
    };
}
/** Pure: the preview comment's status for how the run ended. */
function previewStatus(mode, succeeded) {
    if (mode === 'preview-destroy')
        return succeeded ? 'destroyed' : 'failed';
    return succeeded ? 'ready' : 'failed';
}
async function finishTracking(tracking, outcome, now = () => new Date()) {
    if (!tracking)
        return;
    const { octokit, owner, repo } = tracking;
    // GitHub keeps at most 140 characters of a status description.
    const description = outcome.description?.slice(0, 140);
    if (tracking.mode === 'preview-destroy') {
        if (tracking.environment && outcome.succeeded)
            await retireDeployments(octokit, {
                owner,
                repo,
                environment: tracking.environment,
                ...(tracking.logUrl && { logUrl: tracking.logUrl })
            });
    }
    else {
        await completeDeployment(octokit, tracking.handle, {
            state: outcome.succeeded ? 'success' : 'failure',
            ...(outcome.environmentUrl && { environmentUrl: outcome.environmentUrl }),
            ...(description && { description })
        });
    }
    if (tracking.pullRequest !== undefined) {
        const status = previewStatus(tracking.mode, outcome.succeeded);
        await publishPreviewComment(octokit, { owner, repo, issueNumber: tracking.pullRequest }, {
            id: tracking.previewId ?? String(tracking.pullRequest),
            status,
            ...(outcome.environmentUrl && { url: outcome.environmentUrl }),
            ...(outcome.image && { image: outcome.image }),
            ...(tracking.commit && { commit: tracking.commit }),
            ...(outcome.service && { service: outcome.service }),
            ...(outcome.taskDefinitionArn && { taskDefinitionArn: outcome.taskDefinitionArn }),
            ...(tracking.logUrl && { logUrl: tracking.logUrl }),
            ...(!outcome.succeeded && outcome.description && { reason: outcome.description }),
            updatedAt: now().toISOString()
        });
    }
}


/***/ })

};
