// A worker thread that runs upload parsers for parse.ts, one at a time: each message names the
// parser's module and export and carries the input; the answer is the parser's result. Lantern's
// modules are TypeScript, so the thread registers tsx for itself, as bin/lantern.mjs does.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
parentPort.on('message', async ({ moduleUrl, exportName, input }) => {
  if (exportName === undefined) {
    // Loaded ahead of an upload (prepareUploadParser): no answer is expected.
    await import(moduleUrl).catch(() => {});
    return;
  }
  try {
    const parse = (await import(moduleUrl))[exportName];
    // The time limit counts from here: loading the parser's modules is not the upload's doing.
    parentPort.postMessage('loaded');
    parentPort.postMessage(await parse(input));
  } catch {
    parentPort.postMessage({ ok: false, refusal: { reason: 'unreadable' } });
  }
});
parentPort.postMessage('ready');
