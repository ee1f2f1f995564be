// mode: preview-destroy. Removes exactly what `preview` created for one pull request (its listener
// rule, service and target group, found by their tags), and nothing else.
import * as core from '@actions/core'
import type { Inputs } from '../inputs.js'
import type { Run } from '../pipeline/context.js'
import { destroyPreviewPhase, previewToDestroy } from '../pipeline/preview.js'

export async function previewDestroyMode(inputs: Inputs, run: Run): Promise<void> {
  const report = run.state.report
  const preview = previewToDestroy(inputs)
  if (inputs.dryRun) {
    report.status = 'dry-run'
    report.reason = `dry run: would delete preview ${preview.id} of ${inputs.service} (its listener rule, service and target group); nothing was changed`
    core.info(report.reason)
    return
  }
  const destroyed = await destroyPreviewPhase(inputs, run, preview)
  const removed = [
    ...destroyed.rules.map(() => 'listener rule'),
    ...(destroyed.service ? [`service ${destroyed.service}`] : []),
    ...destroyed.targetGroups.map(() => 'target group')
  ]
  report.status = 'succeeded'
  report.reason =
    removed.length === 0
      ? `preview ${preview.id} of ${inputs.service}: nothing to delete (already destroyed)`
      : `preview ${preview.id} of ${inputs.service} destroyed: ${removed.join(', ')}`
  core.info(report.reason)
}
