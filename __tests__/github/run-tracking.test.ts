// The deployment task that keeps each pull request's preview apart in the one environment.
import { previewTask } from '../../src/github/run-tracking.js'

describe('previewTask', () => {
  it("names the preview in GitHub's task form (deploy:<what>)", () => {
    expect(previewTask('42')).toBe('deploy:preview-42')
    expect(previewTask('feature-x')).toBe('deploy:preview-feature-x')
  })
})
