// ShareSync receive page: where unfinished uploads are remembered, so that a reload, a closed tab
// or a laptop that slept costs at most the bytes in flight.
//
// Each entry is kept under the share token, the file's path, size and modification time, and
// holds the upload address the server gave. The store sits on anything with the Web Storage
// methods (getItem, setItem, removeItem, and its keys from Object.keys): the page passes
// window.localStorage, the node tests a Map-backed memoryStorage(). It touches no DOM.

const PREFIX = 'sharesync.upload.v1:';
// The server forgets unfinished uploads well before this; older entries only take room.
export const MAX_AGE_MS = 7 * 24 * 3600 * 1000;

// A Web Storage look-alike in memory, for tests and for browsers that refuse localStorage.
export function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => {
      items.set(key, String(value));
    },
    removeItem: (key) => {
      items.delete(key);
    },
    keys: () => [...items.keys()],
  };
}

export class ResumeStore {
  // storage: window.localStorage, memoryStorage(), or null when none can be had; now: the clock.
  constructor(storage, { now = Date.now } = {}) {
    this.storage = storage;
    this.now = now;
  }

  static key(token, path, size, lastModified) {
    return `${PREFIX}${token}:${size}:${lastModified}:${path}`;
  }

  // The entry under key, or null when there is none or it is not one of ours.
  get(key) {
    try {
      const value = JSON.parse(this.storage?.getItem(key) ?? 'null');
      return value !== null && typeof value === 'object' && typeof value.url === 'string'
        ? value
        : null;
    } catch {
      return null;
    }
  }

  // Stores what is needed to go on with an upload, stamped with the time it was created.
  remember(key, { url, path, size, lastModified, expires = null }) {
    const value = { url, path, size, lastModified, created: this.now(), expires };
    try {
      this.storage?.setItem(key, JSON.stringify(value));
    } catch {
      // Private windows and full storage only lose the ability to resume after a reload.
    }
  }

  forget(key) {
    try {
      this.storage?.removeItem(key);
    } catch {
      // Nothing to do: see remember().
    }
  }

  #keys() {
    if (this.storage === null)
      return [];
    return typeof this.storage.keys === 'function'
      ? this.storage.keys()
      : Object.keys(this.storage);
  }

  // Entries of this share, oldest first, as { key, url, path, size, lastModified, created,
  // expires }, after dropping (for every share) those the server has surely forgotten.
  list(token) {
    const prefix = `${PREFIX}${token}:`;
    const now = this.now();
    const found = [];
    let keys;
    try {
      keys = this.#keys();
    } catch {
      return found;
    }
    for (const key of keys) {
      if (!key.startsWith(PREFIX))
        continue;
      const value = this.get(key);
      const expired = value === null ||
        (Number.isFinite(value.expires) && value.expires < now) ||
        !Number.isFinite(value.created) || value.created + MAX_AGE_MS < now;
      if (expired)
        this.forget(key);
      else if (key.startsWith(prefix) && typeof value.path === 'string' &&
               Number.isFinite(value.size) && Number.isFinite(value.lastModified))
        found.push({ key, ...value });
    }
    return found.sort((a, b) => a.created - b.created);
  }
}
