// Minimal disposable event emitter (onDidX style).

export interface Disposable {
  dispose(): void;
}

export class Emitter<T> {
  private listeners = new Set<(e: T) => void>();
  readonly event = (listener: (e: T) => void): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // A faulty listener must not break the engine.
      }
    }
  }
  dispose(): void {
    this.listeners.clear();
  }
}
