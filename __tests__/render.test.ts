import { describe, expect, it } from '@jest/globals'
import { groupCrashes } from '../src/analyze/group.js'
import { MAX_ANNOTATIONS, renderAnnotations } from '../src/report/annotations.js'
import { renderSummary, sourceLinksFromEnv } from '../src/report/summary.js'
import { analysis, frame } from '../__fixtures__/analysis.js'
import { prose } from '../__fixtures__/markdown.js'
import type { Analysis } from '../src/analyze/analysis.js'

const links = { server: 'https://github.com', repository: 'o/r', sha: 'abc1234' }

function located(fn: string, pid = 100, path = 'src/app.c', line = 7): Analysis {
  const f = frame({ level: 0, function: fn, projectPath: path, line, fullname: `/ws/${path}` })
  return analysis(
    [f, frame({ level: 1, function: 'main', projectPath: path, line: 30 })],
    {
      blame: { frame: f, path, line, kind: 'line' }
    },
    { pid }
  )
}

describe('render', () => {
  it('annotates each group once at its blamed line, most frequent first', () => {
    const groups = groupCrashes([located('rare', 1), located('boom', 2), located('boom', 3)], null)
    const annotations = renderAnnotations(groups)
    expect(annotations).toHaveLength(2)
    expect(annotations[0]).toMatchObject({
      title: 'SIGSEGV in boom() — app, 2 crashes',
      file: 'src/app.c',
      startLine: 7
    })
    expect(annotations[0]!.message).toContain('#0 boom at src/app.c:7')
  })

  it('keeps annotations within GitHub limits and omits the file when nothing is in the project', () => {
    const many = Array.from({ length: 25 }, (_, i) => located(`f${i}`, i))
    expect(renderAnnotations(groupCrashes(many, null))).toHaveLength(MAX_ANNOTATIONS)
    const deep = analysis(
      Array.from({ length: 500 }, (_, i) => frame({ level: i, function: 'x'.repeat(100) })),
      {
        blame: null
      }
    )
    const [annotation] = renderAnnotations(groupCrashes([deep], null))
    expect(annotation!.file).toBeUndefined()
    expect(annotation!.message.length).toBeLessThanOrEqual(4096)
  })

  it('renders a summary with a headline and source links at the commit', () => {
    const md = renderSummary(groupCrashes([located('boom', 1), located('boom', 2)], null), links)
    expect(md).toContain('## 💥 crash-capture: 2 crashes in 1 group, 1 executable')
    expect(md).toContain('[`src/app.c:7`](https://github.com/o/r/blob/abc1234/src/app.c#L7)')
    expect(md).toContain('<details><summary>Full backtrace')
  })

  it('says nothing crashed for zero groups', () => {
    expect(renderSummary([], links)).toContain('No crash was found')
  })

  it('stays under the size limit whatever the number of crashes', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      located(`function_${i}`, i, 'src/app.c', 7)
    ).map((a) => ({ ...a, text: 'y'.repeat(60_000) }))
    const md = renderSummary(groupCrashes(many, null), links)
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(1024 * 1024)
    expect(md).toMatch(/more group\(s\) are not shown/)
  })

  it('renders hostile names as inert text', () => {
    const hostile = located('boom', 1)
    hostile.crash.executablePath = '/ws/bin/`::error::x` @someone <script>'
    hostile.crash.commandLine = ['./x', '::set-env name=A::b', '|table|']
    hostile.text = '```\n@everyone <img src=x>\n```'
    const md = renderSummary(groupCrashes([hostile], null), links)
    // Code spans and fenced blocks render literally; outside them nothing may be markup.
    expect(prose(md)).not.toMatch(/<script|<img|@someone|@everyone/)
    expect(prose(md)).toContain('&lt;script&gt;')
    expect(md).toContain('\\|table\\|')
    expect(md).toMatch(/````text\n```\n@everyone/)
  })

  it('reads source link settings only when they are well formed', () => {
    expect(
      sourceLinksFromEnv({
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_SHA: 'abcdef1'
      })
    ).toEqual({
      server: 'https://github.com',
      repository: 'o/r',
      sha: 'abcdef1'
    })
    expect(
      sourceLinksFromEnv({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r' })
    ).toBeNull()
    expect(
      sourceLinksFromEnv({
        GITHUB_SERVER_URL: 'javascript:alert(1)',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_SHA: 'abcdef1'
      })
    ).toBeNull()
  })
})
