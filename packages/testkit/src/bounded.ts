import vm from 'node:vm';

/**
 * Runs synchronous code under a hang bound. A test timeout cannot stop code that never yields the
 * event loop (a catastrophic regex would only be reported after it finished, minutes later); vm's
 * timeout interrupts it. Use it like a test timeout, generously: it separates milliseconds from
 * minutes, it does not measure speed.
 */
export function bounded<T>(fn: () => T, ms = 40_000): T {
  return vm.runInNewContext('fn()', { fn }, { timeout: ms }) as T;
}
