// Module-resolution hook for check.mjs: maps k6's built-in modules to the shims in this folder.
const shims = { 'k6/http': 'http.mjs', 'k6/execution': 'execution.mjs', 'k6/metrics': 'metrics.mjs' };
export async function resolve(specifier, context, next) {
  if (specifier in shims) return { url: new URL(shims[specifier], import.meta.url).href, shortCircuit: true };
  return next(specifier, context);
}
