// Placeholder until the orchestrator lands (owned by the core deploy work).
export async function run(): Promise<void> {}
export async function runPost(): Promise<void> {}
