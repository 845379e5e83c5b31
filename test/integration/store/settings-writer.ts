// Run in a child process by settings.test.ts: a second process updating the same data dir.
// Prints "ready" once loaded, starts on "go" from stdin (so both processes write at once),
// then makes `count` updates of each kind and prints "done".

import { SettingsStore } from '../../../main/store/settings';

const [dataDir = '', tag = 'C', countText = '20'] = process.argv.slice(2);
const count = Number(countText);
const store = new SettingsStore(dataDir);
await store.load();
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
for (let i = 0; i < count; i++) {
  // Read-modify-write: computed from the file as it is at this update's turn.
  await store.update((current) => ({ watchList: [...current.watchList, `${tag}${i}`] }));
  // A plain patch of this process's own field.
  await store.update({ diyalog: { keyId: `${tag}-K${i}` } });
}
process.stdout.write('done\n');
