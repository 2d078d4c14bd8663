import { monitorEventLoopDelay } from 'node:perf_hooks';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export interface LongestBlock {
  /**
   * Wall-clock ms between two turns of the event loop (what a request arriving meanwhile
   * waited): the larger of a setImmediate chain's longest gap and monitorEventLoopDelay's max.
   */
  wallMs: number;
  /**
   * The same gap in CPU time of this process: the synchronous work itself, without the time a
   * loaded machine took the CPU away from the process.
   */
  cpuMs: number;
}

/** The longest the event loop went without a turn while `work` ran. */
export async function longestBlockDuring(work: () => Promise<unknown>): Promise<LongestBlock> {
  let running = true;
  let last = 0;
  let lastCpu = 0;
  let wallMs = 0;
  let cpuMsMax = 0;
  const turn = () => {
    const now = performance.now();
    const cpu = cpuMs();
    wallMs = Math.max(wallMs, now - last);
    cpuMsMax = Math.max(cpuMsMax, cpu - lastCpu);
    last = now;
    lastCpu = cpu;
    if (running) setImmediate(turn);
  };
  const delay = monitorEventLoopDelay({ resolution: 1 });
  await nextTurn();
  last = performance.now();
  lastCpu = cpuMs();
  setImmediate(turn);
  delay.enable();
  await work();
  // Two more turns, so the gap that ended the work is seen.
  await nextTurn();
  await nextTurn();
  running = false;
  delay.disable();
  return { wallMs: Math.max(wallMs, delay.max / 1e6), cpuMs: cpuMsMax };
}
