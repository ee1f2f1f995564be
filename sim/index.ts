// The local AWS simulator: one HTTP port on 127.0.0.1 answers ECS, ECR, CloudWatch Logs, CodeDeploy
// (awsJson1_1) and Elastic Load Balancing v2, STS (awsQuery), so the real SDK clients reach it through
// AWS_ENDPOINT_URL. A small control API under /__sim/ loads fixtures, sets behaviours and faults,
// and reads the state, the call log and the milestones. sim/README.md shows how it is laid out.
export { startSimulator } from './server/http.js'
export type { RunningSimulator, SimulatorOptions } from './contract.js'
