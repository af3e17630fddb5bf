/**
 * /docs: the OpenAPI document as one self-contained HTML page, rendered on the server. It loads
 * nothing (no scripts, fonts or CDNs), so it works offline and under a CSP of `default-src 'none'`
 * plus inline styles.
 */
import { PROBLEMS, problemType, type ProblemKind } from './problem.js';

/** The page's Content-Security-Policy: inline CSS only, nothing else. */
export const DOCS_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

type Json = Record<string, unknown>;

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

const asRecord = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};

/** `#/components/schemas/X` → X, linked to its section. */
function schemaLink(schema: unknown): string {
  const r = asRecord(schema)['$ref'];
  if (typeof r !== 'string') return '';
  const name = r.split('/').pop() ?? r;
  return `<a href="#schema-${esc(name)}">${esc(name)}</a>`;
}

function contentSchemas(content: unknown): string {
  return Object.entries(asRecord(content))
    .map(([type, media]) => `${esc(type)} ${schemaLink(asRecord(media)['schema'])}`)
    .join(', ');
}

/** Render the page for an OpenAPI document built by buildOpenApiDocument. */
export function renderDocsPage(doc: Json): string {
  const info = asRecord(doc['info']);
  const ops: string[] = [];
  for (const [path, item] of Object.entries(asRecord(doc['paths']))) {
    for (const [method, op] of Object.entries(asRecord(item))) {
      const o = asRecord(op);
      const body = asRecord(o['requestBody'])['content'];
      const responses = Object.entries(asRecord(o['responses']))
        .map(([status, r]) => {
          const rr = asRecord(r);
          return `<li><code>${esc(status)}</code> ${esc(str(rr['description']))} ${contentSchemas(rr['content'])}</li>`;
        })
        .join('');
      const open = Array.isArray(o['security']) && o['security'].length === 0;
      ops.push(
        `<section><h3><code>${esc(method.toUpperCase())} ${esc(path)}</code>` +
          `${open ? ' <small>no auth</small>' : ''}</h3>` +
          `<p><b>${esc(str(o['summary']))}</b></p>` +
          (o['description'] ? `<p>${esc(str(o['description']))}</p>` : '') +
          (body ? `<p>Request: ${contentSchemas(body)}</p>` : '') +
          `<ul>${responses}</ul></section>`,
      );
    }
  }
  const schemas = Object.entries(asRecord(asRecord(doc['components'])['schemas']))
    .map(
      ([name, s]) =>
        `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3>` +
        `<pre>${esc(JSON.stringify(s, null, 2))}</pre></section>`,
    )
    .join('');
  const problems = Object.entries(PROBLEMS)
    .map(
      ([k, p]) =>
        `<tr><td><code>${esc(problemType(k as ProblemKind))}</code></td><td>${p.status}</td><td>${esc(p.title)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(str(info['title'], 'API'))}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d232a}
h3{margin:1.5rem 0 .25rem}small{color:#777;font-weight:normal}
pre{background:#f5f6f8;padding:.75rem;overflow:auto;font-size:13px}
code{font-family:ui-monospace,monospace}table{border-collapse:collapse}td{padding:.2rem .6rem;border-bottom:1px solid #ddd}
</style></head><body>
<h1>${esc(str(info['title'], 'API'))}</h1>
<p>${esc(str(info['description']))}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(str(doc['openapi']))}).</p>
<h2>Operations</h2>${ops.join('')}
<h2>Problem types</h2><table>${problems}</table>
<h2>Schemas</h2>${schemas}
</body></html>
`;
}
