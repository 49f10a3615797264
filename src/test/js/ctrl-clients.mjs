// Drives the service with @ctrl/qbittorrent or @ctrl/transmission (npm, pinned by package-lock.json): their
// normalized calls, as the apps built on them (e.g. Sonarr-like tools in node) make them.
// Usage: node ctrl-clients.mjs qbittorrent|transmission <baseUrl> <user> <password> <file.torrent> <infoHash>
// Prints one line per step; exits 1 with the reason when the service answers something the client cannot use.
import { readFileSync } from 'node:fs';
import { QBittorrent } from '@ctrl/qbittorrent';
import { Transmission } from '@ctrl/transmission';

const [, , which, baseUrl, username, password, torrentPath, hash] = process.argv;
const client = which === 'qbittorrent'
  ? new QBittorrent({ baseUrl, username, password, timeout: 20000 })
  : new Transmission({ baseUrl, username, password, timeout: 20000 });

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

// @ctrl/qbittorrent normalizes stoppedUP (stopped and complete) to "seeding": its raw state says stopped
const stopped = t => t.state === 'paused' || /^(stopped|paused)/.test(t.raw?.state ?? '');

async function torrent(id) {
  return client.getTorrent(id);
}

/** Polls the client's own view until {@code wanted} says yes (bounded). */
async function until(what, wanted) {
  const deadline = Date.now() + 20000;
  let seen;
  while (Date.now() < deadline) {
    seen = await what();
    if (wanted(seen)) {
      return seen;
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error(`timed out; last seen ${JSON.stringify(seen?.raw ?? seen)}`);
}

try {
  const added = await client.normalizedAddTorrent(readFileSync(torrentPath), { startPaused: true });
  check(added.id === hash, `normalizedAddTorrent answered ${added.id}, not ${hash}`);
  console.log(`added ${added.id} "${added.name}" state=${added.state} size=${added.totalSize}`);
  // the transmission client names torrents by hash; its ids come back as the integer id in raw
  const id = hash;
  const all = await client.getAllData();
  const listed = all.torrents.find(t => t.id === hash);
  check(listed, `getAllData does not list ${hash}: ${JSON.stringify(all.torrents.map(t => t.id))}`);
  check(listed.state === 'paused', `a torrent added paused is ${listed.state}`);
  check(!Number.isNaN(Date.parse(listed.dateAdded)), `dateAdded is ${listed.dateAdded}`);
  console.log(`listed state=${listed.state} progress=${listed.progress} dateAdded=${listed.dateAdded}`);

  await client.resumeTorrent(id);
  const running = await until(() => torrent(id), t => !stopped(t));
  console.log(`resumed state=${running.state} progress=${running.progress}`);
  await client.pauseTorrent(id);
  const paused = await until(() => torrent(id), stopped);
  console.log(`paused state=${paused.state} raw=${paused.raw?.state ?? paused.raw?.status}`);

  await client.removeTorrent(id, true);
  const after = await client.getAllData();
  check(!after.torrents.some(t => t.id === hash), 'still listed after removeTorrent');
  console.log('removed');
  console.log('OK');
} catch (e) {
  console.log(`FAILED: ${e?.stack ?? e}`);
  process.exit(1);
}
