import { parentPort, workerData } from 'node:worker_threads';

/**
 * The bcrypt checks of basic auth, in a worker thread: one check costs a long stretch of CPU in
 * JavaScript (cost 10-12; README, "Performance"), which on the main thread would stall every
 * request of the app.
 * Started by BasicAuth with the path of the installed `bcryptjs`.
 */
const bcrypt = require((workerData as { bcryptjs: string }).bcryptjs) as {
  compareSync(password: string, hash: string): boolean;
};

parentPort!.on(
  'message',
  ({ id, password, hash }: { id: number; password: string; hash: string }) => {
    let ok = false;
    try {
      ok = bcrypt.compareSync(password, hash);
    } catch {
      // A hash bcryptjs cannot read matches no password.
    }
    parentPort!.postMessage({ id, ok });
  },
);
