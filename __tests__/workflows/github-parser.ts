// GitHub's own workflow parser (@actions/workflow-parser, the one behind GitHub's Actions
// language service): the workflow schema (keys, allowed values), expressions and the contexts
// each place allows, and, for a job that calls one of our reusable workflows, that workflow's
// `workflow_call` contract (unknown or missing inputs and secrets). Our reusable workflows are
// read from this checkout, whichever ref a caller names; any other repository is "not found".
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser'
import type { FileProvider } from '@actions/workflow-parser/workflows/file-provider'
import type { FileReference } from '@actions/workflow-parser/workflows/file-reference'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { OWN_REPOSITORY, ROOT } from './checks.js'

/** The path in this checkout that a reference resolves to; undefined for another repository. */
export function localPathOf(reference: FileReference): string | undefined {
  if (!('repository' in reference)) return reference.path
  return `${reference.owner}/${reference.repository}` === OWN_REPOSITORY ? reference.path : undefined
}

function fileProvider(root: string): FileProvider {
  return {
    getFileContent: async (reference: FileReference) => {
      const path = localPathOf(reference)
      if (path === undefined) throw new Error(`not one of ours: ${JSON.stringify(reference)}`)
      return { name: path, content: readFileSync(join(root, path), 'utf8') }
    }
  }
}

/** Every error GitHub's parser reports for the file, as "<path> (Line: n, Col: m): message". */
export async function githubParserErrors(path: string, root = ROOT): Promise<string[]> {
  const parsed = parseWorkflow(
    { name: path, content: readFileSync(join(root, path), 'utf8') },
    new NoOperationTraceWriter()
  )
  if (parsed.value !== undefined) {
    await convertWorkflowTemplate(parsed.context, parsed.value, fileProvider(root), {
      fetchReusableWorkflowDepth: 1
    })
  }
  return parsed.context.errors.getErrors().map(error => error.message)
}
