import fastJsonPatch, { type Operation } from 'fast-json-patch';

/** A patch the API server could not apply; `code` is the HTTP status it would answer. */
export class PatchError extends Error {
  constructor(
    readonly code: 400 | 415 | 422,
    message: string,
  ) {
    super(message);
  }
}

export const patchContentTypes = {
  strategic: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
} as const;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The patchMergeKey of the lists Kubernetes merges by key (k8s.io/api struct tags) among the fields of
 * the kinds the replay server writes. Any other list is replaced whole, as the API server does.
 */
const mergeKeys: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  volumes: 'name',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  resourceClaims: 'name',
  topologySpreadConstraints: 'topologyKey',
  conditions: 'type',
  ownerReferences: 'uid',
};

/** Applies a patch of the given Content-Type to `original` (left untouched) and returns the result. */
export function applyPatch(contentType: string, original: Json, patch: unknown): Json {
  const type = contentType.split(';')[0]?.trim() ?? '';
  switch (type) {
    case patchContentTypes.json:
      return jsonPatch(original, patch);
    case patchContentTypes.merge:
      if (!isObject(patch)) throw new PatchError(400, 'merge patch body must be a JSON object');
      return mergePatch(original, patch) as Json;
    case patchContentTypes.strategic:
      if (!isObject(patch)) throw new PatchError(400, 'strategic merge patch body must be a JSON object');
      return strategicMerge(original, patch);
    default:
      throw new PatchError(415, '415: Unsupported Media Type');
  }
}

// What the API server answers for any JSON patch it cannot apply: a failed `test`, a missing path, an unknown op.
const JSON_PATCH_FAILED = 'the server rejected our request due to an error in our request';

function jsonPatch(original: Json, patch: unknown): Json {
  if (!Array.isArray(patch))
    throw new PatchError(400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  if (fastJsonPatch.validate(patch as Operation[], original)) throw new PatchError(422, JSON_PATCH_FAILED);
  try {
    return fastJsonPatch.applyPatch(structuredClone(original), patch as Operation[], false, false)
      .newDocument;
  } catch {
    throw new PatchError(422, JSON_PATCH_FAILED);
  }
}

/** RFC 7386. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Json = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Strategic merge as the API server applies it: keyed lists merge element-wise, `$patch` directives honoured. */
export function strategicMerge(original: Json, patch: Json): Json {
  if (patch['$patch'] === 'replace') return stripDirectives(patch) as Json;
  const result: Json = structuredClone(original);
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = result[key];
    const mergeKey = mergeKeys[key];
    if (isObject(value) && value['$patch'] === 'delete') delete result[key];
    else if (isObject(value)) result[key] = strategicMerge(isObject(current) ? current : {}, value);
    else if (Array.isArray(value) && mergeKey !== undefined && value.every(isObject)) {
      result[key] = mergeList(Array.isArray(current) ? current : [], value, mergeKey);
    } else result[key] = stripDirectives(value);
  }
  return result;
}

function mergeList(current: unknown[], patch: Json[], key: string): unknown[] {
  if (patch.some((item) => item['$patch'] === 'replace')) {
    return patch.filter((item) => item['$patch'] !== 'replace').map(stripDirectives);
  }
  const result = [...current];
  for (const item of patch) {
    const index = result.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
    if (item['$patch'] === 'delete') {
      if (index !== -1) result.splice(index, 1);
    } else if (index === -1) result.push(stripDirectives(item));
    else result[index] = strategicMerge(result[index] as Json, item);
  }
  return result;
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('$'))
      .map(([key, inner]) => [key, stripDirectives(inner)]),
  );
}
