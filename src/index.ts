// The action's entry point: the runner calls dist/index.js once as the main step and once
// more as the post step (action.yml `post:`); the state the main step saved tells the two apart.
import { run, runPost } from './main.js'
import { isPostStep, markMainStepStarted } from './state.js'

if (isPostStep()) {
  await runPost()
} else {
  markMainStepStarted()
  await run()
}
