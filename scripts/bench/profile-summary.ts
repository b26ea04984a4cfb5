import { readFileSync } from 'node:fs';

/**
 * `bash scripts/with-node.sh scripts/bench/profile-summary.ts <file.cpuprofile> [top]`: the
 * functions that took the most CPU in a V8 profile, by self time and by total time (a function
 * and what it called), as percentages of the samples that were not idle.
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '~/').replace(/^file:\/\/.*?\/(auth-server|vector-api|shared|scripts)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
const self = new Map<string, number>();
const total = new Map<string, number>();
let busy = 0;
for (const id of profile.samples) {
  const node = byId.get(id);
  if (!node || node.callFrame.functionName === '(idle)' || node.callFrame.functionName === '(program)')
    continue;
  busy++;
  self.set(label(node), (self.get(label(node)) ?? 0) + 1);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const l = label(byId.get(at) as Node);
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + 1);
  }
}
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (${busy} busy samples)`);
  for (const [l, n] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * n) / busy).toFixed(1).padStart(5)}%  ${l}`);
  }
};
print('self', self);
print('total', total);
