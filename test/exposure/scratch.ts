import { fixtureScript, occupy, release, runNode, get } from './helpers';
async function main() {
  const b = await occupy(0);
  const port = (b.address() as any).port;
  const r3 = await runNode(fixtureScript("start('fastify')"), {
    DYN_SYSTEM_ENABLED: 'true',
    DYN_SYSTEM_PORT: String(port),
  });
  console.log('in use', r3.code, r3.signal, r3.ms, '\nOUT:', r3.stdout, '\nERR:', r3.stderr);
  await release(b);
  for (const platform of ['express', 'fastify']) {
    let pid = 0;
    let started: (s: string) => void;
    const startedP = new Promise<string>((r) => (started = r));
    const p = runNode(
      fixtureScript(`start('${platform}')`),
      { DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: '0', DYN_SYSTEM_HOST: '127.0.0.1' },
      20000,
      (c) => {
        const m = /STARTED .*/.exec(c);
        if (m) started(m[0]);
      },
      (child) => (pid = child.pid!),
    );
    const line = await startedP;
    const [, app, sys] = /app=(\d+) system=(\d+)/.exec(line)!;
    console.log(
      line,
      (await get(`http://127.0.0.1:${sys}/metrics`)).status,
      (await get(`http://127.0.0.1:${sys}/health`)).status,
      (await get(`http://127.0.0.1:${app}/generate`)).status,
    );
    const t0 = Date.now();
    process.kill(pid, 'SIGUSR2');
    const r = await p;
    console.log(
      platform,
      'exit',
      r.code,
      r.signal,
      r.timedOut,
      Date.now() - t0,
      r.stdout.split('\n').filter((l) => /CLOSED|ACTIVE/.test(l)),
    );
  }
}
void main();
