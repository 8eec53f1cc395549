import { loadEmbedConfig, type EmbedConfig } from '@hh/config';
import type { ZodApp } from '@hh/service-kit';

export function config(env: Record<string, string> = {}): EmbedConfig {
  return loadEmbedConfig({ LOG_LEVEL: process.env.HH_TEST_LOG_LEVEL ?? 'silent', ...env });
}

/** Value of one sample in the app's Prometheus exposition (0 when absent). */
export async function metric(app: ZodApp, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of res.body.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter(Boolean);
    if (want.every((w) => have.includes(w)) && (want.length > 0 || have.length === 0)) return Number(m[3]);
  }
  return 0;
}

export interface Problem {
  status: number;
  code: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}
