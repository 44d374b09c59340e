import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, heapGrowthFlag } from '../../../src/cli/heap.js';

describe('the start command limits the old generation growth', () => {
  it('sets the factor when the process was started without one', () => {
    expect(heapGrowthFlag([], undefined)).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    expect(heapGrowthFlag(['--enable-source-maps'], '--max-old-space-size=512')).toBe(
      `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
    );
  });

  it("leaves a factor given in node's flags or NODE_OPTIONS as it is", () => {
    expect(heapGrowthFlag(['--heap-growing-percent=300'], undefined)).toBeUndefined();
    expect(heapGrowthFlag([], '--inspect --heap_growing_percent=10')).toBeUndefined();
  });

  it('names a flag this V8 knows (an unknown one would be ignored with a warning)', () => {
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    const name = heapGrowthFlag([], undefined)?.split('=')[0] ?? '';
    expect(options).toContain(`${name} (`);
  });
});
