import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../toolchain/paths';
import { markdownFiles } from '../helpers/project-files';

/** The text outside fenced code blocks, where `](…)` is a link rather than code. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's heading anchor: lowercase, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(markdown: string): Set<string> {
  return new Set([...prose(markdown).matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!)));
}

/** Relative links (and #anchors into Markdown pages) of `markdown` that lead nowhere. */
function brokenLinks(file: string, markdown: string, read = (path: string) => readFileSync(path, 'utf8')): string[] {
  const broken: string[] = [];
  for (const [, target] of prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue;
    const [path, anchor] = target!.split('#') as [string, string | undefined];
    const resolved = path === '' ? file : resolve(dirname(file), path);
    if (path !== '' && !existsSync(resolved)) {
      broken.push(target!);
      continue;
    }
    if (anchor && resolved.endsWith('.md') && !anchors(path === '' ? markdown : read(resolved)).has(anchor)) broken.push(target!);
  }
  return broken;
}

describe('README and docs', () => {
  it('have no relative link to a missing file or heading', () => {
    const broken = markdownFiles().flatMap((file) =>
      brokenLinks(file, readFileSync(file, 'utf8')).map((target) => `${relative(PROJECT_ROOT, file)}: ${target}`),
    );
    expect(broken).toEqual([]);
  });

  it('name only npm scripts that package.json defines', () => {
    const { scripts } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const unknown = markdownFiles().flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/npm run ([\w:-]+)/g)]
        .map((m) => m[1]!)
        .filter((name) => !(name in scripts))
        .map((name) => `${relative(PROJECT_ROOT, file)}: npm run ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('README stays a front door of at most 250 lines', () => {
    expect(readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(250);
  });

  it('the link check finds a missing file and a missing heading, and ignores code and URLs', () => {
    const file = join(PROJECT_ROOT, 'docs', 'page.md');
    const markdown = [
      '# Page',
      '## Known heading',
      '[ok](../README.md) [ok](#known-heading) [web](https://example.com/x.md)',
      '[gone](no-such-page.md) [gone](#no-such-heading) [gone](../README.md#no-such-heading)',
      '```',
      '[code](not-a-link.md)',
      '```',
    ].join('\n');
    expect(brokenLinks(file, markdown)).toEqual(['no-such-page.md', '#no-such-heading', '../README.md#no-such-heading']);
  });
});
