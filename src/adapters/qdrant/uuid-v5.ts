import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Namespace of medic's incident point ids (fixed forever: changing it orphans every stored point). */
export const INCIDENT_NAMESPACE = '17ca82e8-a261-48c1-92db-93a084ea8a0b';

/** Name-based UUID, version 5 (SHA-1), per RFC 4122 §4.3 / RFC 9562 §5.5. */
export function uuidV5(name: string, namespace: string): string {
  if (!UUID.test(namespace)) throw new TypeError(`UUID namespace "${namespace}" is not a UUID`);
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The Qdrant point id of an incident: stable, so upserting the same incident replaces its point. */
export function incidentPointId(incidentId: string): string {
  return uuidV5(incidentId, INCIDENT_NAMESPACE);
}
