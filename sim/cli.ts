// `npm run sim -- --port 4566 [--fixture django-web] [--time-scale 1] [--registry-url URL]`
import { parseArgs } from 'node:util'
import { startSimulator } from './index.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4566' },
    fixture: { type: 'string', default: 'django-web' },
    'time-scale': { type: 'string', default: '1' },
    'registry-url': { type: 'string' }
  }
})

const sim = await startSimulator({
  port: Number(values.port),
  fixture: values.fixture,
  timeScale: Number(values['time-scale']),
  registryUrl: values['registry-url']
})
console.log(`AWS simulator listening on ${sim.url} (fixture ${values.fixture})`)
console.log(
  `  export AWS_ENDPOINT_URL=${sim.url} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1`
)
const stop = () => {
  void sim.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
