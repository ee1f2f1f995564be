// Names, tags and the input checks of a preview environment. Pure: the same inputs always give
// the same names, which is what lets a later push (or preview-destroy) find what an earlier run
// created without any state of its own.
import { createHash } from 'node:crypto'
import type { Inputs } from '../inputs.js'
import { ActionError } from '../errors.js'

export const TAG_PREVIEW_ID = 'ecs-ship:preview-id'
export const TAG_BASE_SERVICE = 'ecs-ship:base-service'
export const TAG_CLUSTER = 'ecs-ship:cluster'
export const TAG_MANAGED_BY = 'ecs-ship:managed-by'
export const MANAGED_BY = 'ecs-ship'

/** ELB's limit for target group names. */
export const TARGET_GROUP_NAME_MAX = 32
const HASH_LENGTH = 7

/** A preview id ends up in a service name, a target group name and a host name. */
const PREVIEW_ID = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/

export type PreviewRoute =
  { readonly kind: 'host'; readonly host: string } | { readonly kind: 'path'; readonly path: string }

export interface PreviewSettings {
  readonly id: string
  readonly listenerArn: string
  readonly route: PreviewRoute
}

function fail(input: string, problem: string): never {
  throw new ActionError(`input ${input}: ${problem}`)
}

/** The last segment of a name-or-ARN (`arn:…:service/demo/web` → `web`). */
export function nameOf(nameOrArn: string): string {
  return nameOrArn.split('/').pop() ?? nameOrArn
}

/**
 * The preview-id input, checked the same way by preview and preview-destroy: an id that preview
 * would refuse can name nothing preview created, so preview-destroy refuses it too instead of
 * finding nothing and passing while the preview meant (a typo away) keeps running.
 */
export function checkPreviewId(raw: string | undefined): string {
  const id = raw?.trim() ?? ''
  if (id === '')
    fail('preview-id', 'is empty and there is no pull request number to default to; set preview-id')
  if (!PREVIEW_ID.test(id))
    fail(
      'preview-id',
      `"${id}" must be 1 to 32 letters, digits or hyphens, not starting or ending with a hyphen`
    )
  return id
}

/** A host name ALB matches literally: no * or ? (a wildcard host would catch other previews' traffic). */
const HOST = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/

/**
 * Checks the preview inputs and fills the template. Runs before any AWS call, so a typo fails
 * the run with the input's name and nothing created.
 */
export function previewSettings(preview: Inputs['preview']): PreviewSettings {
  const listenerArn = preview.listenerArn?.trim() ?? ''
  if (listenerArn === '')
    fail('listener-arn', 'is required in preview mode (the ARN of the shared ALB listener)')
  const id = checkPreviewId(preview.id)
  const host = preview.host?.trim() ?? ''
  const path = preview.path?.trim() ?? ''
  if (host !== '' && path !== '')
    fail('preview-host', 'cannot be combined with preview-path: a preview is reached by host or by path')
  if (host === '' && path === '')
    fail(
      'preview-host',
      'or preview-path is required in preview mode (such as pr-{id}.preview.example.com or /pr-{id})'
    )
  if (host !== '') {
    // Without {id} every pull request would ask for the same host and the rules would shadow each other.
    if (!host.includes('{id}'))
      fail('preview-host', `"${host}" must contain {id}, such as pr-{id}.preview.example.com`)
    const filled = host.replaceAll('{id}', id).toLowerCase()
    if (filled.length > 128 || !HOST.test(filled))
      fail(
        'preview-host',
        `"${filled}" is not a valid host name (letters, digits, dots and hyphens, at most 128; no * or ?)`
      )
    return { id, listenerArn, route: { kind: 'host', host: filled } }
  }
  if (!path.includes('{id}')) fail('preview-path', `"${path}" must contain {id}, such as /pr-{id}`)
  if (!path.startsWith('/')) fail('preview-path', `"${path}" must start with /`)
  const filled = path.replaceAll('{id}', id).replace(/\/+$/, '')
  // The longer of the two patterns is `<path>/*`; ALB allows 128 characters.
  if (filled === '' || filled.length + 2 > 128 || !/^[A-Za-z0-9_\-.$/~"'@:+&()!,;=]+$/.test(filled))
    fail('preview-path', `"${filled}" is not a valid path prefix (at most 126 characters, no * or ?)`)
  return { id, listenerArn, route: { kind: 'path', path: filled } }
}

/**
 * The preview's own task-definition family: its revisions never mix with the base's, so a
 * rollback of the base to "previous" can never pick a pull request's revision.
 */
export function previewFamily(baseFamily: string, id: string): string {
  return `${baseFamily}-pr-${id}`
}

export function previewServiceName(baseService: string, id: string): string {
  return `${nameOf(baseService)}-pr-${id}`
}

/**
 * A target group name within ELB's 32 characters: a readable prefix (the base service and the
 * id, cut to fit) and a short hash of cluster/service/id, so two previews whose prefixes cut to
 * the same text still get different names, and the same preview always gets the same name.
 */
export function previewTargetGroupName(cluster: string, baseService: string, id: string): string {
  const hash = createHash('sha256')
    .update(`${nameOf(cluster)}/${nameOf(baseService)}/${id}`)
    .digest('hex')
    .slice(0, HASH_LENGTH)
  const readable = `${nameOf(baseService)}-pr-${id}`
    .replace(/[^A-Za-z0-9]+/g, '-')
    .slice(0, TARGET_GROUP_NAME_MAX - HASH_LENGTH - 1)
    .replace(/^-+|-+$/g, '')
  return readable === '' ? `pr-${hash}` : `${readable}-${hash}`
}

export interface PreviewTags {
  readonly [TAG_PREVIEW_ID]: string
  readonly [TAG_BASE_SERVICE]: string
  readonly [TAG_CLUSTER]: string
  readonly [TAG_MANAGED_BY]: string
}

export function previewTags(cluster: string, baseService: string, id: string): PreviewTags {
  return {
    [TAG_PREVIEW_ID]: id,
    [TAG_BASE_SERVICE]: nameOf(baseService),
    [TAG_CLUSTER]: nameOf(cluster),
    [TAG_MANAGED_BY]: MANAGED_BY
  }
}

/** Tags as ELB spells them (`Key`/`Value`) or ECS (`key`/`value`); both are accepted here. */
export type AnyTag =
  { readonly Key?: string; readonly Value?: string } | { readonly key?: string; readonly value?: string }

function tagMap(tags: readonly AnyTag[] | undefined): Map<string, string> {
  const map = new Map<string, string>()
  for (const tag of tags ?? []) {
    const key = 'Key' in tag ? tag.Key : 'key' in tag ? tag.key : undefined
    const value = 'Key' in tag ? tag.Value : 'key' in tag ? tag.value : undefined
    if (key !== undefined) map.set(key, value ?? '')
  }
  return map
}

/** True when the tags mark the resource as this preview's (every one of our tags, same value). */
export function isOurs(tags: readonly AnyTag[] | undefined, ours: PreviewTags): boolean {
  const have = tagMap(tags)
  return Object.entries(ours).every(([key, value]) => have.get(key) === value)
}
