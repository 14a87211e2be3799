import { describe, expect, it } from '@jest/globals'
import { code, codeBlock, cut, encodePath, escape } from '../src/report/markdown.js'

describe('markdown', () => {
  it('puts text in a code span longer than any backtick run inside', () => {
    expect(code('sum_list')).toBe('`sum_list`')
    expect(code('a ``b`` c')).toBe('```a ``b`` c```')
    expect(code('`edge`')).toBe('`` `edge` ``')
  })

  it('keeps a code span on one line and inside its table cell', () => {
    expect(code('a\nb|c')).toBe('`a⏎b\\|c`')
  })

  it('fences a block with more backticks than it contains', () => {
    const block = codeBlock('x\n````\ny')
    expect(block.startsWith('`````text\n')).toBe(true)
    expect(block.endsWith('\n`````')).toBe(true)
  })

  it('makes prose inert: no markup, no HTML, no mention', () => {
    const text = escape('**bold** <script>alert(1)</script> [x](http://e) @someone')
    expect(text).not.toMatch(/<script>/)
    expect(text).toContain('\\*\\*bold\\*\\*')
    expect(text).toContain('\\[x\\]\\(http://e\\)')
    expect(text).toContain('@\u2060someone')
  })

  it('removes control characters and bidi overrides', () => {
    expect(code('a\u0007b\u202ec')).toBe('`a\ufffdb\ufffdc`')
  })

  it('encodes each path segment for a URL', () => {
    expect(encodePath('src/a b/(x).c')).toBe('src/a%20b/%28x%29.c')
  })

  it('cuts long text with a note', () => {
    const text = cut('x'.repeat(100), 50, '[cut]')
    expect(text.length).toBeLessThanOrEqual(50)
    expect(text.endsWith('[cut]')).toBe(true)
  })
})
