// Child process for the lock race test: waits until argv[3] (epoch ms) so all children start together, then
// takes the lock argv[4] times, each time appending `in <pid>` and `out <pid>` to argv[5] while it holds it.
import fs from 'node:fs';
import { acquireLock } from '../../../graph/embedded/lock.ts';

const [dir, startAt, rounds, log] = process.argv.slice(2);
while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));
for (let i = 0; i < Number(rounds); i++) {
  const release = await acquireLock(dir, 60_000);
  fs.appendFileSync(log, `in ${process.pid}\n`);
  await new Promise((r) => setTimeout(r, 2));
  fs.appendFileSync(log, `out ${process.pid}\n`);
  release();
}
