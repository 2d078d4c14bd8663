import { monitorEventLoopDelay } from 'node:perf_hooks';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The longest the event loop went without a turn while `work` ran, in wall-clock ms (what a
 * request arriving meanwhile waited): the larger of a setImmediate chain's longest gap between
 * two turns and `perf_hooks.monitorEventLoopDelay`'s max (1 ms resolution). On a loaded machine
 * it includes the time the process was preempted.
 */
export async function longestBlockDuring(work: () => Promise<unknown>): Promise<number> {
  let running = true;
  let last = 0;
  let longest = 0;
  const turn = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(turn);
  };
  const delay = monitorEventLoopDelay({ resolution: 1 });
  await nextTurn();
  last = performance.now();
  setImmediate(turn);
  delay.enable();
  await work();
  // Two more turns, so the gap that ended the work is seen.
  await nextTurn();
  await nextTurn();
  running = false;
  delay.disable();
  return Math.max(longest, delay.max / 1e6);
}
