// A small typed event emitter (no dependency on node:events, so it runs in browsers).
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(data: never) => void>>();

  // Adds a listener; returns a function that removes it.
  on<K extends keyof Events>(event: K, listener: (data: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (data: never) => void);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: (data: Events[K]) => void): void {
    this.listeners.get(event)?.delete(listener as (data: never) => void);
  }

  // A listener that throws does not stop the others nor the session: it is reported async.
  protected emit<K extends keyof Events>(event: K, data: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (data: Events[K]) => void)(data);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }
}
