// Global test setup: nothing shared yet beyond making sure tests never talk to production URLs.
export default function setup(): void {
  process.env.NODE_ENV = 'test';
}
