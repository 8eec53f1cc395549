// Started by src/embedded.ts next to each embedded PostgreSQL server, in its own process group:
//   node embedded-watchdog.cjs <postmaster pid>
// Its stdin is a pipe from the process that started the server. When that process dies without
// stopping the server (kill -9, a crash), the pipe closes and this asks the server for a fast
// shutdown, so no server is left holding the data directory. It exits once the server is gone.
'use strict';
const pid = Number(process.argv[2]);
const alive = () => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
};
setInterval(() => {
  if (!alive()) process.exit(0);
}, 1000);
process.stdin.on('data', () => {});
process.stdin.on('close', () => {
  if (alive()) process.kill(pid, 'SIGINT');
  process.exit(0);
});
