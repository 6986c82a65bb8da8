/** The dashboard: loads the server's hosts, then everything else runs here on the same engine as the CLI. */
import { createAddHosts } from './add-hosts.js';
import { createAnswerPanel } from './answer-panel.js';
import { fetchHosts } from './api-client.js';
import { h, section } from './dom.js';
import { loadDriftPanel } from './drift-panel.js';
import { createFeaturesPanel } from './features-panel.js';
import { createHostPicker } from './host-picker.js';
import { createInspector } from './inspector.js';
import { createLadderPanel } from './ladder-panel.js';
import { createLostPanel } from './lost-panel.js';
import { createMatrix } from './matrix-view.js';
import { keepSession, sessionKey } from './session.js';
import { modelSentence, statusLine, announce } from './status-line.js';
import { mountPlanPanel } from './plan-panel.js';
import { mountDrainPanel } from './drain-panel.js';
import { Store } from './store.js';
import { createVmsPanel } from './vms-panel.js';
import { createWarningsPanel } from './warnings-panel.js';
import { createWhatIfPanel } from './whatif-panel.js';

const NAV: Array<[string, string]> = [
  ['model', 'Answer'],
  ['matrix', 'Hosts × features'],
  ['features', 'Features'],
  ['whatif', 'What if'],
  ['vms', 'Check VMs'],
  ['add', 'Add hosts'],
  ['drift', 'Drift'],
];

function layout(store: Store, drift: HTMLElement): HTMLElement {
  const answer = createAnswerPanel(store);
  return h(
    'main',
    { id: 'main', class: 'content' },
    h(
      'section',
      { id: 'model', class: 'panel answer-panel', 'aria-labelledby': 'model-title' },
      h('h2', { id: 'model-title' }, 'Your CPU model'),
      createWarningsPanel(store, 'breaks'),
      h(
        'div',
        { class: 'answer-grid' },
        answer.el,
        h(
          'div',
          { class: 'ladder-col' },
          h('h3', { class: 'ladder-title' }, 'Built-in types on these hosts'),
          createLadderPanel(store),
        ),
      ),
      createWarningsPanel(store, 'rest'),
    ),
    section('matrix', 'Hosts × features', createMatrix(store, createInspector(store))),
    section(
      'features',
      'Features in the model',
      createFeaturesPanel(store),
      h('h3', {}, 'Left out, by cause'),
      createLostPanel(store),
    ),
    section('whatif', 'What if a CPU model left?', createWhatIfPanel(store)),
    section('vms', 'Check VMs before migrating', createVmsPanel(store)),
    section('add', 'Add hosts', createAddHosts(store)),
    drift,
  );
}

async function main(): Promise<void> {
  // Asked for first: the hosts travel while the panels are built
  const hostsReply = fetchHosts();
  const store = new Store();
  // The panels are built once, with the hosts: one layout instead of an empty one and a full one
  const res = await hostsReply;
  if (res.ok) {
    store.addHosts(res.value.hosts);
    keepSession(store, sessionKey(res.value.hosts));
    await null; // the model is derived in the microtask addHosts queued
  }
  const root = document.getElementById('app')!;
  store.subscribe((s, d) => announce(modelSentence(s, d)));
  announce(modelSentence(store.state, store.derived));

  const driftBody = h('div');
  const drift = section('drift', 'Feature drift', driftBody);
  drift.hidden = true;
  const main = layout(store, drift);
  root.replaceChildren(
    h('a', { href: '#main', class: 'skip' }, 'Skip to content'),
    h(
      'header',
      { class: 'topbar' },
      h(
        'div',
        { class: 'brand' },
        h('span', { class: 'logo', 'aria-hidden': 'true' }, '⇄'),
        h('h1', {}, 'migratable'),
        statusLine(),
      ),
      h(
        'nav',
        { 'aria-label': 'Sections' },
        NAV.map(([id, label]) => h('a', { href: `#${id}`, 'data-nav': id }, label)),
      ),
    ),
    h(
      'div',
      { class: 'layout' },
      h('aside', { class: 'sidebar', 'aria-labelledby': 'hosts-title' }, createHostPicker(store)),
      main,
    ),
  );

  // Drift is independent of the first render: asked for in parallel, shown when it answers
  const driftLink = root.querySelector<HTMLElement>('[data-nav="drift"]')!;
  driftLink.hidden = true;
  void loadDriftPanel(drift, driftBody).then(() => (driftLink.hidden = drift.hidden));
  void mountPlanPanel(main, root.querySelector('nav')).then(() => mountDrainPanel(main, root.querySelector('nav')));
  if (!res.ok) root.prepend(h('p', { class: 'notice error', role: 'alert' }, `Could not load hosts: ${res.error}`));
  // Started without inputs: adding hosts is the only thing to do, so it comes first
  if (!res.ok || !res.value.hosts.length) main.prepend(main.querySelector('#add')!);
  // Tests and the benchmark wait for these: the visible panels rendered (interactive), then every panel
  queueMicrotask(() => {
    requestAnimationFrame(() => document.body.setAttribute('data-ready', String(performance.now())));
    void store.settled.then(() => document.body.setAttribute('data-settled', String(performance.now())));
  });
}

void main();
