export const id = 655;
export const ids = [655];
export const modules = {

/***/ 7036:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  buildAndPushImage: () => (/* reexport */ buildAndPushImage),
  imageLogoutCleanup: () => (/* binding */ imageLogoutCleanup),
  imagePhase: () => (/* binding */ imagePhase),
  logoutRegistries: () => (/* reexport */ logoutRegistries),
  validateImageInputs: () => (/* reexport */ validateImageInputs)
});

// EXTERNAL MODULE: ./lib/aws/clients.js + 1 modules
var aws_clients = __webpack_require__(7832);
// EXTERNAL MODULE: ./lib/errors.js
var errors = __webpack_require__(452);
// EXTERNAL MODULE: ./node_modules/@actions/exec/lib/exec.js + 5 modules
var exec = __webpack_require__(2876);
;// CONCATENATED MODULE: ./lib/process/exec.js
// The one way this action runs a process. Every command (docker, buildah, their login and logout)
// goes through an Exec, so tests hand a fake one in and assert on argv, and the real one is a
// thin layer over @actions/exec that never throws on a non-zero exit: callers decide what an
// exit code means, because for some commands (logout) a failure is only a warning.


function mergedEnv(extra) {
    const env = {};
    for (const [name, value] of Object.entries({ ...process.env, ...extra })) {
        if (value !== undefined)
            env[name] = value;
    }
    return env;
}
/** The real Exec: streams output to the job log unless `silent`, and captures it. */
function createExec() {
    return {
        async run(command, args, options = {}) {
            try {
                const result = await exec/* getExecOutput */.H(command, [...args], {
                    ignoreReturnCode: true,
                    silent: options.silent ?? false,
                    ...(options.input !== undefined && { input: Buffer.from(options.input) }),
                    ...(options.env !== undefined && { env: mergedEnv(options.env) }),
                    ...(options.cwd !== undefined && { cwd: options.cwd })
                });
                return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
            }
            catch (error) {
                // Only a process that could not start lands here (not installed, not executable).
                const detail = error instanceof Error ? error.message : String(error);
                throw new errors/* ActionError */.lZ(`could not run \`${command}\`: ${detail}`);
            }
        }
    };
}
/**
 * An Exec for tests: records every call and answers with what `respond` returns (exit 0 and no
 * output for anything it leaves out).
 */
