/**
 * Where a CPU profile's time went: `tsx bench/profile-summary.ts FILE.cpuprofile [TOP]` prints the
 * functions with the most self time, and self time by package (or by file of this repository), so
 * a missed target can be traced to its cause. Profiles come from `npm run bench -- --profile`.
 */
import { readFile } from 'node:fs/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/<pkg>` (scoped too), a repository path, or Node's own internals. */
function ownerOf(url: string): string {
  if (url === '') return '(native / VM)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1] !== undefined) return modules[1];
  if (url.startsWith('node:')) return 'node internals';
  const repo = /\/(src|bench|test)\/(.*)$/.exec(url);
  return repo ? `${repo[1]}/${repo[2]}` : url;
}

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: tsx bench/profile-summary.ts FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
/** The closest frame that belongs to a package or to this repository: who asked for the work. */
const culpritOf = (id: number): string => {
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const url = byId.get(at)?.callFrame.url ?? '';
    if (url !== '' && !url.startsWith('node:')) return ownerOf(url);
  }
  return '(no JavaScript caller)';
};
const selfByFunction = new Map<string, number>();
const selfByOwner = new Map<string, number>();
const selfByCulprit = new Map<string, number>();
let total = 0;
for (const [i, id] of profile.samples.entries()) {
  const micros = profile.timeDeltas[i] ?? 0;
  const frame = byId.get(id)?.callFrame;
  if (frame === undefined) continue;
  total += micros;
  const name = `${frame.functionName || '(anonymous)'} ${ownerOf(frame.url)}:${frame.lineNumber + 1}`;
  selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + micros);
  const owner = frame.functionName === '(idle)' ? '(idle)' : ownerOf(frame.url);
  selfByOwner.set(owner, (selfByOwner.get(owner) ?? 0) + micros);
  const culprit = frame.functionName === '(idle)' ? '(idle)' : culpritOf(id);
  selfByCulprit.set(culprit, (selfByCulprit.get(culprit) ?? 0) + micros);
}
const print = (title: string, entries: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const share = ((100 * micros) / total).toFixed(1).padStart(5);
    process.stdout.write(`${share}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}\n`);
  }
};
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n`);
print('self time by package / file', selfByOwner);
print(
  'time by calling package / file (Node internals and native work charged to their caller)',
  selfByCulprit,
);
print('self time by function', selfByFunction);
