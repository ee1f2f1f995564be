// Per-pull-request preview environments: `preview` plans and applies, `preview-destroy` removes.
export {
  planPreview,
  describePreviewPlan,
  choosePriority,
  keepOneRule,
  ourRules,
  preferredPriority,
  previewUrl,
  requireBaseService,
  ruleConditions
} from './plan.js'
export type { PreviewPlan, PreviewPlanInput, RuleRef, RuleStep, TaggedRule } from './plan.js'
export { loadPreviewInput, type PreviewDeps } from './load.js'
export { applyPreview, type PreviewResult } from './apply.js'
export { destroyPreview, type DestroyDeps, type DestroyResult, type PreviewBase } from './destroy.js'
export {
  checkPreviewId,
  previewSettings,
  previewFamily,
  previewServiceName,
  previewTargetGroupName,
  previewTags,
  isOurs,
  TAG_BASE_SERVICE,
  TAG_CLUSTER,
  TAG_MANAGED_BY,
  TAG_PREVIEW_ID
} from './names.js'
export { previewRevisionInput } from './revision.js'
