/**
 * What of a job summary or comment renders as markdown: the text left once its code spans and
 * fenced `text` blocks (which render literally) are taken out. Hostile strings must not reach it
 * as markup.
 */
export function prose(markdown: string): string {
  return markdown
    .replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '')
    .replace(/(`+)(?:[^`]|(?!\1)`+)*?\1(?!`)/g, '')
}