function fakeExec(respond = () => ({})) {
    const calls = [];
    return {
        calls,
        async run(command, args, options = {}) {
            const call = { command, args: [...args], options };
            calls.push(call);
            const answer = await respond(call);
            return { exitCode: answer.exitCode ?? 0, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' };
        }
    };
}
/** The last lines of a failed command's output, for an error message. */
function lastLines(text, count) {
    return text
        .split('\n')
        .map(line => line.trimEnd())
        .filter(line => line !== '')
        .slice(-count);
}

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 11 modules
var core = __webpack_require__(3360);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./lib/util/clock.js
var util_clock = __webpack_require__(8394);
;// CONCATENATED MODULE: ./lib/image/argv.js
const CACHE_TAG = 'buildcache';
function imageReferences(plan) {
    return plan.tags.map(tag => `${plan.repository}:${tag}`);
}
function pairs(flag, values) {
    return [...values].flatMap(value => [flag, value]);
}
function commonBuildFlags(plan) {
    return [
        ...pairs('--build-arg', [...plan.buildArgs].map(([name, value]) => `${name}=${value}`)),
        ...pairs('--secret', [...plan.secrets].map(([id, env]) => `id=${id},env=${env}`)),
        ...(plan.target !== undefined ? ['--target', plan.target] : []),
        ...(plan.platforms.length > 0 ? ['--platform', plan.platforms.join(',')] : [])
    ];
}
function dockerCacheFlags(repository, cache) {
    switch (cache) {
        case 'registry': {
            // image-manifest + oci-mediatypes: the form of cache manifest that ECR accepts.
            const ref = `type=registry,ref=${repository}:${CACHE_TAG}`;
            return ['--cache-from', ref, '--cache-to', `${ref},mode=max,image-manifest=true,oci-mediatypes=true`];
        }
        case 'gha':
            return ['--cache-from', 'type=gha', '--cache-to', 'type=gha,mode=max'];
        case 'none':
            return [];
    }
}
/** `docker buildx build --push …`; the pushed digest is read from `metadataFile`. */
function dockerBuildArgs(plan, metadataFile) {
    return [
        'buildx',
        'build',
        '--push',
        '--file',
        plan.dockerfile,
        ...pairs('--tag', imageReferences(plan)),
        ...commonBuildFlags(plan),
        ...dockerCacheFlags(plan.repository, plan.cache),
        '--metadata-file',
        metadataFile,
        plan.context
    ];
}
function buildahGlobalFlags(settings) {
    return settings.storageDriver !== undefined ? ['--storage-driver', settings.storageDriver] : [];
}
/**
 * Defaults that work on any Linux runner, root or not, without fuse-overlayfs or user namespaces:
 * the vfs storage driver and chroot isolation. A runner that chose otherwise keeps its choice:
 * buildah itself reads STORAGE_DRIVER and CONTAINERS_STORAGE_CONF (storage) and BUILDAH_ISOLATION,
 * so when one is set we pass nothing and let buildah read it.
 */
function buildahSettings(env) {
    const set = (name) => (env[name] ?? '') !== '';
    return {
        ...(!set('STORAGE_DRIVER') && !set('CONTAINERS_STORAGE_CONF') && { storageDriver: 'vfs' }),
        ...(!set('BUILDAH_ISOLATION') && { isolation: 'chroot' })
    };
}
/**
 * `buildah bud`: builds into local storage. The cache is buildah's local layer cache (--layers)
 * for `registry` and `gha` alike: buildah 1.28 has no remote cache export, and `gha` is a
 * BuildKit backend.
 */
function buildahBuildArgs(plan, settings) {
    return [
        ...buildahGlobalFlags(settings),
        'bud',
        ...(settings.isolation !== undefined ? ['--isolation', settings.isolation] : []),
        ...(plan.cache !== 'none' ? ['--layers'] : []),
        '--file',
        plan.dockerfile,
        ...pairs('--tag', imageReferences(plan)),
        ...commonBuildFlags(plan),
        ...(plan.insecureRegistry ? ['--tls-verify=false'] : []),
        plan.context
    ];
}
/** `buildah push` of one reference; buildah writes the manifest digest to `digestFile`. */
function buildahPushArgs(reference, digestFile, insecureRegistry, settings) {
    return [
        ...buildahGlobalFlags(settings),
        'push',
        ...(insecureRegistry ? ['--tls-verify=false'] : []),
        '--digestfile',
        digestFile,
        reference
    ];
}
/** Login reads the password from stdin: never on the command line, where `ps` would show it. */
function loginArgs(builder, registry, insecureRegistry, username = 'AWS') {
    return [
        'login',
        '--username',
        username,
        '--password-stdin',
        ...(builder === 'buildah' && insecureRegistry ? ['--tls-verify=false'] : []),
        registry
    ];
}
function logoutArgs(registry) {
    return ['logout', registry];
}

;// CONCATENATED MODULE: ./lib/image/digest.js
// Reading the digest a builder pushed. Both files are written by the builder itself: docker's
// --metadata-file (JSON with `containerimage.digest`) and buildah's --digestfile (the digest
// alone). What they hold is checked, because a wrong digest would deploy the wrong image.

const DIGEST = /^sha256:[0-9a-f]{64}$/;
function checkDigest(value, source) {
    const digest = value.trim();
    if (!DIGEST.test(digest))
        throw new errors/* ActionError */.lZ(`${source} does not hold a sha256 digest: "${digest}"`);
    return digest;
}
function digestFromDockerMetadata(text) {
    let metadata;
    try {
        metadata = JSON.parse(text);
    }
    catch {
        throw new errors/* ActionError */.lZ('the build metadata file written by docker buildx is not JSON');
    }
    const digest = metadata?.['containerimage.digest'];
    if (typeof digest !== 'string') {
        throw new errors/* ActionError */.lZ('the build metadata file written by docker buildx has no containerimage.digest');
    }
    return checkDigest(digest, 'containerimage.digest in the build metadata');
}
function digestFromBuildahDigestFile(text) {
    return checkDigest(text, "buildah's digest file");
}
/** What the task definition gets: the exact manifest that was pushed. */
function imageUriWithDigest(repository, digest) {
    return `${repository}@${digest}`;
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ecr/dist-cjs/index.js
var dist_cjs = __webpack_require__(8249);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-sts/dist-cjs/index.js
var client_sts_dist_cjs = __webpack_require__(1695);
;// CONCATENATED MODULE: ./lib/image/repository.js
// What the ecr-repository input names, worked out without calling AWS: either a bare repository
// name (resolved later with DescribeRepositories) or a full URI whose host is the registry. An
// ECR hostname also carries the account and the region, so a repository in another region or
// account is addressed exactly as the URI says.

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;
// ECR's own rule for repository names: lowercase path segments separated by `/`.
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
function parseEcrHost(host) {
    const match = ECR_HOST.exec(host);
    return match ? { accountId: match[1], region: match[2] } : undefined;
}
/** Docker's rule: the first path segment is a registry when it has a `.` or `:`, or is localhost. */
function looksLikeRegistry(segment) {
    return segment.includes('.') || segment.includes(':') || segment === 'localhost';
}
function fail(problem) {
    throw new errors/* ActionError */.lZ(`input ecr-repository: ${problem}`);
}
function parseRepositoryReference(raw) {
    const value = raw.trim().replace(/^(?:https?:\/\/)/, '');
    if (value === '')
        fail('is empty');
    if (value.includes('@'))
        fail(`"${raw.trim()}" has a digest; give the repository only`);
    const slash = value.indexOf('/');
    const first = slash < 0 ? value : value.slice(0, slash);
    const isUri = slash > 0 && looksLikeRegistry(first);
    const name = isUri ? value.slice(slash + 1) : value;
    if (/:[^/]*$/.test(name)) {
        fail(`"${raw.trim()}" has a tag; give the repository only (the tag comes from image-tag)`);
    }
    if (!REPOSITORY_NAME.test(name)) {
        fail(`"${name}" is not a valid repository name (lowercase letters, digits, and . _ - / between them)`);
    }
    if (!isUri)
        return { kind: 'name', name };
    const registry = first.toLowerCase();
    const ecr = parseEcrHost(registry);
    return { kind: 'uri', registry, name, ...(ecr && { ecr }) };
}
/** Splits a repositoryUri as ECR returns it (`<host>/<name>`). */
function splitRepositoryUri(uri) {
    const value = uri.replace(/^(?:https?:\/\/)/, '');
    const slash = value.indexOf('/');
    if (slash <= 0)
        throw new errors/* ActionError */.lZ(`ECR returned a repository URI without a host: "${uri}"`);
    return { registry: value.slice(0, slash), name: value.slice(slash + 1) };
}
/**
 * A registry on this machine's loopback is spoken to over plain HTTP, as Docker itself does for
 * 127.0.0.0/8: it is how the local simulator's registry runs. Anything else must be HTTPS.
 */
function isLoopbackRegistry(registry) {
    const host = registry.startsWith('[')
        ? registry.slice(0, registry.indexOf(']') + 1)
        : registry.split(':')[0];
    return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host ?? '');
}

;// CONCATENATED MODULE: ./lib/image/ecr.js
// The ECR calls of the image phase: where the repository is, a login token, and whether a tag is
// already there. Each takes its client as a parameter; nothing here runs a process.




async function callerAccount(sts) {
    try {
        return (await sts.send(new client_sts_dist_cjs.GetCallerIdentityCommand({}))).Account;
    }
    catch {
        return undefined;
    }
}
/**
 * Confirms the repository exists and returns where to push. For a bare name, the repositoryUri
 * ECR returns is the registry; for a full URI the input's host is kept, so a registry reached
 * through another hostname (a pull-through alias, the local simulator) is pushed to as given.
 */
async function resolveRepository(ecr, sts, reference, region) {
    const registryId = reference.kind === 'uri' ? reference.ecr?.accountId : undefined;
    let found;
    try {
        const answer = await ecr.send(new dist_cjs.DescribeRepositoriesCommand({
            repositoryNames: [reference.name],
            ...(registryId !== undefined && { registryId })
        }));
        found = answer.repositories?.[0];
    }
    catch (error) {
        if ((0,errors/* errorName */.Is)(error) !== 'RepositoryNotFoundException')
            throw error;
    }
    if (found?.repositoryUri === undefined) {
        const account = registryId ?? (await callerAccount(sts));
        const where = `${account !== undefined ? `account ${account}, ` : ''}region ${region}`;
        throw new errors/* ActionError */.lZ(`input ecr-repository: the repository "${reference.name}" does not exist in ECR (${where}); create it first`);
    }
    const fromEcr = splitRepositoryUri(found.repositoryUri);
    const registry = reference.kind === 'uri' ? reference.registry : fromEcr.registry;
    return {
        registry,
        name: reference.name,
        uri: `${registry}/${reference.name}`,
        ...((found.registryId ?? registryId) !== undefined && { registryId: found.registryId ?? registryId })
    };
}
/**
 * GetAuthorizationToken, decoded. `mask` runs on the token and the password before this returns,
 * so nothing afterwards (an error, a debug line) can print them.
 */
async function registryCredentials(ecr, mask, registryId) {
    const answer = await ecr.send(new dist_cjs.GetAuthorizationTokenCommand(registryId !== undefined ? { registryIds: [registryId] } : {}));
    const token = answer.authorizationData?.[0]?.authorizationToken;
    if (token === undefined || token === '')
        throw new errors/* ActionError */.lZ('ECR returned no authorization token');
    mask(token);
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0 || colon === decoded.length - 1) {
        throw new errors/* ActionError */.lZ('the ECR authorization token is not "user:password" once decoded');
    }
    const password = decoded.slice(colon + 1);
    mask(password);
    return { username: decoded.slice(0, colon), password };
}
/** The digest of `tag` in the repository, or undefined when the tag is not there. */
async function digestOfTag(ecr, repository, tag) {
    try {
        const answer = await ecr.send(new dist_cjs.DescribeImagesCommand({
            repositoryName: repository.name,
            imageIds: [{ imageTag: tag }],
            ...(repository.registryId !== undefined && { registryId: repository.registryId })
        }));
        return answer.imageDetails?.[0]?.imageDigest;
    }
    catch (error) {
        if ((0,errors/* errorName */.Is)(error) === 'ImageNotFoundException')
            return undefined;
        throw error;
    }
}

