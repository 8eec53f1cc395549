// Engine worker: attaches to the index memory and runs build chunks or queries on it.
import { parentPort } from 'node:worker_threads';
import { GraphCore, type GraphParams } from './graph.js';
import { createKernel, type KernelName } from './kernel.js';
import { CTL_DONE, CTL_NEXT, Views, type Layout } from './layout.js';
import { encodeAt } from './sbq.js';
import type { FromWorker, ToWorker } from './protocol.js';

if (!parentPort) throw new Error('worker.ts must run in a worker thread');
const port = parentPort;

let views: Views | undefined;
let core: GraphCore | undefined;
let kernelName: KernelName = 'js';
let params: GraphParams | undefined;
let scratch = 0;

function attach(memory: WebAssembly.Memory, layout: Layout): void {
  views = new Views(memory, layout);
  core = new GraphCore(views, createKernel(kernelName, views), scratch, params!);
}

const BUILD_CHUNK = 16;

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'init':
      kernelName = msg.kernel;
      params = msg.params;
      scratch = msg.scratch;
      attach(msg.memory, msg.layout);
      return;
    case 'memory':
      attach(msg.memory, msg.layout);
      return;
    case 'build': {
      const c = core!;
      const v = views!;
      const before = c.distanceComputations;
      try {
        const starts: number[] = [];
        for (;;) {
          const at = msg.from + Atomics.add(v.control, CTL_NEXT, BUILD_CHUNK);
          if (at >= msg.order.length) break;
          const end = Math.min(msg.order.length, at + BUILD_CHUNK);
          for (let i = at; i < end; i++) {
            const p = msg.order[i]!;
            starts.length = 0;
            for (const l of c.labelsOf(p)) {
              const s = msg.labelStarts.get(l);
              starts.push(s === undefined || s === p ? -1 : s);
            }
            c.insert(p, msg.globalStart, starts, v.layout.capacity);
          }
          Atomics.add(v.control, CTL_DONE, end - at);
        }
        reply({ type: 'done', distanceComputations: c.distanceComputations - before });
      } catch (err) {
        reply({ type: 'done', distanceComputations: 0, error: String((err as Error).stack ?? err) });
      }
      return;
    }
    case 'prune': {
      const c = core!;
      const v = views!;
      const before = c.distanceComputations;
      const R = c.params.R;
      for (;;) {
        const at = Atomics.add(v.control, CTL_NEXT, 256);
        if (at >= msg.highWater) break;
        for (let p = at; p < Math.min(msg.highWater, at + 256); p++) {
          if (v.deg[p]! > R) {
            c.lock(p);
            try {
              c.repruneNode(p, -1, R);
            } finally {
              c.unlock(p);
            }
          }
        }
      }
      reply({ type: 'done', distanceComputations: c.distanceComputations - before });
      return;
    }
    case 'search': {
      const c = core!;
      const d0 = c.distanceComputations;
      const h0 = c.hammingComputations;
      try {
        const p = msg.plan;
        c.loadQuery(msg.query, (src, dst) => encodeAt(views!, src, dst), p.useCodes && p.scan === null);
        const r = p.scan
          ? c.scanLoaded(p.scan, p.k, p.requireLabels)
          : c.searchLoaded({ ...p, starts: p.starts }, views!.layout.capacity);
        reply({
          type: 'search', id: msg.id, ids: r.ids, distances: r.distances,
          distanceComputations: c.distanceComputations - d0, hammingComputations: c.hammingComputations - h0,
        });
      } catch (err) {
        reply({
          type: 'search', id: msg.id, ids: new Float64Array(0), distances: new Float32Array(0),
          distanceComputations: 0, hammingComputations: 0, error: String((err as Error).stack ?? err),
        });
      }
      return;
    }
  }
});

function reply(m: FromWorker): void {
  port.postMessage(m);
}
