// Usage counters: one slot per distinct (target, access, user, role, UTC day), holding a count and the last
// time. Targets, users, roles and days are interned to small integers and slots live in growable typed
// arrays, so a million distinct keys cost tens of MB instead of a Map of objects. Records are materialized
// (sorted) once at the end.
import type { UsageRecord } from '../../src/model/lineage.ts';

class Interner {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();
  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }
}

function grow<T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T {
  const next = make(a.length * 2);
  next.set(a);
  return next;
}

/** The per-row part of a usage key: who and when. */
export interface UsageActor {
  readonly suffix: string;
  readonly user: number;
  readonly role: number;
  readonly day: number;
}

export class UsageCounter {
  private readonly targets = new Interner();
  private readonly users = new Interner();
  private readonly roles = new Interner();
  private readonly days = new Interner();
  private readonly slots = new Map<string, number>();
  private size = 0;
  private target = new Int32Array(1024);
  /** user id, role id (0 = none), day id, access (0 read, 1 write) packed per slot. */
  private who = new Int32Array(4096);
  private count = new Float64Array(1024);
  private lastAt = new Float64Array(1024);

  constructor() {
    this.roles.id(''); // id 0: no role
  }

  /** Interns a target key (relation or column) once, e.g. when a statement is first analysed. */
  targetId(key: string): number {
    return this.targets.id(key);
  }

  actor(user: string, role: string | undefined, day: string): UsageActor {
    const u = this.users.id(user);
    const r = this.roles.id(role ?? '');
    const d = this.days.id(day);
    return { suffix: `:${u}:${r}:${d}`, user: u, role: r, day: d };
  }

  add(target: number, access: 'read' | 'write', actor: UsageActor, n: number, atMs: number): void {
    const key = `${target}${access === 'read' ? 'r' : 'w'}${actor.suffix}`;
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.size++;
      this.slots.set(key, slot);
      if (slot >= this.target.length) {
        this.target = grow(this.target, (k) => new Int32Array(k));
        this.who = grow(this.who, (k) => new Int32Array(k));
        this.count = grow(this.count, (k) => new Float64Array(k));
        this.lastAt = grow(this.lastAt, (k) => new Float64Array(k));
      }
      this.target[slot] = target;
      this.who.set([actor.user, actor.role, actor.day, access === 'read' ? 0 : 1], slot * 4);
      this.lastAt[slot] = atMs;
    }
    this.count[slot] += n;
    if (atMs > this.lastAt[slot]) this.lastAt[slot] = atMs;
  }

  get distinctKeys(): number {
    return this.size;
  }

  /** All records except those `skip` rejects, sorted by (target, access, user, role, day). */
  records(skip: (target: string) => boolean): UsageRecord[] {
    // Sort slot numbers by the ranks of their interned strings: no per-record key strings.
    const rank = (values: string[]): Int32Array => {
      const order = values
        .map((_, i) => i)
        .sort((a, b) => (values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : 0));
      const r = new Int32Array(values.length);
      order.forEach((id, pos) => (r[id] = pos));
      return r;
    };
    const tr = rank(this.targets.values);
    const ur = rank(this.users.values);
    const rr = rank(this.roles.values);
    const dr = rank(this.days.values);
    const who = this.who;
    const slots: number[] = [];
    const skipped = new Uint8Array(this.targets.values.length);
    this.targets.values.forEach((t, id) => (skipped[id] = skip(t) ? 1 : 0));
    for (let s = 0; s < this.size; s++) if (!skipped[this.target[s]]) slots.push(s);
    slots.sort(
      (a, b) =>
        tr[this.target[a]] - tr[this.target[b]] ||
        who[a * 4 + 3] - who[b * 4 + 3] ||
        ur[who[a * 4]] - ur[who[b * 4]] ||
        rr[who[a * 4 + 1]] - rr[who[b * 4 + 1]] ||
        dr[who[a * 4 + 2]] - dr[who[b * 4 + 2]],
    );
    return slots.map((s) => {
      const w = s * 4;
      const record: UsageRecord = {
        target: this.targets.values[this.target[s]],
        access: who[w + 3] === 0 ? 'read' : 'write',
        user: this.users.values[who[w]],
        day: this.days.values[who[w + 2]],
        count: this.count[s],
        lastAt: new Date(this.lastAt[s]).toISOString(),
      };
      if (who[w + 1] !== 0) record.role = this.roles.values[who[w + 1]];
      return record;
    });
  }
}
