// Text from outside the action in Markdown (the job summary, the pull-request comment): shown as
// written, never read as Markdown or HTML, so it cannot leave its table cell, open a tag, draw a
// link or an image, or start a heading. Pure.

/**
 * Text for a table cell or a paragraph, shown as written: every character that could start
 * Markdown emphasis, a link, an image, inline code or HTML is escaped, `|` cannot end the cell,
 * and each line break (\r too) becomes <br>.
 */
export function markdownText(text: string): string {
  return text.replace(/[\\`*_~[\]<>&|]/g, '\\$&').replace(/\r\n|\r|\n/g, '<br>')
}

/** Text that starts a block (a list item, a quote): a leading `#`, `>`, `-`, `+`, `=` or `1.` stays text. */
export function markdownBlock(text: string): string {
  return markdownText(text.trimStart()).replace(/^(?:[#>+=-]|\d+(?=[.)]))/, match =>
    /^\d/.test(match) ? `${match}\\` : `\\${match}`
  )
}

/** Inline code that nothing inside can end: a longer run of backticks, `|` escaped, one line. */
export function markdownCode(text: string): string {
  const flat = text.replace(/\r\n|\r|\n/g, ' ').replace(/\|/g, '\\|')
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map(run => run.length))
  const ticks = '`'.repeat(longest + 1)
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : ''
  return `${ticks}${pad}${flat}${pad}${ticks}`
}
