// The action's entry point: the runner calls dist/index.js once as the main step and once
// more as the post step (action.yml `post:`); core's saved state tells the two apart.
import * as core from '@actions/core'
import { run, runPost } from './main.js'

if (core.getState('isPost') === 'true') {
  await runPost()
} else {
  core.saveState('isPost', 'true')
  await run()
}
