/**
 * Not a bench item: a CPU profile (.cpuprofile) summed by self time per
 * function and per package, the top lines printed: where a build's
 * core-seconds go, without DevTools.
 *
 *   npx tsx bench/profileSummary.ts bench/.data/build.cpuprofile [lines]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const [file, lines = '40'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
});
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
const where = (url: string) =>
  url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? (url.startsWith('node:') ? 'node:' : url.includes('/lambda/') ? 'lambda/' : url || '(native)');
for (const n of profile.nodes) {
  const us = self.get(n.id) ?? 0;
  const f = n.callFrame;
  const short = f.url.replace(/^.*\/(node_modules\/)?/, '');
  const k = `${f.functionName || '(anonymous)'}  ${short}:${f.lineNumber + 1}`;
  byFunction.set(k, (byFunction.get(k) ?? 0) + us);
  byPackage.set(where(f.url), (byPackage.get(where(f.url)) ?? 0) + us);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const show = (m: Map<string, number>, n: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
process.stdout.write(
  `${(total / 1000).toFixed(0)} ms sampled\n\nby package:\n${show(byPackage, 15)}\n\nby function (self):\n${show(byFunction, Number(lines))}\n`,
);
