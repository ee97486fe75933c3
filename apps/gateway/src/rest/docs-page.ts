import type { OpenApiDocument } from './openapi';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside HTML. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/**
 * A self-contained HTML page (no scripts, no CDN) listing every operation of `document`:
 * method, path, summary, parameters, request body schema and responses. Rendered on the
 * server from the same document `/openapi.json` serves, so the two never disagree.
 */
export function renderDocsPage(document: OpenApiDocument): string {
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => renderOperation(path, method, operation as Record<string, unknown>)),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(document.info.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#222}
section{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
.method{display:inline-block;min-width:4rem;font-weight:bold;text-transform:uppercase}
.get{color:#0a6}.post{color:#06c}
code{font-size:1rem}pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:.8rem}
summary{cursor:pointer}
</style></head><body>
<h1>${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)}</small></h1>
<p>${escapeHtml(document.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escapeHtml(document.openapi)}).</p>
${operations.join('\n')}
<h2>Error body (application/problem+json)</h2>
<p>${escapeHtml((document.components['responses'] as Record<string, { description?: string } | undefined>)['ProblemDefault']?.description ?? '')}</p>
<pre>${escapeHtml(JSON.stringify((document.components['schemas'] as Record<string, unknown>)['Problem'], null, 2))}</pre>
</body></html>
`;
}

function renderOperation(path: string, method: string, operation: Record<string, unknown>): string {
  const parameters = (operation['parameters'] ?? []) as { name: string; in: string; required: boolean; description?: string }[];
  const responses = Object.entries((operation['responses'] ?? {}) as Record<string, { description?: string; $ref?: string }>);
  const body = (operation['requestBody'] as { content: Record<string, { schema: unknown }> } | undefined)?.content['application/json']?.schema;
  const success = responses.filter(([code]) => code.startsWith('2'));
  return `<section id="${escapeHtml(String(operation['operationId']))}">
<h2><span class="method ${escapeHtml(method)}">${escapeHtml(method)}</span> <code>${escapeHtml(path)}</code></h2>
<p>${escapeHtml(String(operation['summary']))}${(operation['security'] as unknown[]).length > 0 ? ' <em>(API key: x-api-key or Authorization: Bearer)</em>' : ' <em>(open)</em>'}</p>
${parameters.length === 0 ? '' : `<p>Parameters: ${parameters.map((parameter) => `<code>${escapeHtml(parameter.name)}</code> (${escapeHtml(parameter.in)}${parameter.required ? ', required' : ''})`).join(', ')}</p>`}
${body === undefined ? '' : `<details><summary>Request body schema</summary><pre>${escapeHtml(JSON.stringify(body, null, 2))}</pre></details>`}
${success.map(([code, response]) => `<details><summary>${escapeHtml(code)} ${escapeHtml(response.description ?? '')}</summary><pre>${escapeHtml(JSON.stringify(response, null, 2))}</pre></details>`).join('\n')}
<p>Errors: ${responses
    .filter(([code]) => !code.startsWith('2'))
    .map(([code]) => escapeHtml(code))
    .join(', ')}</p>
</section>`;
}
