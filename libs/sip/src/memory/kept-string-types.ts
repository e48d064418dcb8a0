import { writeHeapSnapshot } from 'node:v8';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * For tests of memory retention (see ownString): the V8 heap-snapshot node type of each
 * string kept in `holder`: "string" when flat and owned, "sliced string" when it points into
 * a bigger text, "concatenated string". The keys must be unique in the heap (give them a
 * random prefix): the snapshot is searched for property names. It writes and reads a whole
 * heap snapshot (about a second), so it is for tests only and not exported from the index.
 */
export function keptStringTypes(holder: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'own-string-')), 'h.heapsnapshot');
  writeHeapSnapshot(file);
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[] } };
    nodes: number[];
    edges: number[];
    strings: string[];
  };
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  const { node_fields: nf, node_types: nt, edge_fields: ef } = snap.snapshot.meta;
  const [F, E] = [nf.length, ef.length];
  const [ti, ec] = [nf.indexOf('type'), nf.indexOf('edge_count')];
  const [en, to] = [ef.indexOf('name_or_index'), ef.indexOf('to_node')];
  for (let i = 0, e = 0; i < snap.nodes.length; i += F) {
    for (let k = 0; k < snap.nodes[i + ec]; k++, e += E) {
      const key = snap.strings[snap.edges[e + en]];
      if (Object.hasOwn(holder, key)) out[key] = nt[0][snap.nodes[snap.edges[e + to] + ti]];
    }
  }
  return out;
}
