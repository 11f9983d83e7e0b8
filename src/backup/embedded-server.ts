import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * The embedded database belongs to one process: PGlite writes its data folder with no locking of
 * its own, so a second process opening it while the server runs could corrupt it. So a server on
 * an embedded database keeps a lock file (`server.pid`) and listens on a Unix socket in the data
 * folder (`backup.sock`, mode 0600): `lantern backup` asks it for a consistent copy
 * (DatabaseHandle.snapshot) instead of opening the folder, and `lantern restore` refuses while it
 * runs. Whoever can reach the socket can read the data folder anyway, so the socket needs no
 * password of its own.
 */
export const lockFileName = 'server.pid';
export const socketName = 'backup.sock';

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The pid of a live server using this data folder, or null (a lock left by a killed server is ignored). */
export function runningServer(dataDir: string): number | null {
  const file = path.join(dataDir, lockFileName);
  if (!fs.existsSync(file)) return null;
  const pid = Number(fs.readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) ? pid : null;
}

/** Takes the data folder for this server and answers backup requests; refuses when another live server has it. */
export async function serveBackups(dataDir: string, snapshot: () => Promise<Blob>, log: (line: string) => void): Promise<{ stop(): Promise<void> }> {
  const other = runningServer(dataDir);
  if (other) throw new Error(`another Lantern server (process ${other}) is using the embedded database in ${dataDir}; stop it first`);
  const lock = path.join(dataDir, lockFileName);
  const socketPath = path.join(dataDir, socketName);
  fs.writeFileSync(lock, String(process.pid), { mode: 0o600 });
  fs.rmSync(socketPath, { force: true });
  const server = net.createServer((socket) => {
    socket.once('data', (request) => {
      if (request.toString('utf8').trim() !== 'snapshot') {
        socket.end('ERR unknown request\n');
        return;
      }
      snapshot().then(
        async (blob) => {
          const data = Buffer.from(await blob.arrayBuffer());
          socket.end(Buffer.concat([Buffer.from(`OK ${data.length}\n`), data]));
          log(`backup: a consistent copy of the embedded database (${data.length} bytes) was taken through ${socketPath}`);
        },
        (error: unknown) => socket.end(`ERR ${(error as Error).message.replace(/\n/g, ' ')}\n`),
      );
    });
    socket.on('error', () => {});
  });
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(socketPath, () => resolve(true));
  });
  if (listening) fs.chmodSync(socketPath, 0o600);
  else log(`backup: cannot listen on ${socketPath}; \`lantern backup\` will refuse while this server runs (stop it to back up)`);
  return {
    async stop() {
      if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(socketPath, { force: true });
      if (fs.existsSync(lock) && fs.readFileSync(lock, 'utf8').trim() === String(process.pid)) fs.rmSync(lock, { force: true });
    },
  };
}

/** Asks the running server for a consistent copy of its data folder (a tarball). */
export function requestSnapshot(dataDir: string): Promise<Buffer> {
  const socketPath = path.join(dataDir, socketName);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.createConnection(socketPath, () => socket.write('snapshot\n'));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) =>
      reject(new Error(`the server using ${dataDir} did not answer on ${socketPath} (${error.message}); stop it and back up again`)),
    );
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const newline = all.indexOf(10);
      const status = all.subarray(0, newline).toString('utf8');
      const ok = /^OK (\d+)$/.exec(status);
      if (!ok) return reject(new Error(`the server could not take a copy: ${status.replace(/^ERR /, '')}`));
      const data = all.subarray(newline + 1);
      if (data.length !== Number(ok[1])) return reject(new Error('the copy from the server was cut short; back up again'));
      resolve(data);
    });
  });
}
