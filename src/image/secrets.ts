// The values passed to the builder as build secrets, masked before the build starts: a RUN step
// that echoes one (or a tool that prints its environment) then shows `***`. The runner hides a
// masked value only where all of it appears on one line, so a value with line breaks (a key file)
// is masked whole and line by line, as the runner does with the job's own secrets.

/** Every value to mask for these build secrets (id → environment variable name), once each. */
export function buildSecretMasks(
  secrets: ReadonlyMap<string, string>,
  env: Readonly<Record<string, string | undefined>>
): string[] {
  const masks = new Set<string>()
  for (const name of secrets.values()) {
    const value = env[name]
    if (value === undefined) continue
    // The runner refuses to mask white space alone (and warns), so blank lines are left out.
    if (value.trim() !== '') masks.add(value)
    const lines = value.split(/\r\n|\r|\n/).map(line => line.trim())
    if (lines.length > 1) for (const line of lines) if (line !== '') masks.add(line)
  }
  return [...masks]
}
