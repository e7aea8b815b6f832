// Heap snapshot diff for the soak (issue 8): what grew between two V8 heap snapshots of the same
// process (soak.ts --heap-snapshots DIR writes them), and what holds the growth.
//   node --import tsx test/reliability/heap-diff.ts A.heapsnapshot B.heapsnapshot [--top 25] [--paths 8] [--show ID]
// Prints
//   1. node groups (type, constructor or name) by growth of self size and of count, with an
//      approximate retained size (dominator tree; members dominated by another member of their
//      group are not counted twice);
//   2. objects in both snapshots (V8 keeps object ids stable across snapshots of one process)
//      whose retained size grew most: the growing structures and their owners;
//   3. objects in B that did not exist in A, grouped by the oldest object that holds them on the
//      shortest path from the GC roots, and one retainer path for a sample of each group;
//   4. with --show ID (an @id printed above): that object's path in B and what it holds directly.
// The soak's snapshots (a ~20–26 MiB heap) are 17–25 MB of JSON; parsed whole, a diff peaks at
// ~300 MiB RSS and takes seconds. For much larger ones give node more heap
// (node --max-old-space-size=8192 --import tsx …).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Snapshot {
  file: string;
  nodeCount: number;
  /** Per node, by node index (not the flat array offset). */
  type: Uint8Array;
  name: Uint32Array;
  id: Uint32Array;
  selfSize: Float64Array;
  firstEdge: Uint32Array;
  /** Per edge. */
  edgeType: Uint8Array;
  edgeName: Uint32Array;
  edgeTo: Uint32Array;
  strings: string[];
  nodeTypes: string[];
  edgeTypes: string[];
}

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

function loadSnapshot(file: string): Snapshot {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawSnapshot;
  const meta = raw.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const at = (fields: string[], f: string): number => {
    const i = fields.indexOf(f);
    if (i < 0) throw new Error(`${file}: snapshot has no ${f} field`);
    return i;
  };
  const [nType, nName, nId, nSelf, nEdges] = ['type', 'name', 'id', 'self_size', 'edge_count'].map((f) => at(meta.node_fields, f)) as [number, number, number, number, number];
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => at(meta.edge_fields, f)) as [number, number, number];
  const nodeCount = raw.nodes.length / nf;
  const edgeCount = raw.edges.length / ef;
  const s: Snapshot = {
    file,
    nodeCount,
    type: new Uint8Array(nodeCount),
    name: new Uint32Array(nodeCount),
    id: new Uint32Array(nodeCount),
    selfSize: new Float64Array(nodeCount),
    firstEdge: new Uint32Array(nodeCount + 1),
    edgeType: new Uint8Array(edgeCount),
    edgeName: new Uint32Array(edgeCount),
    edgeTo: new Uint32Array(edgeCount),
    strings: raw.strings,
    nodeTypes: meta.node_types[0],
    edgeTypes: meta.edge_types[0],
  };
  let edge = 0;
  for (let i = 0; i < nodeCount; i++) {
    const o = i * nf;
    s.type[i] = raw.nodes[o + nType] as number;
    s.name[i] = raw.nodes[o + nName] as number;
    s.id[i] = raw.nodes[o + nId] as number;
    s.selfSize[i] = raw.nodes[o + nSelf] as number;
    s.firstEdge[i] = edge;
    edge += raw.nodes[o + nEdges] as number;
  }
  s.firstEdge[nodeCount] = edge;
  for (let e = 0; e < edgeCount; e++) {
    s.edgeType[e] = raw.edges[e * ef + eType] as number;
    s.edgeName[e] = raw.edges[e * ef + eName] as number;
    s.edgeTo[e] = (raw.edges[e * ef + eTo] as number) / nf;
  }
  return s;
}

function nodeType(s: Snapshot, n: number): string {
  return s.nodeTypes[s.type[n] as number] ?? '?';
}

/** The grouping key: type plus constructor name (objects) or name; long strings are cut. */
function groupKey(s: Snapshot, n: number): string {
  const type = nodeType(s, n);
  let name = s.strings[s.name[n] as number] ?? '';
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '';
  else if (name.length > 60) name = `${name.slice(0, 57)}...`;
  return `${type} ${name}`;
}

