/**
 * Markdown for text that comes from a crashed program. Nothing in it may become markup, HTML,
 * a link or a mention: inline values go into code spans, long text into fenced blocks whose fence
 * is longer than any backtick run inside, and prose is backslash-escaped with `@` broken.
 */

/** Control characters other than tab and newline, which have no business in a report. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g

function longestBacktickRun(text: string): number {
  let longest = 0
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length)
  return longest
}

/** An inline code span holding `text` verbatim on one line; safe inside a table cell too. */
export function code(text: string): string {
  const flat = text
    .replace(CONTROL, '\ufffd')
    .replace(/\r\n|\r|\n/g, '⏎')
    .replace(/\t/g, ' ')
  if (flat === '') return '` `'
  // In a table a `|` ends the cell even inside a code span, unless it is escaped.
  const cell = flat.replace(/\|/g, '\\|')
  const fence = '`'.repeat(longestBacktickRun(cell) + 1)
  const pad = cell.startsWith('`') || cell.endsWith('`') || /^ .* $/.test(cell) ? ' ' : ''
  return `${fence}${pad}${cell}${pad}${fence}`
}

/** A fenced code block holding `text` verbatim. */
export function codeBlock(text: string, language = 'text'): string {
  const clean = text.replace(CONTROL, '\ufffd').replace(/\r\n?/g, '\n')
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(clean) + 1))
  return `${fence}${language}\n${clean}${clean.endsWith('\n') ? '' : '\n'}${fence}`
}

/** Plain text as markdown prose: punctuation escaped, HTML inert, nobody mentioned. */
export function escape(text: string): string {
  return text
    .replace(CONTROL, '\ufffd')
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '@\u2060')
}

/** A link whose text is shown as code and whose URL is built from encoded parts only. */
export function codeLink(text: string, url: string): string {
  return `[${code(text)}](${url})`
}

/** Encodes each segment of a relative path for use in a markdown link's URL. */
export function encodePath(path: string): string {
  // encodeURIComponent leaves ( ) ' ! * alone; an unbalanced ) would end the markdown link.
  const encode = (segment: string) =>
    encodeURIComponent(segment).replace(
      /[()'!*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
    )
  return path.split('/').map(encode).join('/')
}

/** Cuts `text` to at most `max` characters, saying so at the end. */
export function cut(text: string, max: number, note = '… (cut)'): string {
  if (text.length <= max) return text
  return text.slice(0, Math.max(0, max - note.length - 1)) + '\n' + note
}
