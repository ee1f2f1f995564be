// The one place inputs are read and validated. Everything downstream receives this readonly
// object. Defaults live only in action.yml (the runner applies them; the test harness applies
// them the same way), so nothing here repeats a default.
//
// TODO(core): implement getInputs() with validation; every error names the input.

export type Mode = 'deploy' | 'rollback' | 'preview' | 'preview-destroy'
export type Builder = 'docker' | 'buildah'
export type CacheMode = 'registry' | 'gha' | 'none'
export type WaitUntil = 'succeeded' | 'ready'

/** One migrate line, already split into argv. */
export type Command = readonly string[]

export interface ImageInputs {
  /** Repository name or full URI; when set, the build phase runs. */
  readonly ecrRepository: string
  /** Tag for the built image (defaults to GITHUB_SHA in getInputs). */
  readonly imageTag: string
  readonly extraTags: readonly string[]
  readonly buildContext: string
  /** Resolved path to the Dockerfile (`<context>/Dockerfile` when the input is empty). */
  readonly dockerfile: string
  readonly buildArgs: ReadonlyMap<string, string>
  /** BuildKit secret id → name of the environment variable that holds it. */
  readonly buildSecrets: ReadonlyMap<string, string>
  readonly buildTarget?: string
  /** Empty: decided from the task definition's runtimePlatform. */
  readonly platforms: readonly string[]
  readonly builder: Builder
  readonly cache: CacheMode
  readonly skipBuildIfExists: boolean
}

export interface MigrateInputs {
  readonly commands: readonly Command[]
  /** Empty: the first container from container-name. */
  readonly container?: string
  readonly timeoutMinutes: number
}

export interface Inputs {
  readonly mode: Mode
  readonly cluster: string
  readonly service: string
  readonly region: string
  /** Path to a task-definition file; undefined: start from the service's current revision. */
  readonly taskDefinitionPath?: string
  /** Empty: the only essential container. */
  readonly containerNames: readonly string[]
  /** An existing image to deploy (mutually exclusive with image.ecrRepository). */
  readonly image?: string
  readonly environmentVariables: ReadonlyMap<string, string>
  readonly waitForServiceStability: boolean
  readonly waitForMinutes: number
  readonly rollbackOnFailure: boolean
  readonly desiredCount?: number
  readonly forceNewDeployment: boolean
  readonly dryRun: boolean

  /** Present only when ecr-repository is set. */
  readonly build?: ImageInputs
  /** Present only when migrate-command is set. */
  readonly migrate?: MigrateInputs

  readonly codedeploy: {
    readonly application?: string
    readonly deploymentGroup?: string
    readonly appspecPath?: string
    readonly deploymentConfig?: string
  }
  readonly waitUntil: WaitUntil

  readonly rollbackTo: string
  readonly preview: {
    readonly id?: string
    readonly listenerArn?: string
    readonly host?: string
    readonly path?: string
  }
  readonly github: {
    readonly token: string
    readonly environment?: string
    readonly environmentUrl?: string
  }
}
