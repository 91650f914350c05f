import type { KubeObject } from '../../domain/evidence/telemetry.js';

export interface StoredKind {
  kind: string;
  namespaced: boolean;
}

/** The replay server's objects; every write takes the next resourceVersion, as etcd's revision does. */
export class KubeReplayStore {
  private objects: KubeObject[];
  private revision: number;
  private uids = 0;

  constructor(objects: readonly KubeObject[]) {
    let rv = 1000;
    this.objects = objects.map((original) => {
      const object = structuredClone(original);
      rv += 1;
      object.metadata['resourceVersion'] ??= String(rv);
      object.metadata.uid ??= `00000000-0000-4000-8000-${String(rv).padStart(12, '0')}`;
      return object;
    });
    this.revision = rv;
  }

  /** The store's latest resourceVersion, as a list answers it. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  of(resource: StoredKind, namespace: string | null): KubeObject[] {
    return this.objects.filter(
      (o) =>
        o.kind === resource.kind &&
        (namespace === null || (o.metadata.namespace ?? 'default') === namespace || !resource.namespaced),
    );
  }

  find(kind: string, namespace: string | null, name: string): KubeObject | undefined {
    return this.objects.find(
      (o) =>
        o.kind === kind &&
        o.metadata.name === name &&
        (namespace === null || (o.metadata.namespace ?? 'default') === namespace),
    );
  }

  /** Stores `object` in place of the one with its uid (or as a new one) under the next resourceVersion. */
  put(object: KubeObject): KubeObject {
    this.revision += 1;
    object.metadata['resourceVersion'] = String(this.revision);
    const index = this.objects.findIndex((o) => o.metadata.uid === object.metadata.uid);
    if (index === -1) {
      this.uids += 1;
      object.metadata.uid ??= `00000000-0000-4000-9000-${String(this.uids).padStart(12, '0')}`;
      object.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      this.objects.push(object);
    } else {
      this.objects[index] = object;
    }
    return object;
  }

  remove(object: KubeObject): void {
    this.revision += 1;
    this.objects = this.objects.filter((o) => o.metadata.uid !== object.metadata.uid);
  }
}
