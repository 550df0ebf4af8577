// Every distinct string of the columnar records (keys, timestamps, statement ids…) once, addressed by an
// integer id. Append-only, so an id stays valid for every index built on the pool; the lookup map is built
// only when something is interned (a store that was just loaded and only serves reads never builds it).
export class StringPool {
  readonly strings: string[];
  private ids: Map<string, number> | null = null;

  constructor(strings: string[] = []) {
    this.strings = strings;
  }

  get size(): number {
    return this.strings.length;
  }

  at(id: number): string {
    return this.strings[id];
  }

  intern(s: string): number {
    if (this.ids === null) {
      this.ids = new Map();
      for (let i = 0; i < this.strings.length; i++) this.ids.set(this.strings[i], i);
    }
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}