/** `withIndex` false: element slots and numbered internal edges read `[…]`, so one holder is one group. */
function edgeLabel(s: Snapshot, e: number, withIndex = true): string {
  const type = s.edgeTypes[s.edgeType[e] as number] ?? '?';
  let name = type === 'element' || type === 'hidden' ? `[${s.edgeName[e]}]` : (s.strings[s.edgeName[e] as number] ?? '?');
  if (!withIndex && (type === 'element' || type === 'hidden' || /^\d+$/.test(name))) name = '[…]';
  return type === 'property' ? `.${name}` : `${type}:${name}`;
}

function isWeak(s: Snapshot, e: number): boolean {
  const t = s.edgeTypes[s.edgeType[e] as number];
  return t === 'weak';
}

/** Shortest strong path from the root (node 0): parent node and edge per node, -1 if unreachable. */
function shortestPaths(s: Snapshot): { parent: Int32Array; parentEdge: Int32Array } {
  const parent = new Int32Array(s.nodeCount).fill(-1);
  const parentEdge = new Int32Array(s.nodeCount).fill(-1);
  const queue = new Uint32Array(s.nodeCount);
  let head = 0;
  let tail = 0;
  parent[0] = 0;
  queue[tail++] = 0;
  while (head < tail) {
    const n = queue[head++] as number;
    for (let e = s.firstEdge[n] as number; e < (s.firstEdge[n + 1] as number); e++) {
      if (isWeak(s, e)) continue;
      const to = s.edgeTo[e] as number;
      if (parent[to] !== -1) continue;
      parent[to] = n;
      parentEdge[to] = e;
      queue[tail++] = to;
    }
  }
  return { parent, parentEdge };
}

/** Dominator tree (Cooper, Harvey & Kennedy) over strong edges, then retained sizes. */
function retainedSizes(s: Snapshot): { idom: Int32Array; retained: Float64Array } {
  const n = s.nodeCount;
  const postorder = new Int32Array(n).fill(-1);
  const order: number[] = [];
  const visited = new Uint8Array(n);
  const stack: Array<[number, number]> = [[0, s.firstEdge[0] as number]];
  visited[0] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as [number, number];
    const [node, e] = top;
    if (e < (s.firstEdge[node + 1] as number)) {
      top[1] = e + 1;
      if (isWeak(s, e)) continue;
      const to = s.edgeTo[e] as number;
      if (visited[to] === 0) {
        visited[to] = 1;
        stack.push([to, s.firstEdge[to] as number]);
      }
    } else {
      postorder[node] = order.length;
      order.push(node);
      stack.pop();
    }
  }
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (let from = 0; from < n; from++) {
    if (visited[from] === 0) continue;
    for (let e = s.firstEdge[from] as number; e < (s.firstEdge[from + 1] as number); e++) if (!isWeak(s, e)) (preds[s.edgeTo[e] as number] as number[]).push(from);
  }
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while ((postorder[a] as number) < (postorder[b] as number)) a = idom[a] as number;
      while ((postorder[b] as number) < (postorder[a] as number)) b = idom[b] as number;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i] as number;
      if (node === 0) continue;
      let d = -1;
      for (const p of preds[node] as number[]) {
        if (idom[p] === -1) continue;
        d = d === -1 ? p : intersect(p, d);
      }
      if (d !== -1 && idom[node] !== d) {
        idom[node] = d;
        changed = true;
      }
    }
  }
  const retained = Float64Array.from(s.selfSize);
  for (const node of order) if (node !== 0 && idom[node] !== -1) retained[idom[node] as number] = (retained[idom[node] as number] as number) + (retained[node] as number);
  return { idom, retained };
}

interface Group {
  count: number;
  self: number;
  retained: number;
}