;// CONCATENATED MODULE: ./lib/image/logout.js
// The post step's half of the login: the main step records each registry it logged in to (in
// core state, as the runner carries it to the post step), and the post step logs out of each.
// Nothing here can fail the job: a logout that does not work is a warning.


const LOGIN_STATE = 'image-registry-logins';
function parseLogins(text) {
    if (text.trim() === '')
        return [];
    try {
        const value = JSON.parse(text);
        if (!Array.isArray(value))
            return [];
        return value.filter((item) => typeof item === 'object' &&
            item !== null &&
            (item.builder === 'docker' || item.builder === 'buildah') &&
            typeof item.registry === 'string');
    }
    catch {
        return [];
    }
}
/** Adds a login to the saved state (before the login runs, so a half-done login is undone too). */
function recordLogin(login, state = { get: core/* getState */.Gu, save: core/* saveState */.LZ }) {
    const logins = parseLogins(state.get(LOGIN_STATE));
    if (!logins.some(l => l.builder === login.builder && l.registry === login.registry))
        logins.push(login);
    state.save(LOGIN_STATE, JSON.stringify(logins));
}
async function logoutRegistries(deps) {
    const logins = parseLogins((deps.getState ?? core/* getState */.Gu)(LOGIN_STATE));
    for (const { builder, registry } of logins) {
        try {
            const result = await deps.exec.run(builder, logoutArgs(registry), {
                ...(deps.env !== undefined && { env: deps.env })
            });
            if (result.exitCode !== 0) {
                core/* warning */.$e(`could not log ${builder} out of ${registry} (exit ${result.exitCode})`);
            }
        }
        catch (error) {
            core/* warning */.$e(`could not log ${builder} out of ${registry}: ${error instanceof Error ? error.message : String(error)}`);
        }
    }
}

