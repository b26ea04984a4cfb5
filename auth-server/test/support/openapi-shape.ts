const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const PATH_ITEM_KEYS = new Set([...METHODS, 'summary', 'description', 'servers', 'parameters', '$ref']);
const PARAMETER_PLACES = new Set(['path', 'query', 'header', 'cookie']);
const SCHEME_TYPES = new Set(['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The ways `doc` departs from the structure OpenAPI 3.1 requires (the fields its JSON schema makes
 * mandatory, their types and places, path templates matching path parameters, unique operation
 * ids, security requirements and `$ref`s that resolve). Empty when the shape is right.
 */
export function openApi31Problems(doc: unknown): string[] {
  const problems: string[] = [];
  const bad = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (!isObject(doc)) return ['the document is not an object'];
  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi)) bad('openapi', 'must be 3.1.x');
  const info = doc.info;
  if (!isObject(info) || typeof info.title !== 'string' || typeof info.version !== 'string')
    bad('info', 'needs title and version strings');
  const components = isObject(doc.components) ? doc.components : {};
  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  for (const [name, scheme] of Object.entries(schemes))
    if (!isObject(scheme) || !SCHEME_TYPES.has(String(scheme.type)))
      bad(`securityScheme ${name}`, 'bad type');
  if (!isObject(doc.paths)) return [...problems, 'paths: must be an object'];

  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/')) bad(path, 'paths start with /');
    if (/:[A-Za-z]/.test(path)) bad(path, 'router-style :param left in the path');
    if (!isObject(item)) {
      bad(path, 'path item must be an object');
      continue;
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!).sort();
    for (const [method, op] of Object.entries(item)) {
      const where = `${method} ${path}`;
      if (!PATH_ITEM_KEYS.has(method)) bad(where, 'not a path item field');
      if (!METHODS.has(method)) continue;
      if (!isObject(op)) {
        bad(where, 'operation must be an object');
        continue;
      }
      if (op.operationId !== undefined) {
        if (typeof op.operationId !== 'string' || operationIds.has(op.operationId))
          bad(where, 'operationId must be a unique string');
        else operationIds.add(op.operationId);
      }
      const parameters = op.parameters ?? [];
      if (!Array.isArray(parameters)) bad(where, 'parameters must be an array');
      const inPath: string[] = [];
      for (const p of Array.isArray(parameters) ? parameters : []) {
        if (!isObject(p) || typeof p.name !== 'string' || !PARAMETER_PLACES.has(String(p.in))) {
          bad(where, `bad parameter ${JSON.stringify(p)}`);
          continue;
        }
        if (!isObject(p.schema) && !isObject(p.content)) bad(where, `parameter ${p.name} needs a schema`);
        if (p.in === 'path') {
          inPath.push(p.name);
          if (p.required !== true) bad(where, `path parameter ${p.name} must be required`);
        }
      }
      if (JSON.stringify(inPath.sort()) !== JSON.stringify(templated))
        bad(where, `path parameters ${inPath} do not match the template ${templated}`);
      if (op.requestBody !== undefined) {
        const body = op.requestBody;
        if (!isObject(body) || !isObject(body.content) || Object.keys(body.content).length === 0)
          bad(where, 'requestBody needs content');
      }
      if (!isObject(op.responses) || Object.keys(op.responses).length === 0) {
        bad(where, 'needs responses');
        continue;
      }
      for (const [status, response] of Object.entries(op.responses)) {
        if (status !== 'default' && !/^[1-5](\d\d|XX)$/.test(status)) bad(where, `bad status ${status}`);
        if (!isObject(response) || typeof response.description !== 'string')
          bad(`${where} ${status}`, 'a response needs a description');
      }
      const security = op.security ?? [];
      if (!Array.isArray(security)) bad(where, 'security must be an array');
      for (const requirement of Array.isArray(security) ? security : [])
        for (const name of Object.keys(isObject(requirement) ? requirement : {}))
          if (!(name in schemes)) bad(where, `security scheme ${name} is not defined`);
    }
  }
  const refs = JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g);
  for (const [, ref] of refs) {
    let target: unknown = doc;
    for (const part of ref!.replace(/^#\//, '').split('/'))
      target = isObject(target) ? target[part] : undefined;
    if (!ref!.startsWith('#/') || target === undefined) bad('$ref', `${ref} does not resolve`);
  }
  return problems;
}
