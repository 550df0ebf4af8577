import { describe, expect, it } from 'vitest';
import { createProgress, renderProgress } from '../../src/cli/progress.ts';

describe('progress bar', () => {
  it('renders a bar with percentage and counts, or a plain count without a total', () => {
    expect(renderProgress('parse', 0, 10)).toBe('parse [------------------------]   0% 0/10');
    expect(renderProgress('parse', 5, 10)).toBe('parse [############------------]  50% 5/10');
    expect(renderProgress('parse', 12, 10)).toBe('parse [########################] 100% 12/10');
    expect(renderProgress('rows', 42)).toBe('rows 42');
  });

  it('writes nothing when stderr is not a TTY', () => {
    const written: string[] = [];
    const p = createProgress({ isTTY: false, err: (t) => void written.push(t) }, 'x', 3);
    p.tick();
    p.setTotal(5);
    p.tick(4);
    p.done();
    expect(written).toEqual([]);
  });

  it('draws on a TTY and clears its line when done', () => {
    const written: string[] = [];
    const p = createProgress({ isTTY: true, err: (t) => void written.push(t) }, 'x', 4);
    p.tick(2);
    expect(written).toEqual(['\rx [############------------]  50% 2/4']);
    p.done();
    p.done();
    const clear = `\r${' '.repeat(written[0].length - 1)}\r`;
    expect(written).toEqual([written[0], clear]);
    p.tick();
    expect(written).toHaveLength(2);
  });
});