;// CONCATENATED MODULE: ./lib/image/platform.js

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const ECS_ARCHITECTURES = {
    X86_64: 'linux/amd64',
    ARM64: 'linux/arm64'
};
const DEFAULT_PLATFORM = 'linux/amd64';
/** Syntax only: `os/arch[/variant]`, such as linux/amd64 or linux/arm/v7. */
function checkPlatformSyntax(platforms) {
    for (const platform of platforms) {
        if (!PLATFORM.test(platform)) {
            throw new errors/* ActionError */.lZ(`input platforms: "${platform}" is not a platform (give os/arch such as linux/amd64 or linux/arm64)`);
        }
    }
}
/** The platform the task definition needs, or undefined when it does not say. */
function taskPlatform(runtimePlatform) {
    const arch = runtimePlatform?.cpuArchitecture;
    return arch === undefined ? undefined : ECS_ARCHITECTURES[arch];
}
/**
 * The platforms to build. Empty input: the task definition's (else linux/amd64). Given: at least
 * one of them must be what the task definition runs on, or the deploy could never start.
 */
function choosePlatforms(requested, runtimePlatform) {
    checkPlatformSyntax(requested);
    const needed = taskPlatform(runtimePlatform);
    if (requested.length === 0)
        return [needed ?? DEFAULT_PLATFORM];
    if (needed !== undefined && !requested.some(p => p === needed || p.startsWith(`${needed}/`))) {
        const arch = runtimePlatform?.cpuArchitecture ?? '';
        throw new errors/* ActionError */.lZ(`input platforms: the task definition runs on ${arch} (${needed}), but the image would be built ` +
            `for ${requested.join(', ')}; set platforms to ${needed}, or change runtimePlatform.cpuArchitecture`);
    }
    return [...requested];
}

