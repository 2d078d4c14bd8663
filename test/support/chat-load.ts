import { Agent, request } from 'node:http';

/**
 * Unary chat completions sent to an app, many at once over keep-alive connections, for the
 * hostile-traffic tests. Not a test file.
 */

/** POSTs one JSON body to /v1/chat/completions; resolves with the status. */
function post(agent: Agent, port: number, payload: unknown): Promise<number> {
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/chat/completions',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A one-token chat request; `model: undefined` leaves the field out. */
export const chatBody = (model: unknown): Record<string, unknown> => ({
  ...(model === undefined ? {} : { model }),
  messages: [{ role: 'user', content: 'hi' }],
  max_tokens: 1,
});

/** Sends every body, `concurrency` at a time; counts the answers by status. */
export async function sendChats(
  port: number,
  bodies: unknown[],
  concurrency = 32,
): Promise<Map<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = new Map<number, number>();
  let next = 0;
  const lane = async () => {
    while (next < bodies.length) {
      const status = await post(agent, port, bodies[next++]);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    agent.destroy();
  }
  return statuses;
}
