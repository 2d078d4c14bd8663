import { get } from 'node:http';

/**
 * The scrape bench's scraper, a process of its own as Prometheus is: on each message (a path)
 * it GETs that path from the port it was given and answers with the number of bytes received.
 */
const port = Number(process.argv[2]);
process.on('message', (path: string) => {
  get({ host: '127.0.0.1', port, path }, (res) => {
    let bytes = 0;
    res.on('data', (chunk: Buffer) => (bytes += chunk.length));
    res.on('end', () => process.send?.(bytes));
  });
});
process.on('disconnect', () => process.exit(0));
