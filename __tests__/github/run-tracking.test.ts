// The deployment task that keeps each pull request's preview apart in the one environment.
import { deploymentState, previewTask } from '../../src/github/run-tracking.js'

describe('previewTask', () => {
  it("names the preview in GitHub's task form (deploy:<what>)", () => {
    expect(previewTask('42')).toBe('deploy:preview-42')
    expect(previewTask('feature-x')).toBe('deploy:preview-feature-x')
  })
})

describe('deploymentState', () => {
  it('leaves the GitHub Deployment in progress while it waits for approval, else success or failure', () => {
    expect(deploymentState({ succeeded: true, waiting: true })).toBe('in_progress')
    expect(deploymentState({ succeeded: true })).toBe('success')
    expect(deploymentState({ succeeded: false, waiting: true })).toBe('failure')
  })
})