;// CONCATENATED MODULE: ./lib/image/validate.js
// Checks of the build inputs that need no AWS call: the files exist, the secrets are in the
// environment, the platforms are well formed. They run first, so a typo fails in a second
// instead of after a login and half a build.




function kind(path) {
    try {
        const stat = (0,external_node_fs_.statSync)(path);
        return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other';
    }
    catch {
        return 'missing';
    }
}
function validateImageInputs(build, env = process.env) {
    parseRepositoryReference(build.ecrRepository);
    const context = kind(build.buildContext);
    if (context === 'missing') {
        throw new errors/* ActionError */.lZ(`input build-context: "${build.buildContext}" does not exist`);
    }
    if (context !== 'directory') {
        throw new errors/* ActionError */.lZ(`input build-context: "${build.buildContext}" is not a directory`);
    }
    const dockerfile = kind(build.dockerfile);
    if (dockerfile !== 'file') {
        throw new errors/* ActionError */.lZ(`input dockerfile: "${build.dockerfile}" ${dockerfile === 'missing' ? 'does not exist' : 'is not a file'}` +
            ' (an empty dockerfile input means Dockerfile in build-context)');
    }
    for (const [id, name] of build.buildSecrets) {
        if (env[name] === undefined) {
            throw new errors/* ActionError */.lZ(`input build-secrets: secret "${id}" reads the environment variable ${name}, which is not set; add it to the step's env`);
        }
    }
    checkPlatformSyntax(build.platforms);
    if (build.builder === 'buildah' && build.platforms.length > 1) {
        throw new errors/* ActionError */.lZ(`input platforms: builder buildah builds one platform per run, got ${build.platforms.join(', ')}; use builder docker for a multi-platform image`);
    }
}

;// CONCATENATED MODULE: ./lib/image/build.js
// The image phase: find the repository, reuse the tag when it is already there, otherwise log in,
// build, push, and return the digest that was pushed. The order matters: every check that needs
// no AWS call runs first, the token is masked before anything could print it, and the platform is
// checked before a minute of building.














