import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { runLinkage } from '../src/features/linkage/engine/model.ts';
import { readSettings } from '../src/features/linkage/files.ts';
import { generatePeople, personOf, truePairCount } from '../src/features/linkage/synthetic.ts';

export interface LinkageBenchOptions {
  records: number;
  /** Settings file; examples/linkage/synthetic-uk.json by default. */
  settings?: string;
  seed: number;
}

const defaultSettings = fileURLToPath(new URL('../examples/linkage/synthetic-uk.json', import.meta.url));

/**
 * `lantern bench-linkage`: deduplicates N synthetic people (src/features/linkage/synthetic.ts)
 * in memory and prints the time per phase, peak memory and accuracy against the truth in the ids
 * (docs/PERFORMANCE.md, "Record linkage"). No database, no server.
 */
export function runLinkageBench(options: LinkageBenchOptions, say: (line: string) => void): void {
  const settings = readSettings(options.settings ?? defaultSettings);
  say(
    `machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  let started = performance.now();
  const data = generatePeople({ records: options.records, seed: options.seed });
  const generateMs = performance.now() - started;
  const errors = Object.entries(data.errors)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  say(`generated ${data.records.length} records in ${(generateMs / 1000).toFixed(1)} s (errors: ${errors})`);

  started = performance.now();
  const result = runLinkage(settings, data.records);
  const seconds = (performance.now() - started) / 1000;
  const records = data.records;
  let truePositives = 0;
  for (const p of result.pairs) if (personOf(records[p.left]!.rec_id) === personOf(records[p.right]!.rec_id)) truePositives += 1;
  const truePairs = truePairCount(records);
  const precision = result.pairs.length === 0 ? 0 : truePositives / result.pairs.length;
  const recall = truePairs === 0 ? 0 : truePositives / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const ph = result.phases;
  say(
    `candidate pairs ${result.candidates} (blocking keys over maxBlockSize ${settings.maxBlockSize ?? ''} left out: ${result.skippedBlocks.keys}, ` +
      `${result.skippedBlocks.pairs} pairs)`,
  );
  say(
    `phases: prepare ${s(ph.prepare)}, blocking ${s(ph.blocking)}, comparing ${s(ph.comparing)}, u sampling ${s(ph.uSampling)}, ` +
      `EM ${s(ph.em)} (${result.iterations} iterations${result.converged ? '' : ', not converged'}), scoring ${s(ph.scoring)}`,
  );
  // maxRSS is in kilobytes.
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  say(
    `total ${seconds.toFixed(2)} s (generation not counted); peak RSS ${peakMiB.toFixed(0)} MiB; heap used now ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
  say(
    `pairs at or above ${settings.threshold}: ${result.pairs.length}; true pairs ${truePairs}; true positives ${truePositives}; ` +
      `precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}, F1 ${f1.toFixed(4)}`,
  );
}
