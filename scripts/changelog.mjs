// Prints one version's section of CHANGELOG.md (its body, without the heading): the release
// notes of that version. Usage: node scripts/changelog.mjs 1.2.3 [CHANGELOG.md]
// Exits with 1 and says why when the version has no section or an empty one.
import { readFileSync } from 'node:fs'

/**
 * The body of the `## [version]` section of a changelog's text, trimmed; null when there is no
 * such section.
 * @param {string} text
 * @param {string} version
 * @returns {string | null}
 */
export function changelogSection(text, version) {
  const lines = text.split('\n')
  const heading = new RegExp(`^## \\[${version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]`)
  const start = lines.findIndex((line) => heading.test(line))
  if (start < 0) return null
  const end = lines.findIndex((line, i) => i > start && /^## /.test(line))
  return lines
    .slice(start + 1, end < 0 ? lines.length : end)
    .join('\n')
    .trim()
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [version, file = new URL('../CHANGELOG.md', import.meta.url).pathname] =
    process.argv.slice(2)
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
    console.error('usage: node scripts/changelog.mjs <major.minor.patch> [CHANGELOG.md]')
    process.exit(2)
  }
  const section = changelogSection(readFileSync(file, 'utf8'), version)
  if (!section) {
    console.error(`${file} has no section for ${version} (a "## [${version}] - <date>" heading)`)
    process.exit(1)
  }
  process.stdout.write(section + '\n')
}
