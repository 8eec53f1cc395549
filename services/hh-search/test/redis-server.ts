/** Throwaway redis-server children (from @hh/testkit) in the shape these tests use. */
import type { ChildProcess } from 'node:child_process';
import { startRedisServer } from '@hh/testkit';

export { freePort, redisMissing, redisServerMissing, unlessMissing } from '@hh/testkit';

export async function startRedis(port: number): Promise<ChildProcess> {
  return (await startRedisServer(port)).child;
}
