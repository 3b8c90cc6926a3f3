import type { Ports } from "../../src/ports";
import type { DocumentCollection, DocumentStore } from "../../src/ports/document-store";
import type { TestHost } from "./host";

/** Replaces one of the use cases' ports for the duration of a test (fault injection); returns the undo. */
export function patchPort<K extends keyof Ports>(host: TestHost, key: K, replacement: Ports[K]): () => void {
  const ports = host.runtime.app.ports as { -readonly [P in keyof Ports]: Ports[P] };
  const original = ports[key];
  ports[key] = replacement;
  return () => {
    ports[key] = original;
  };
}

/** A document store whose collection `name` misbehaves as `wrap` says; every other call goes through. */
export function wrapCollection(
  base: DocumentStore,
  name: string,
  wrap: (c: DocumentCollection) => Partial<DocumentCollection>,
): DocumentStore {
  return {
    ...base,
    ping: () => base.ping(),
    collection(db, container) {
      const c = base.collection(db, container);
      if (container !== name) return c;
      const over = wrap(c);
      return new Proxy(c, {
        get(target, prop, receiver) {
          const o = over[prop as keyof DocumentCollection];
          if (o) return o;
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    },
  };
}

/** A document store that tells `onCall` of every collection call (database, collection, method, arguments) first. */
export function observedStore(
  base: DocumentStore,
  onCall: (call: { db: string; collection: string; method: string; args: unknown[] }) => void,
): DocumentStore {
  return {
    ping: () => base.ping(),
    collection(db, name) {
      const c = base.collection(db, name);
      return new Proxy(c, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (typeof v !== "function") return v;
          return (...args: unknown[]) => {
            onCall({ db, collection: name, method: String(prop), args });
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    },
  };
}
