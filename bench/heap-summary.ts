/**
 * What grew between two heap snapshots, by constructor: `tsx bench/heap-summary.ts BEFORE AFTER
 * [PER] [TOP]` prints the objects added (count and self size), divided by PER (e.g. the number of
 * subscribers connected in between) to show what each one costs.
 */
import { readFile } from 'node:fs/promises';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

type Tally = Map<string, { count: number; bytes: number }>;

async function tally(file: string): Promise<Tally> {
  const heap = JSON.parse(await readFile(file, 'utf8')) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const result: Tally = new Map();
  for (let i = 0; i < heap.nodes.length; i += width) {
    const type = types[heap.nodes[i + typeAt] ?? 0] ?? '?';
    const rawName = heap.strings[heap.nodes[i + nameAt] ?? 0] ?? '?';
    // Strings and code are grouped by kind; their text is not a useful key.
    const name = type === 'object' || type === 'closure' ? `${type} ${rawName}` : `(${type})`;
    const entry = result.get(name) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += heap.nodes[i + sizeAt] ?? 0;
    result.set(name, entry);
  }
  return result;
}

const [beforeFile, afterFile, perArg, topArg] = process.argv.slice(2);
if (beforeFile === undefined || afterFile === undefined) {
  process.stderr.write(
    'usage: tsx bench/heap-summary.ts BEFORE.heapsnapshot AFTER.heapsnapshot [PER] [TOP]\n',
  );
  process.exit(2);
}
const per = Number(perArg ?? 1);
const top = Number(topArg ?? 30);
const [before, after] = await Promise.all([tally(beforeFile), tally(afterFile)]);
const growth = [...after].map(([name, a]) => {
  const b = before.get(name) ?? { count: 0, bytes: 0 };
  return { name, count: a.count - b.count, bytes: a.bytes - b.bytes };
});
const totalBytes = growth.reduce((sum, g) => sum + g.bytes, 0);
process.stdout.write(
  `heap growth: ${(totalBytes / 1024 / 1024).toFixed(1)} MiB, ${(totalBytes / per / 1024).toFixed(1)} KiB per ${per === 1 ? 'snapshot' : 'unit'}\n`,
);
process.stdout.write('  bytes/unit  objects/unit  constructor\n');
for (const g of growth.sort((x, y) => y.bytes - x.bytes).slice(0, top)) {
  process.stdout.write(
    `${(g.bytes / per).toFixed(0).padStart(12)}  ${(g.count / per).toFixed(2).padStart(12)}  ${g.name}\n`,
  );
}
