import { get } from 'node:http';

/**
 * The scrape bench's scraper, a process of its own as Prometheus is: on each message (a path,
 * and whether to ask for gzip as Prometheus does) it GETs that path from the port it was given
 * and answers with the number of bytes received (on the wire: compressed, if it was).
 */
const port = Number(process.argv[2]);
process.on('message', ({ path, gzip }: { path: string; gzip: boolean }) => {
  const headers = gzip ? { 'accept-encoding': 'gzip' } : {};
  get({ host: '127.0.0.1', port, path, headers }, (res) => {
    let bytes = 0;
    res.on('data', (chunk: Buffer) => (bytes += chunk.length));
    res.on('end', () => process.send?.(bytes));
  });
});
process.on('disconnect', () => process.exit(0));