function failed(what, result) {
    const tail = lastLines(result.stderr || result.stdout, 5);
    throw new errors/* ActionError */.lZ(`${what} failed (exit ${result.exitCode})${tail.length > 0 ? `:\n${tail.join('\n')}` : ''}`);
}
async function buildWithDocker(exec, plan, dir, env) {
    const metadataFile = (0,external_node_path_.join)(dir, 'metadata.json');
    const result = await exec.run('docker', dockerBuildArgs(plan, metadataFile), { ...(env && { env }) });
    if (result.exitCode !== 0)
        failed('docker buildx build', result);
    return digestFromDockerMetadata((0,external_node_fs_.readFileSync)(metadataFile, 'utf8'));
}
async function buildWithBuildah(exec, plan, dir, env) {
    const settings = buildahSettings(env);
    const build = await exec.run('buildah', buildahBuildArgs(plan, settings), { env });
    if (build.exitCode !== 0)
        failed('buildah bud', build);
    const digests = [];
    for (const [index, reference] of imageReferences(plan).entries()) {
        const digestFile = (0,external_node_path_.join)(dir, `digest-${index}`);
        const push = await exec.run('buildah', buildahPushArgs(reference, digestFile, plan.insecureRegistry, settings), { env });
        if (push.exitCode !== 0)
            failed(`buildah push ${reference}`, push);
        digests.push(digestFromBuildahDigestFile((0,external_node_fs_.readFileSync)(digestFile, 'utf8')));
    }
    // Every tag is the same local image, so every push must name the same manifest.
    if (new Set(digests).size > 1) {
        throw new errors/* ActionError */.lZ(`buildah pushed different digests for the tags of one image: ${digests.join(', ')}`);
    }
    return digests[0];
}
function buildPlan(build, repository, platforms) {
    return {
        repository: repository.uri,
        tags: [build.imageTag, ...build.extraTags.filter(tag => tag !== build.imageTag)],
        dockerfile: build.dockerfile,
        context: build.buildContext,
        buildArgs: build.buildArgs,
        secrets: build.buildSecrets,
        ...(build.buildTarget !== undefined && { target: build.buildTarget }),
        platforms,
        cache: build.cache,
        insecureRegistry: isLoopbackRegistry(repository.registry)
    };
}
async function buildAndPushImage(build, deps) {
    const env = deps.env ?? process.env;
    const clock = deps.clock ?? util_clock/* systemClock */.m;
    const mask = deps.mask ?? core/* setSecret */.Pq;
    validateImageInputs(build, env);
    const platforms = choosePlatforms(build.platforms, deps.runtimePlatform);
    if (build.builder === 'buildah' && build.cache === 'gha') {
        core/* warning */.$e('input cache: `gha` is a BuildKit cache that buildah cannot use; buildah uses its local layer cache');
    }
    const repository = await resolveRepository(deps.ecr, deps.sts, parseRepositoryReference(build.ecrRepository), deps.region);
    core/* info */.pq(`repository: ${repository.uri}`);
    const result = (digest, imageBuilt) => ({
        imageUri: imageUriWithDigest(repository.uri, digest),
        imageDigest: digest,
        imageTag: build.imageTag,
        imageBuilt,
        builder: build.builder,
        platforms
    });
    if (build.skipBuildIfExists) {
        const existing = await digestOfTag(deps.ecr, repository, build.imageTag);
        if (existing !== undefined) {
            core/* info */.pq(`${repository.uri}:${build.imageTag} is already in ECR (${existing}); skip-build-if-exists is on, so nothing is built`);
            if (build.extraTags.length > 0) {
                core/* warning */.$e(`input extra-tags: not applied, because the build was skipped (${build.extraTags.join(', ')})`);
            }
            return result(existing, false);
        }
    }
    const credentials = await registryCredentials(deps.ecr, mask, repository.registryId);
    const insecure = isLoopbackRegistry(repository.registry);
    (deps.recordLogin ?? recordLogin)({ builder: build.builder, registry: repository.registry });
    const login = await deps.exec.run(build.builder, loginArgs(build.builder, repository.registry, insecure, credentials.username), { input: credentials.password, env });
    if (login.exitCode !== 0)
        failed(`${build.builder} login to ${repository.registry}`, login);
    const plan = buildPlan(build, repository, platforms);
    core/* info */.pq(`building ${imageReferences(plan).join(', ')} for ${platforms.join(', ')} with ${build.builder}`);
    const started = clock.now();
    const dir = (0,external_node_fs_.mkdtempSync)((0,external_node_path_.join)(env.RUNNER_TEMP || (0,external_node_os_.tmpdir)(), 'ecs-ship-image-'));
    try {
        const digest = build.builder === 'docker'
            ? await buildWithDocker(deps.exec, plan, dir, env)
            : await buildWithBuildah(deps.exec, plan, dir, env);
        core/* info */.pq(`pushed ${repository.uri}@${digest} in ${Math.round((clock.now() - started) / 1000)}s`);
        return result(digest, true);
    }
    finally {
        (0,external_node_fs_.rmSync)(dir, { recursive: true, force: true });
    }
}

;// CONCATENATED MODULE: ./lib/image/index.js









/**
 * PhaseHooks.buildImage. An ECR URI in another region is pushed to with an ECR client of that
 * region (the token of one region does not open another's registry).
 */
async function imagePhase(inputs, context, exec = createExec()) {
    const build = inputs.build;
    if (build === undefined)
        throw new errors/* ActionError */.lZ('input ecr-repository: is empty, so there is nothing to build');
    const reference = parseRepositoryReference(build.ecrRepository);
    const region = reference.kind === 'uri' && reference.ecr ? reference.ecr.region : inputs.region;
    const clients = region === context.clients.region ? context.clients : (0,aws_clients/* createAwsClients */.G)(region);
    const runtimePlatform = context.taskDefinition.taskDefinition.runtimePlatform;
    return buildAndPushImage(build, {
        ecr: await clients.ecr(),
        sts: await clients.sts(),
        exec,
        region,
        ...(runtimePlatform !== undefined && { runtimePlatform })
    });
}
/** For postCleanups in src/main.ts. */
const imageLogoutCleanup = {
    name: 'log out of the image registry',
    run: () => logoutRegistries({ exec: createExec() })
};


/***/ })

};