function groups(s: Snapshot, { idom, retained }: { idom: Int32Array; retained: Float64Array }): Map<string, Group> {
  const keys = Array.from({ length: s.nodeCount }, (_, i) => groupKey(s, i));
  const out = new Map<string, Group>();
  for (let i = 0; i < s.nodeCount; i++) {
    const key = keys[i] as string;
    const g = out.get(key) ?? { count: 0, self: 0, retained: 0 };
    g.count++;
    g.self += s.selfSize[i] as number;
    // Count a member's retained size only where its dominator chain meets no other member.
    let d = idom[i] as number;
    let nested = false;
    for (let hops = 0; d > 0 && hops < 64; hops++, d = idom[d] as number) {
      if (keys[d] === key) {
        nested = true;
        break;
      }
    }
    if (!nested && idom[i] !== -1) g.retained += retained[i] as number;
    out.set(key, g);
  }
  return out;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function printGroupDiff(a: Map<string, Group>, b: Map<string, Group>, top: number): void {
  const rows = [...new Set([...a.keys(), ...b.keys()])].map((key) => {
    const ga = a.get(key) ?? { count: 0, self: 0, retained: 0 };
    const gb = b.get(key) ?? { count: 0, self: 0, retained: 0 };
    return { key, ga, gb, dCount: gb.count - ga.count, dSelf: gb.self - ga.self, dRetained: gb.retained - ga.retained };
  });
  const header = `${pad('type name', 62)} ${pad('count A→B', 20, true)} ${pad('Δcount', 8, true)} ${pad('Δself', 12, true)} ${pad('Δretained', 12, true)}`;
  const print = (title: string, sorted: typeof rows): void => {
    process.stdout.write(`\n${title}\n${header}\n`);
    for (const r of sorted.slice(0, top)) {
      process.stdout.write(`${pad(r.key.slice(0, 62), 62)} ${pad(`${r.ga.count}→${r.gb.count}`, 20, true)} ${pad(String(r.dCount), 8, true)} ${pad(kib(r.dSelf), 12, true)} ${pad(kib(r.dRetained), 12, true)}\n`);
    }
  };
  print('Top growers by self size:', [...rows].sort((x, y) => y.dSelf - x.dSelf));
  print('Top growers by count:', [...rows].sort((x, y) => y.dCount - x.dCount));
  print('Top growers by retained size (approximate):', [...rows].sort((x, y) => y.dRetained - x.dRetained));
}

/** Objects in both snapshots (same id) whose retained size grew most: the growing structures and their owners. */
function printRetainedGrowth(a: Snapshot, retainedA: Float64Array, b: Snapshot, retainedB: Float64Array, top: number): void {
  const indexA = new Map<number, number>();
  for (let n = 0; n < a.nodeCount; n++) indexA.set(a.id[n] as number, n);
  const rows: Array<{ n: number; before: number; after: number }> = [];
  for (let n = 1; n < b.nodeCount; n++) {
    const na = indexA.get(b.id[n] as number);
    if (na === undefined || nodeType(b, n) === 'synthetic') continue;
    const after = retainedB[n] as number;
    const before = retainedA[na] as number;
    if (after > before) rows.push({ n, before, after });
  }
  rows.sort((x, y) => y.after - y.before - (x.after - x.before));
  process.stdout.write(`\nObjects in both snapshots, by growth of retained size (owners include what they own):\n${pad('retained A → B', 28, true)} ${pad('Δ', 12, true)}  object\n`);
  for (const r of rows.slice(0, top)) {
    process.stdout.write(`${pad(`${kib(r.before)} → ${kib(r.after)}`, 28, true)} ${pad(kib(r.after - r.before), 12, true)}  ${describeNode(b, r.n)}\n`);
  }
}

function describeNode(s: Snapshot, n: number): string {
  return `${groupKey(s, n).trim()} @${s.id[n]}`;
}

function pathFromRoot(s: Snapshot, parent: Int32Array, parentEdge: Int32Array, n: number): string {
  const steps: string[] = [];
  for (let cur = n, hops = 0; cur !== 0 && hops < 40; hops++) {
    const e = parentEdge[cur] as number;
    if (e < 0) {
      steps.push('(unreachable)');
      break;
    }
    steps.push(`${edgeLabel(s, e)} → ${describeNode(s, cur)}`);
    cur = parent[cur] as number;
  }
  return steps.reverse().map((step, i) => `${'  '.repeat(i + 2)}${step}`).join('\n');
}

/** Objects new in B, grouped by the nearest object on their root path that was already in A. */
function printNewByHolder(a: Snapshot, b: Snapshot, top: number, paths: number): void {
  const oldIds = new Set<number>(a.id);
  const { parent, parentEdge } = shortestPaths(b);
  const holders = new Map<string, { count: number; self: number; sample: number; kinds: Map<string, number> }>();
  let newCount = 0;
  let newSelf = 0;
  for (let n = 1; n < b.nodeCount; n++) {
    if (oldIds.has(b.id[n] as number) || parent[n] === -1) continue;
    newCount++;
    newSelf += b.selfSize[n] as number;
    let cur = n;
    let via = -1;
    for (let hops = 0; cur !== 0 && !oldIds.has(b.id[cur] as number) && hops < 10_000; hops++) {
      via = parentEdge[cur] as number;
      cur = parent[cur] as number;
    }
    const key = `${describeNode(b, cur)} ${via >= 0 ? edgeLabel(b, via, false) : ''}`;
    const h = holders.get(key) ?? { count: 0, self: 0, sample: n, kinds: new Map<string, number>() };
    h.count++;
    h.self += b.selfSize[n] as number;
    const kind = groupKey(b, n).trim();
    h.kinds.set(kind, (h.kinds.get(kind) ?? 0) + 1);
    holders.set(key, h);
  }
  process.stdout.write(`\nObjects in B not in A (reachable): ${newCount}, ${kib(newSelf)} self. Held by (oldest holder on the shortest root path, and the edge from it):\n`);
  const sorted = [...holders.entries()].sort((x, y) => y[1].self - x[1].self);
  for (const [key, h] of sorted.slice(0, top)) {
    const kinds = [...h.kinds.entries()].sort((x, y) => y[1] - x[1]).slice(0, 4).map(([k, c]) => `${c}× ${k}`).join(', ');
    process.stdout.write(`  ${pad(kib(h.self), 12, true)} ${pad(String(h.count), 8, true)} objects  ${key}\n      ${kinds}\n`);
  }
  process.stdout.write(`\nRetainer paths (shortest from the root) of one new object per holder, top ${paths}:\n`);
  for (const [key, h] of sorted.slice(0, paths)) {
    process.stdout.write(`  ${key}\n${pathFromRoot(b, parent, parentEdge, h.sample)}\n`);
  }
}

function showObject(s: Snapshot, retained: Float64Array, id: number, top: number): void {
  const n = s.id.indexOf(id);
  if (n < 0) {
    process.stdout.write(`\nno object @${id} in ${s.file}\n`);
    return;
  }
  const { parent, parentEdge } = shortestPaths(s);
  process.stdout.write(`\n${describeNode(s, n)}: self ${kib(s.selfSize[n] as number)}, retained ${kib(retained[n] as number)}\n${pathFromRoot(s, parent, parentEdge, n)}\nholds (largest retained first):\n`);
  const edges: number[] = [];
  for (let e = s.firstEdge[n] as number; e < (s.firstEdge[n + 1] as number); e++) edges.push(e);
  edges.sort((x, y) => (retained[s.edgeTo[y] as number] as number) - (retained[s.edgeTo[x] as number] as number));
  for (const e of edges.slice(0, top)) process.stdout.write(`  ${pad(kib(retained[s.edgeTo[e] as number] as number), 12, true)}  ${edgeLabel(s, e)} → ${describeNode(s, s.edgeTo[e] as number)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' }, paths: { type: 'string' }, show: { type: 'string' } } });
  if (positionals.length !== 2) {
    process.stderr.write('usage: node --import tsx test/reliability/heap-diff.ts A.heapsnapshot B.heapsnapshot [--top 25] [--paths 8]\n');
    process.exit(2);
  }
  const top = Number(values.top ?? 25);
  const paths = Number(values.paths ?? 8);
  const a = loadSnapshot(positionals[0] as string);
  const b = loadSnapshot(positionals[1] as string);
  const sum = (s: Snapshot): number => s.selfSize.reduce((x, y) => x + y, 0);
  process.stdout.write(`A ${a.file}: ${a.nodeCount} nodes, ${kib(sum(a))}\nB ${b.file}: ${b.nodeCount} nodes, ${kib(sum(b))}\nΔ ${b.nodeCount - a.nodeCount} nodes, ${kib(sum(b) - sum(a))}\n`);
  const domA = retainedSizes(a);
  const domB = retainedSizes(b);
  printGroupDiff(groups(a, domA), groups(b, domB), top);
  printRetainedGrowth(a, domA.retained, b, domB.retained, top);
  printNewByHolder(a, b, top, paths);
  if (values.show !== undefined) showObject(b, domB.retained, Number(values.show.replace(/^@/, '')), top);
}
