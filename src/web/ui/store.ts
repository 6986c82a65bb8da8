/**
 * The dashboard's state and the model derived from it. The engine runs here, in the browser: every
 * change recomputes the model with the same code the CLI and the API use (../common/model.ts).
 */
import { builtinLadder, type BuiltinLadder } from '../../engine/builtin-ladder.js';
import type { BaselineResult } from '../../engine/types.js';
import { errorLine } from '../../errors.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { uniqueNames } from '../../sources/index.js';
import { buildModel } from '../common/model.js';

export interface State {
  hosts: HostProfile[];
  /** Host names in the model */
  selected: Set<string>;
  /** Features the user left out */
  disabled: Set<string>;
  allowTsx: boolean;
  qemu: string;
  name: string;
  /** Hosts added in the browser (removable; the server's own are not) */
  added: Set<string>;
}

export interface Derived {
  model: BaselineResult | null;
  /** Why there is no model (no hosts, an unknown feature, ...) */
  error: string | null;
  /** A QEMU version that is not one: said at the field, the model is built without it */
  qemuError: string | null;
  /** Built-in types ticked or crossed against the selected hosts */
  ladder: BuiltinLadder;
  selectedHosts: HostProfile[];
  /** Feature -> how many selected hosts offer it */
  counts: Map<string, number>;
  /** Every feature any loaded host offers */
  union: string[];
}

type Listener = (s: State, d: Derived) => void;

export interface SubscribeOptions {
  /** Below-the-fold panels: rendered in a task of their own after the visible ones, so input is never blocked long */
  defer?: boolean;
}

/** Resolves after the next frame is painted: what comes after does not delay it. */
function afterPaint(): Promise<void> {
  return new Promise<void>((done) => requestAnimationFrame(() => setTimeout(done)));
}

export class Store {
  state: State = {
    hosts: [],
    selected: new Set(),
    disabled: new Set(),
    allowTsx: false,
    qemu: '',
    name: '',
    added: new Set(),
  };
  derived: Derived = derive(this.state);
  private listeners: Listener[] = [];
  private deferred: Listener[] = [];
  private pending = false;
  private generation = 0;
  /** Resolves when every panel, deferred ones included, shows the latest state */
  settled: Promise<void> = Promise.resolve();

  /** Deferred listeners also get their first call after the next painted frame, not right away. */
  subscribe(fn: Listener, opts: SubscribeOptions = {}): void {
    if (!opts.defer) return void this.listeners.push(fn);
    this.deferred.push(fn);
    const gen = this.generation;
    this.firstFrame ??= afterPaint();
    const frame = this.firstFrame;
    // one panel per task after the shared first frame, so input is never blocked for long
    this.settled = this.settled
      .then(() => frame)
      .then(
        () =>
          new Promise<void>((done) =>
            setTimeout(() => {
              // a newer change has its own round, which calls this panel too
              if (gen === this.generation) fn(this.state, this.derived);
              done();
            }),
          ),
      );
  }

  private firstFrame: Promise<void> | null = null;

  /** Changes are batched: a burst of toggles recomputes the model once. */
  update(change: (s: State) => void): void {
    change(this.state);
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.derived = derive(this.state);
      for (const fn of this.listeners) fn(this.state, this.derived);
      const gen = ++this.generation;
      this.settled = this.deferred.reduce(
        (prev, fn) =>
          prev.then(
            () =>
              new Promise<void>((done) =>
                setTimeout(() => {
                  // A newer change supersedes this round; its own round renders the panel
                  if (gen === this.generation) fn(this.state, this.derived);
                  done();
                }),
              ),
          ),
        afterPaint(),
      );
    });
  }

  /** New hosts join the model (names kept unique across everything loaded); `fromUser` ones can be removed. */
  addHosts(hosts: HostProfile[], fromUser = false): HostProfile[] {
    const all = uniqueNames([...this.state.hosts, ...hosts]);
    const added = all.slice(this.state.hosts.length);
    this.update((s) => {
      s.hosts = all;
      for (const h of added) s.selected.add(h.name);
      if (fromUser) for (const h of added) s.added.add(h.name);
    });
    return added;
  }

  /** Only hosts added in the browser can go; the server's inputs stay. */
  removeHost(name: string): void {
    if (!this.state.added.has(name)) return;
    this.update((s) => {
      s.hosts = s.hosts.filter((h) => h.name !== name);
      s.selected.delete(name);
      s.added.delete(name);
    });
  }
}

function derive(s: State): Derived {
  const selectedHosts = s.hosts.filter((h) => s.selected.has(h.name));
  const counts = new Map<string, number>();
  const union = new Set<string>();
  for (const h of s.hosts) for (const f of h.features) union.add(f);
  for (const h of selectedHosts) for (const f of h.features) counts.set(f, (counts.get(f) ?? 0) + 1);
  let model: BaselineResult | null = null;
  let error: string | null = null;
  // A half-typed version must not blank the model: it is built without it and the field says why
  const qemuError =
    s.qemu && !/^\d+\.\d+(\.\d+)?$/.test(s.qemu) ? `"${s.qemu}" is not a QEMU version like 7.2 or 8.1.5` : null;
  const qemu = s.qemu && !qemuError ? s.qemu : null;
  // Computed once: the ladder panel draws it, and the model's report names its richest type
  const ladder = builtinLadder(selectedHosts, { qemu });
  if (!s.hosts.length) error = 'No hosts loaded yet: add host data below.';
  else if (!selectedHosts.length) error = 'No hosts selected: tick at least one host.';
  else {
    try {
      model = buildModel(
        selectedHosts,
        {
          disabled: [...s.disabled],
          allowTsx: s.allowTsx,
          ...(qemu ? { qemu } : {}),
          ...(s.name.trim() ? { name: s.name.trim() } : {}),
        },
        ladder,
      );
    } catch (e) {
      error = errorLine(e);
    }
  }
  return { model, error, qemuError, ladder, selectedHosts, counts, union: [...union].sort() };
}
