import { Worker } from 'node:worker_threads';
import { inThreadMaxBytes, maxParseWorkers, parseTimeLimitMs, parseWorkerHeapMb, refused, type UploadRefusal, type UploadResult } from './limits.ts';

/**
 * An upload parser that can run in a worker thread: the module that exports it, its export name,
 * and the function itself for small files. Its input and result must survive structured cloning
 * (a Buffer arrives in the worker as a Uint8Array).
 */
export interface UploadParser<I, T> {
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly parse: (input: I) => UploadResult<T> | Promise<UploadResult<T>>;
}

/** Declared beside the parser: `uploadParser(import.meta.url, 'readPlanFile', readPlanFile)`. */
export function uploadParser<I, T>(moduleUrl: string, exportName: string, parse: UploadParser<I, T>['parse']): UploadParser<I, T> {
  return { moduleUrl, exportName, parse };
}

/** Loading tsx and the parser's modules in a new thread; a busy machine can take seconds. Not the file's doing. */
const startLimitMs = 30_000;
/** An idle thread is kept this long for the next upload, then stopped. */
const idleMs = 60_000;
const workerUrl = new URL('./worker.mjs', import.meta.url);

/** One worker thread running one parse at a time. Stopping it refuses the parse it was running. */
class ParseThread {
  private readonly worker: Worker;
  private readonly started: Promise<boolean>;
  private markStarted: (ok: boolean) => void = () => {};
  private current: ((result: UploadResult<unknown>) => void) | null = null;
  /** Called when the parser's modules are loaded: the time limit counts the parsing, not the loading. */
  private loaded: (() => void) | null = null;
  private idleTimer: NodeJS.Timeout | undefined;
  private endedWith: UploadRefusal | null = null;

  constructor(private readonly onEnd: (thread: ParseThread) => void) {
    // The worker registers tsx itself (worker.mjs): a worker does not inherit the loader that
    // bin/lantern.mjs registers, and `--import tsx` in execArgv does not reach a worker on Node 20.
    this.worker = new Worker(workerUrl, {
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: parseWorkerHeapMb, maxYoungGenerationSizeMb: 32 },
    });
    this.started = new Promise((resolve) => {
      this.markStarted = resolve;
    });
    this.worker.on('message', (message: 'ready' | 'loaded' | UploadResult<unknown>) => {
      if (message === 'ready') return this.markStarted(true);
      if (message === 'loaded') return this.loaded?.();
      const finish = this.current;
      this.current = null;
      return finish?.(message);
    });
    this.worker.on('error', (error: Error & { code?: string }) =>
      this.end({ reason: error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'tooComplex' : 'unreadable' }),
    );
    this.worker.on('exit', () => this.end({ reason: 'unreadable' }));
  }

  get ended() {
    return this.endedWith !== null;
  }

  end(refusal: UploadRefusal) {
    if (!this.endedWith) {
      this.endedWith = refusal;
      clearTimeout(this.idleTimer);
      void this.worker.terminate();
      this.onEnd(this);
    }
    this.markStarted(false);
    const finish = this.current;
    this.current = null;
    finish?.(refused(refusal));
  }

  async run<T>(parser: UploadParser<unknown, T>, input: unknown, timeLimitMs: number): Promise<UploadResult<T>> {
    clearTimeout(this.idleTimer);
    this.worker.ref();
    const startTimer = setTimeout(() => this.end({ reason: 'tooSlow' }), startLimitMs);
    const started = await this.started;
    clearTimeout(startTimer);
    if (!started || this.endedWith) return refused(this.endedWith ?? { reason: 'unreadable' });
    return new Promise((resolve) => {
      let timer = setTimeout(() => this.end({ reason: 'tooSlow' }), startLimitMs);
      this.loaded = () => {
        clearTimeout(timer);
        timer = setTimeout(() => this.end({ reason: 'tooSlow' }), timeLimitMs);
      };
      this.current = (result) => {
        this.loaded = null;
        clearTimeout(timer);
        resolve(result as UploadResult<T>);
      };
      this.worker.postMessage({ moduleUrl: parser.moduleUrl, exportName: parser.exportName, input });
    });
  }

  /** Loads a parser's modules ahead of its first upload; the worker answers nothing. */
  preload(parser: UploadParser<unknown, unknown>) {
    this.worker.postMessage({ moduleUrl: parser.moduleUrl });
  }

  /** Waits for the next upload without keeping the process alive. */
  rest() {
    this.worker.unref();
    this.idleTimer = setTimeout(() => this.end({ reason: 'unreadable' }), idleMs);
    this.idleTimer.unref();
  }
}

const threads = new Set<ParseThread>();
const idle: ParseThread[] = [];
const waiting: ((thread: ParseThread) => void)[] = [];

function forget(thread: ParseThread) {
  threads.delete(thread);
  const at = idle.indexOf(thread);
  if (at >= 0) idle.splice(at, 1);
}

function startThread(): ParseThread {
  const thread = new ParseThread(forget);
  threads.add(thread);
  return thread;
}

async function acquire(): Promise<ParseThread> {
  const thread = idle.pop();
  if (thread) return thread;
  if (threads.size < maxParseWorkers) return startThread();
  return new Promise((resolve) => waiting.push(resolve));
}

function release(thread: ParseThread) {
  const next = waiting.shift();
  if (next) next(thread.ended ? startThread() : thread);
  else if (!thread.ended) {
    idle.push(thread);
    thread.rest();
  }
}

/**
 * Starts a worker thread when none is running and loads a parser in the idle ones, so that an upload
 * soon after (its form was just shown) does not wait for a thread to start.
 */
export function prepareUploadParser<I, T>(parser: UploadParser<I, T>): void {
  if (threads.size === 0) {
    const thread = startThread();
    idle.push(thread);
    thread.rest();
  }
  for (const thread of idle) thread.preload(parser as UploadParser<unknown, unknown>);
}

/**
 * Runs a parser on an upload. `sizeBytes` is what the parser will work through (for XLSX, the parts'
 * inflated size): up to inThreadMaxBytes it runs here; above, in a worker thread with a heap limit,
 * stopped (and the file refused) after the time limit. The answer is a result or a refusal, never a throw.
 */
export async function runUploadParser<I, T>(
  parser: UploadParser<I, T>,
  input: I,
  sizeBytes: number,
  options: { timeLimitMs?: number } = {},
): Promise<UploadResult<T>> {
  if (sizeBytes <= inThreadMaxBytes) {
    try {
      return await parser.parse(input);
    } catch {
      return refused({ reason: 'unreadable' });
    }
  }
  const thread = await acquire();
  try {
    return await thread.run(parser as UploadParser<unknown, T>, input, options.timeLimitMs ?? parseTimeLimitMs);
  } finally {
    release(thread);
  }
}
