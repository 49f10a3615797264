// bittorrent-me dashboard. Plain JS, no build step. Live by GET /events only (EventSource reconnects by itself and
// sends Last-Event-ID, so a reconnect replays what was missed); every state-changing call is a same-origin POST.
// An ES module (no build step): the table (grid.js), the details pane (details.js) and the status bar
// (statusbar.js) are modules of their own; this file keeps the list's data, the dialogs and the live stream.
import { bytes, speed, eta, num, plural } from './format.js';
import { createGrid, STATE_COLOURS, stateReason, stateWords } from './grid.js';
import { createDetails, createHistory } from './details.js';
import { createStatusBar } from './statusbar.js';
import { createLibrary } from './library.js';
import { unauthorized } from './session.js';

(function () {
  const torrents = new Map();   // torrent_id -> {id, status, card, multi}
  const $ = (id) => document.getElementById(id);

  const ACTIONS = {
    queued: ['pause', 'stop'], checking: ['pause', 'stop'], downloading: ['pause', 'stop'], metadata: ['pause', 'stop'],
    seeding: ['pause', 'stop'], stalled: ['pause', 'stop'], paused: ['resume', 'stop'], stopped: ['start'], completed: ['start'], error: ['start'],
    moving: []
  };

  // ---- toasts -----------------------------------------------------------------------------------------------
  const MAX_TOASTS = 4;
  function toast(message, kind) {
    const box = document.createElement('div');
    box.className = 'notification ' + (kind === 'error' ? 'is-danger' : kind === 'warning' ? 'is-warning' : 'is-success');
    box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    const close = document.createElement('button');
    close.className = 'delete';
    close.type = 'button';
    close.setAttribute('aria-label', 'dismiss');
    close.addEventListener('click', () => box.remove());
    const text = document.createElement('span');
    text.className = 'toast-text';
    text.textContent = message;
    box.append(close, text);
    const shelf = $('toasts');
    shelf.append(box);
    // at most MAX_TOASTS on screen: the oldest go first, so toasts never pile above the window
    while (shelf.children.length > MAX_TOASTS) shelf.firstElementChild.remove();
    setTimeout(() => box.remove(), kind === 'error' ? 10000 : 5000);
  }

  // ---- API calls --------------------------------------------------------------------------------------------
  async function call(method, url, body) {
    const options = { method, headers: { Accept: 'application/json' } };
    if (body instanceof FormData) {
      options.body = body;
    } else if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (e) {
      throw new Error('The service cannot be reached: ' + e.message);
    }
    if (response.status === 401) {
      // the session ended (signed out elsewhere, password changed, expired): sign in again, then come back
      unauthorized();
    }
    let data = null;
    try { data = await response.json(); } catch (e) { /* not JSON */ }
    if (!response.ok) {
      const detail = data && data.detail ? data.detail : response.status + ' ' + response.statusText;
      const error = new Error(detail);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  // ---- modals -----------------------------------------------------------------------------------------------
  let lastFocus = null;
  const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
  function anyModalOpen() { return document.querySelector('.modal.is-active') !== null; }
  // while a modal is open the page behind it is inert: no clicks, no Tab stops, hidden from screen readers
  function setBackgroundInert(inert) {
    document.querySelectorAll('.page-part').forEach((part) => { part.inert = inert; });
  }
  function openModal(id, focusFirst) {
    lastFocus = document.activeElement;
    const modal = $(id);
    modal.classList.add('is-active');
    setBackgroundInert(true);
    const first = focusFirst || modal.querySelector('input:not([type=hidden]), select, button:not(.delete)');
    if (first) first.focus();
  }
  function closeModal(modal) {
    modal.classList.remove('is-active');
    if (!anyModalOpen()) setBackgroundInert(false);
    if (lastFocus && document.contains(lastFocus)) lastFocus.focus();
  }
  // Tab and Shift+Tab cycle inside the open modal (a focus trap)
  function trapFocus(e) {
    const modal = document.querySelector('.modal.is-active');
    if (!modal) return;
    const stops = Array.from(modal.querySelectorAll(FOCUSABLE)).filter((el) => el.offsetParent !== null || el === document.activeElement);
    if (!stops.length) return;
    const first = stops[0];
    const last = stops[stops.length - 1];
    if (!modal.contains(document.activeElement)) { e.preventDefault(); first.focus(); }
    else if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  }
  document.addEventListener('click', (e) => {
    const closer = e.target.closest('[data-close]');
    if (closer) closeModal(closer.closest('.modal'));
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') document.querySelectorAll('.modal.is-active').forEach(closeModal);
    if (e.key === 'Tab') trapFocus(e);
  });

  // ---- settings fields (upload dialog and settings modal share them) --------------------------------------------
  const SETTINGS = [
    { key: 'speed_limit', label: 'Download limit', unit: 'KB/s', help: '0 = unlimited', type: 'number' },
    { key: 'upload_limit', label: 'Upload limit', unit: 'KB/s', help: '0 = unlimited', type: 'number' },
    { key: 'max_peers', label: 'Maximum peers', unit: 'peers', help: 'peers kept connected at most', type: 'number' },
    { key: 'max_connections', label: 'Maximum connections', unit: 'connections', help: 'sockets at most, attempts included', type: 'number' },
    { key: 'auto_stop', label: 'Stop when complete (do not seed)', type: 'checkbox' },
    { key: 'verify_pieces', label: 'Verify data already on disk before starting', type: 'checkbox' },
    { key: 'pre_allocate', label: 'Reserve the full size on disk up front', type: 'checkbox' }
  ];
  function buildSettingsFields(container) {
    const prefix = container.dataset.prefix;
    const optional = prefix === 'add';
    for (const s of SETTINGS) {
      const id = prefix + '-' + s.key;
      const field = document.createElement('div');
      field.className = 'field';
      if (s.type === 'checkbox' && !optional) {
        field.innerHTML = '<label class="checkbox"><input type="checkbox"> <span></span></label>';
        field.querySelector('input').id = id;
        field.querySelector('span').textContent = s.label;
      } else if (s.type === 'checkbox') {
        // in the upload dialog "default" must be possible, so a three-way select
        field.innerHTML = '<label class="label"></label><div class="control"><div class="select is-small">'
          + '<select><option value="">default</option><option value="true">yes</option><option value="false">no</option></select></div></div>';
        field.querySelector('label').textContent = s.label;
        field.querySelector('label').htmlFor = id;
        field.querySelector('select').id = id;
      } else {
        field.innerHTML = '<label class="label"></label><div class="field has-addons"><div class="control is-expanded">'
          + '<input class="input" type="number" min="0" step="1"></div><div class="control">'
          + '<span class="button is-static"></span></div></div><p class="help"></p>';
        field.querySelector('label').textContent = s.label + ' (' + s.unit + ')';
        field.querySelector('label').htmlFor = id;
        const input = field.querySelector('input');
        input.id = id;
        input.name = s.key;
        if (optional) input.placeholder = 'default';
        field.querySelector('.button').textContent = s.unit;
        field.querySelector('.help').textContent = s.help;
      }
      container.append(field);
    }
  }
  function readSettings(prefix, onlyFilled) {
    const result = {};
    for (const s of SETTINGS) {
      const el = $(prefix + '-' + s.key);
      if (s.type === 'checkbox') {
        if (el.tagName === 'SELECT') {
          if (el.value !== '') result[s.key] = el.value === 'true';
        } else {
          result[s.key] = el.checked;
        }
      } else if (el.value.trim() !== '' || !onlyFilled) {
        result[s.key] = el.value.trim() === '' ? 0 : Number(el.value);
      }
    }
    return result;
  }

  // ---- the list ---------------------------------------------------------------------------------------------
  // Desktop: the table (grid.js) renders only the rows in view. Phone: cards, made only for what is shown.
  const phone = window.matchMedia('(max-width: 1023px)');
  const CARD_PAGE = 100;
  let cardLimit = CARD_PAGE;
  let grid = null;
  let details = null;
  let library = null;
  const history = createHistory();
  const knownFields = new Set();

  function entryFor(id) {
    let entry = torrents.get(id);
    if (!entry) {
      entry = { id, status: null, card: null, multi: null, busy: false };
      torrents.set(id, entry);
    }
    return entry;
  }
  function cardFor(entry) {
    if (entry.card) return entry.card;
    const id = entry.id;
    const card = document.createElement('article');
    card.className = 'box torrent';
    card.dataset.id = id;
    card.innerHTML = `
      <div class="is-flex is-justify-content-space-between is-align-items-start card-head">
        <h2 class="title is-6 mb-2 torrent-name"></h2>
        <span class="tag state-tag"></span>
      </div>
      <progress class="progress is-small" max="100" value="0"></progress>
      <div class="stats">
        <span class="progress-text"></span>
        <span><span aria-hidden="true">↓</span> <span class="visually-hidden">download speed</span><span class="down"></span></span>
        <span><span aria-hidden="true">↑</span> <span class="visually-hidden">upload speed</span><span class="up"></span></span>
        <span>peers <span class="peers"></span></span>
        <span>ETA <span class="eta"></span></span>
        <span>ratio <span class="ratio"></span></span>
      </div>
      <p class="help error-text" hidden></p>
      <div class="buttons are-small">
        <button type="button" class="button is-success" data-action="start">Start</button>
        <button type="button" class="button is-warning" data-action="pause">Pause</button>
        <button type="button" class="button is-info" data-action="resume">Resume</button>
        <button type="button" class="button" data-action="stop">Stop</button>
        <button type="button" class="button is-light" data-action="details">Details</button>
        <button type="button" class="button is-light" data-action="settings">Settings</button>
        <button type="button" class="button is-light" data-action="files" hidden>Files</button>
        <button type="button" class="button is-light" data-action="more" aria-haspopup="menu">More…</button>
        <button type="button" class="button is-danger is-outlined" data-action="remove">Remove</button>
      </div>`;
    card.querySelectorAll('[data-action]').forEach((b) => b.addEventListener('click', () => actOn([id], b.dataset.action, b)));
    entry.card = card;
    card.filled = null;
    knowFiles(entry).then(() => { card.querySelector('[data-action=files]').hidden = !entry.multi; });
    return card;
  }
  /** Whether the torrent has more than one file (then the Files dialog applies); asked once, when needed. */
  function knowFiles(entry) {
    if (entry.multi != null) return Promise.resolve(entry.multi);
    if (!entry.filesAsked) {
      entry.filesAsked = call('GET', '/files/' + encodeURIComponent(entry.id)).then((answer) => {
        entry.multi = !!(answer && answer.files && answer.files.length > 1);
        return entry.multi;
      }).catch(() => false);
    }
    return entry.filesAsked;
  }

  function render(id, status) {
    const entry = entryFor(id);
    status.smoothEta = smoothEta(entry, status);
    entry.status = status;
    for (const k in status) knownFields.add(k);
    if (library && status.category) library.noticeCategory(status.category);
    if (openFilesFor === id) refreshFileProgress();
    if (details) details.changed(id);
    updateEmpty();
    scheduleView();
  }

  // a card (phone): filled only while it is shown
  function fillCard(card, status, id) {
    if (card.filled === status) return;
    card.filled = status;
    const name = status.name || id;
    card.querySelector('.torrent-name').textContent = name;
    const tag = card.querySelector('.state-tag');
    tag.className = 'tag state-tag ' + (STATE_COLOURS[status.state] || 'is-light');
    tag.textContent = stateWords(status);
    const bar = card.querySelector('progress');
    bar.value = status.progress || 0;
    bar.textContent = (status.progress || 0) + '%';
    bar.className = 'progress is-small ' + (status.state === 'error' ? 'is-danger' : (status.progress >= 100 ? 'is-success' : 'is-info'));
    bar.setAttribute('aria-label', name + ' progress');
    // progress is of the selected files; the size beside it is what they add up to when the API says so
    card.querySelector('.progress-text').textContent = num(status.progress, 1) + '% of ' + bytes(status.selected_size > 0 ? status.selected_size : status.total_size);
    card.querySelector('.down').textContent = speed(status.download_speed);
    card.querySelector('.up').textContent = speed(status.upload_speed);
    const seeds = status.seeds != null ? ' (' + plural(status.seeds, 'seed', 'seeds') + ')' : '';
    card.querySelector('.peers').textContent = (status.peers != null ? status.peers : 0) + seeds;
    card.querySelector('.eta').textContent = eta(status.smoothEta, status.state);
    card.querySelector('.ratio').textContent = num(status.ratio != null ? status.ratio : 0, 2);
    const error = card.querySelector('.error-text');
    const why = stateReason(status);
    error.hidden = !why;
    error.textContent = why;
    error.classList.toggle('is-danger', status.state === 'error');
    const allowed = ACTIONS[status.state] || ['start'];
    card.querySelectorAll('[data-action]').forEach((b) => {
      const action = b.dataset.action;
      if (['start', 'pause', 'resume', 'stop'].includes(action)) b.hidden = !allowed.includes(action);
      b.setAttribute('aria-label', b.textContent + ' ' + name);
    });
  }

  // ---- search, state filters with counts, sorting: applied once per animation frame, whatever the event rate ----
  const view = { filter: 'all', search: '', category: '', tag: '' };
  const tagsOf = (s) => Array.isArray(s.tags) ? s.tags : (s.tags ? String(s.tags).split(',').map((t) => t.trim()).filter(Boolean) : []);
  let viewScheduled = false;
  function scheduleView() {
    if (viewScheduled) return;
    viewScheduled = true;
    requestAnimationFrame(() => { viewScheduled = false; applyView(); });
  }
  const isStalled = (s) => s.state === 'stalled' || (s.state === 'downloading' && !(s.download_speed > 0));
  const FILTERS = {
    all: () => true,
    downloading: (s) => s.state === 'downloading' || s.state === 'stalled',
    seeding: (s) => s.state === 'seeding',
    completed: (s) => (s.progress || 0) >= 100,
    paused: (s) => s.state === 'paused',
    active: (s) => (s.download_speed || 0) > 0 || (s.upload_speed || 0) > 0,
    stalled: isStalled,
    errored: (s) => s.state === 'error',
    checking: (s) => s.state === 'checking',
    queued: (s) => s.state === 'queued'
  };
  function sortValue(s, key) {
    if (key === 'eta') {
      const shown = s.smoothEta !== undefined ? s.smoothEta : s.eta; // the ETA the row shows
      return (s.state === 'downloading' && shown != null && shown >= 0 && isFinite(shown)) ? shown : Infinity;
    }
    const v = s[key];
    if (v == null) return key === 'name' ? '' : -Infinity;
    if (typeof v === 'string') {
      const t = key === 'added_on' || key === 'completion_on' ? Date.parse(v) : NaN;
      return isNaN(t) ? v.toLowerCase() : t;
    }
    if (Array.isArray(v)) return v.join(',').toLowerCase();
    return Number(v);
  }
  let lastCategoryCounts = new Map();
  function applyView() {
    const counts = Object.fromEntries(Object.keys(FILTERS).map((k) => [k, 0]));
    const search = view.search.toLowerCase();
    const shown = [];
    const categories = new Map();
    const tags = new Map();
    for (const entry of torrents.values()) {
      const s = entry.status;
      if (!s) continue;
      for (const k in FILTERS) if (FILTERS[k](s)) counts[k]++;
      if (s.category) categories.set(s.category, (categories.get(s.category) || 0) + 1);
      for (const t of tagsOf(s)) tags.set(t, (tags.get(t) || 0) + 1);
      if (FILTERS[view.filter](s) && (!search || (s.name || '').toLowerCase().includes(search)
          || entry.id.startsWith(search))
          && (!view.category || s.category === view.category) && (!view.tag || tagsOf(s).includes(view.tag))) shown.push(entry);
    }
    if (library) for (const name of library.categoryNames()) if (!categories.has(name)) categories.set(name, 0);
    lastCategoryCounts = categories;
    fillChoice($('category-filter'), categories, 'All categories');
    fillChoice($('tag-filter'), tags, 'All tags');
    document.querySelectorAll('#filters [data-filter]').forEach((b) => {
      const c = b.querySelector('.count');
      if (c.textContent !== String(counts[b.dataset.filter])) c.textContent = counts[b.dataset.filter];
    });
    const key = grid.view.sortKey;
    const dir = grid.view.sortDir;
    // each torrent's sort value computed once, not at each of the n log n comparisons
    const keyed = shown.map((entry) => [sortValue(entry.status, key), entry]);
    keyed.sort(([x, a], [y, b]) => (x < y ? -1 : x > y ? 1 : 0) * dir || (a.id < b.id ? -1 : 1));
    for (let i = 0; i < keyed.length; i++) shown[i] = keyed[i][1];
    $('shown-count').textContent = shown.length === torrents.size ? plural(torrents.size, 'download', 'downloads')
      : shown.length + ' of ' + plural(torrents.size, 'download', 'downloads') + ' shown';
    grid.setEntries(shown, knownFields);
    renderCards(shown);
    $('list-tools').hidden = torrents.size === 0;
    $('bulk-bar').hidden = torrents.size === 0;
    $('torrent-table').hidden = torrents.size === 0;
    updateBulk();
  }
  // categories and tags (when the service has them): a choice with live counts
  function fillChoice(select, counts, allLabel) {
    select.parentElement.hidden = counts.size === 0 && !select.value;
    const wanted = [['', allLabel]].concat(Array.from(counts.keys()).sort().map((k) => [k, k + ' (' + counts.get(k) + ')']));
    const now = Array.from(select.options).map((o) => o.value + '\u0000' + o.textContent).join('\u0001');
    if (now === wanted.map(([v, t]) => v + '\u0000' + t).join('\u0001')) return;
    const value = select.value;
    select.replaceChildren(...wanted.map(([v, t]) => { const o = document.createElement('option'); o.value = v; o.textContent = t; return o; }));
    select.value = counts.has(value) ? value : '';
    if (select.value !== value) { select.dispatchEvent(new Event('change')); } // that category is gone: show all
  }

  // phone: the first cards of what is shown (more on request), in the table's order
  function renderCards(shown) {
    const box = $('torrents');
    if (!phone.matches) { if (box.firstChild) box.replaceChildren(); $('more-cards').hidden = true; return; }
    const cards = shown.slice(0, cardLimit).map((entry) => { const c = cardFor(entry); fillCard(c, entry.status, entry.id); return c; });
    const current = box.children;
    let same = current.length === cards.length;
    for (let i = 0; same && i < cards.length; i++) same = current[i] === cards[i];
    if (!same) box.replaceChildren(...cards);
    $('more-cards').hidden = shown.length <= cardLimit;
    $('more-cards').textContent = 'Show ' + Math.min(CARD_PAGE, shown.length - cardLimit) + ' more';
  }

  // The engine's ETA is remaining / instant speed, so it jumps with every wobble of the speed. As qBittorrent and
  // Transmission do, the page averages the speed instead (an exponential moving average over a few seconds, by the
  // time between statuses) and shows remaining / average. The shown ETA then counts down with the clock and only
  // leaves that countdown when the average says it is more than 10 % off: jitter never makes it go up and down,
  // a real change of speed moves it within seconds.
  const ETA_TAU = 4;        // seconds: the average's time constant
  const ETA_BAND = 0.10;    // how far the countdown may be from the estimate before it follows it
  function smoothEta(entry, status) {
    const raw = status.eta;
    const rate = (status.download_speed || 0) * 1024; // bytes/s
    if (status.state !== 'downloading') { entry.eta = null; return raw; }
    const now = performance.now() / 1000;
    const size = status.selected_size > 0 ? status.selected_size : status.total_size;
    // what is left: the engine's own figure when it has one (eta x speed), else from the progress
    const left = raw > 0 && rate > 0 ? raw * rate : Math.max(0, (size || 0) * (100 - (status.progress || 0)) / 100);
    const e = entry.eta;
    if (!e) {
      if (!(rate > 0)) return raw;
      entry.eta = { at: now, rate, shown: left / rate };
      return entry.eta.shown;
    }
    const dt = Math.max(0, now - e.at);
    e.at = now;
    e.rate += (1 - Math.exp(-dt / ETA_TAU)) * (rate - e.rate);
    if (e.rate < 1) { e.shown = null; return null; } // nothing comes in any more: unknown (∞)
    const estimate = left / e.rate;
    const countdown = e.shown == null ? estimate : Math.max(0, e.shown - dt);
    e.shown = Math.min(Math.max(countdown, estimate * (1 - ETA_BAND)), estimate * (1 + ETA_BAND));
    return e.shown;
  }

  function forget(id) {
    const entry = torrents.get(id);
    if (entry && entry.card) entry.card.remove();
    torrents.delete(id);
    if (grid) grid.forget(id);
    history.forget(id);
    if (details && details.shown() === id) details.show(null);
    scheduleView();
    updateEmpty();
  }
  function updateEmpty() { $('empty').hidden = torrents.size > 0; }

  // ---- actions: on one torrent (a card's buttons) or on the selection (toolbar, context menu) -----------------
  const DONE = { start: 'Started', pause: 'Paused', resume: 'Resumed', stop: 'Stopped', recheck: 'Recheck started',
    reannounce: 'Asked the trackers again' };
  const CAN = {
    start: (s) => (ACTIONS[s.state] || ['start']).includes('start'),
    pause: (s) => (ACTIONS[s.state] || []).includes('pause'),
    resume: (s) => (ACTIONS[s.state] || []).includes('resume'),
    stop: (s) => (ACTIONS[s.state] || []).includes('stop'),
    recheck: (s) => s.state !== 'checking',
    reannounce: (s) => !['stopped', 'completed', 'error', 'queued', 'paused'].includes(s.state)
  };
  function nameOf(id) { const e = torrents.get(id); return e && e.status ? e.status.name : id; }
  async function actOn(ids, action, button) {
    if (action === 'select-all') return grid.selectAll();
    ids = ids.filter((id) => torrents.has(id));
    if (!ids.length) return;
    if (action === 'details') { details.show(ids[0]); if (phone.matches) $('details').scrollIntoView(); return; }
    if (action === 'settings') return ids.length === 1 ? openSettings(ids[0]) : openLimits(ids);
    if (action === 'limits') return openLimits(ids);
    if (action === 'files') return openFiles(ids[0]);
    if (action === 'remove') return openRemove(ids);
    if (action === 'magnet') return copyMagnet(ids);
    // a card's More… (phones): the context menu for that torrent, under the button
    if (action === 'more' && button) {
      grid.select(ids);
      const r = button.getBoundingClientRect();
      return openMenu(r.left, r.bottom);
    }
    if (library.handles(action)) return library.act(ids, action, button);
    // one request at a time per torrent: what is in flight is skipped (no double requests, no double toasts)
    const run = ids.filter((id) => !torrents.get(id).busy && (!CAN[action] || CAN[action](torrents.get(id).status)));
    if (!run.length) { toast('Nothing to ' + action + ' in the selection', 'warning'); return; }
    if (button) { button.disabled = true; button.classList.add('is-loading'); }
    run.forEach((id) => setBusy(torrents.get(id), true));
    const failures = [];
    let next = 0;
    // at most 6 requests at once: a thousand selected torrents do not flood the service
    await Promise.all(Array.from({ length: Math.min(6, run.length) }, async () => {
      while (next < run.length) {
        const id = run[next++];
        try {
          await call('POST', '/' + action + '/' + encodeURIComponent(id));
        } catch (e) {
          failures.push(nameOf(id) + ': ' + e.message);
        } finally {
          const entry = torrents.get(id);
          if (entry) setBusy(entry, false);
        }
      }
    }));
    if (button) { button.disabled = false; button.classList.remove('is-loading'); }
    const ok = run.length - failures.length;
    if (ok) toast(DONE[action] + ': ' + (run.length === 1 ? nameOf(run[0]) : plural(ok, 'download', 'downloads')));
    if (failures.length) toast('Could not ' + action + ' ' + failures.join('; '), 'error');
    updateBulk();
  }
  function setBusy(entry, busy) {
    entry.busy = busy;
    if (entry.card) {
      entry.card.setAttribute('aria-busy', String(busy));
      entry.card.querySelectorAll('[data-action]').forEach((b) => {
        if (['start', 'pause', 'resume', 'stop'].includes(b.dataset.action)) b.disabled = busy;
      });
    }
  }
  /** The toolbar follows the selection: an action is enabled when it applies to at least one selected torrent. */
  function updateBulk() {
    if (!grid) return;
    const ids = grid.selectedIds();
    const statuses = ids.map((id) => torrents.get(id).status);
    $('selection-count').textContent = ids.length ? plural(ids.length, 'download', 'downloads') + ' selected' : 'Nothing selected';
    document.querySelectorAll('[data-bulk]').forEach((b) => {
      const action = b.dataset.bulk;
      let on = ids.length > 0;
      if (CAN[action]) on = statuses.some((s) => CAN[action](s) && !torrents.get(ids[statuses.indexOf(s)]).busy);
      if (action === 'files') on = ids.length === 1 && torrents.get(ids[0]).multi === true;
      if (action === 'details' || action === 'settings') on = ids.length >= 1;
      if (action === 'select-all') on = torrents.size > 0;
      if (b.disabled !== !on && !b.classList.contains('is-loading')) b.disabled = !on;
    });
    if (library) library.selectionChanged(ids);
    if (ids.length === 1) knowFiles(torrents.get(ids[0])).then(() => { if (grid.selectedIds().length === 1) {
      const f = document.querySelector('#bulk-bar [data-bulk=files]');
      f.disabled = !torrents.get(ids[0]) || torrents.get(ids[0]).multi !== true;
    } });
  }
  // a form's submit button is locked while its request is in flight (no double requests, no double toasts)
  async function locked(button, work) {
    if (button.disabled) return;
    button.disabled = true;
    button.classList.add('is-loading');
    try { await work(); } finally { button.disabled = false; button.classList.remove('is-loading'); }
  }
  function magnetOf(id) {
    const s = torrents.get(id).status;
    let link = 'magnet:?xt=urn:btih:' + id + '&dn=' + encodeURIComponent(s.name || id);
    for (const t of s.trackers || []) link += '&tr=' + encodeURIComponent(t.url);
    return link;
  }
  async function copyMagnet(ids) {
    const text = ids.map(magnetOf).join('\n');
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      // no clipboard API (plain http on another host): the old way, through a selected text field
      const area = document.createElement('textarea');
      area.value = text;
      area.className = 'visually-hidden';
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    $('magnet-copied').textContent = text;
    toast(ids.length === 1 ? 'Magnet link copied: ' + nameOf(ids[0]) : plural(ids.length, 'magnet link', 'magnet links') + ' copied');
  }

  // ---- the context menu: the toolbar's actions beside the pointer, or under the focused row (Menu, Shift+F10) -----
  let menuReturn = null;
  function openMenu(x, y) {
    const menu = $('context-menu');
    updateBulk();
    menu.querySelectorAll('[data-menu]').forEach((item) => {
      const twin = document.querySelector('#bulk-bar [data-bulk="' + item.dataset.menu + '"]');
      item.disabled = twin ? twin.disabled : grid.selectedIds().length === 0;
    });
    menu.hidden = false;
    const w = menu.offsetWidth;
    const h = menu.offsetHeight;
    menu.style.left = Math.max(4, Math.min(x, window.innerWidth - w - 4)) + 'px';
    menu.style.top = Math.max(4, Math.min(y, window.innerHeight - h - 4)) + 'px';
    menuReturn = document.activeElement;
    const first = menu.querySelector('[data-menu]:not([disabled])');
    if (first) first.focus();
  }
  function closeMenu(refocus) {
    const menu = $('context-menu');
    if (menu.hidden) return;
    menu.hidden = true;
    if (refocus && menuReturn && document.contains(menuReturn)) menuReturn.focus();
  }
  function menuKeys(e) {
    const items = Array.from($('context-menu').querySelectorAll('[data-menu]:not([disabled])'));
    const at = items.indexOf(document.activeElement);
    if (e.key === 'ArrowDown') { e.preventDefault(); items[(at + 1) % items.length].focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); items[(at - 1 + items.length) % items.length].focus(); }
    else if (e.key === 'Home') { e.preventDefault(); items[0].focus(); }
    else if (e.key === 'End') { e.preventDefault(); items[items.length - 1].focus(); }
    else if (e.key === 'Escape' || e.key === 'Tab') { e.preventDefault(); closeMenu(true); }
  }

  let chosenFiles = [];
  function openAdd(files, magnet) {
    chosenFiles = files ? Array.from(files) : [];
    $('add-form').reset();   // every add starts from the defaults, never the previous add's settings
    $('add-magnet').value = magnet || '';
    $('add-modal').querySelector('details').open = false;
    library.resetAdd();   // category, tags, save path and "start at once" too
    showChosen();
    openModal('add-modal');
  }
  function showChosen() {
    $('add-chosen').textContent = chosenFiles.length
      ? chosenFiles.map((f) => f.name).join(', ')
      : 'Or drop them on this dialog.';
  }
  // a file that is not a .torrent is refused at once, not after pressing Add
  function acceptTorrents(files) {
    const ok = files.filter((f) => /\.torrent$/i.test(f.name));
    const refused = files.filter((f) => !ok.includes(f));
    if (refused.length) toast('Not a .torrent file: ' + refused.map((f) => f.name).join(', '), 'error');
    return ok;
  }
  async function uploadAll(files, settings, options) {
    for (const file of files) {
      const form = new FormData();
      form.append('file', file, file.name);
      if (Object.keys(settings).length) form.append('settings', JSON.stringify(settings));
      if (options.savePath) form.append('save_path', options.savePath);
      try {
        const answer = await call('POST', '/upload', form);
        toast('Added ' + answer.name);
        await library.afterAdd(answer.torrent_id, answer.name, options);
      } catch (e) {
        toast(file.name + ': ' + e.message, 'error');
      }
    }
  }

  // a magnet link pasted or dropped as text (BEP 9)
  function magnetIn(text) {
    const m = /magnet:\?[^\s"'<>]+/i.exec(text || '');
    return m ? m[0] : null;
  }
  // a magnet link, or a web address of a .torrent file (fetched by the service)
  async function addMagnet(link, settings, options) {
    const web = /^https?:\/\//i.test(link);
    const body = web ? { url: link } : { magnet: link };
    if (Object.keys(settings).length) body.settings = settings;
    try {
      const answer = await call('POST', '/upload', body);
      toast(answer.message === 'Magnet link added' ? 'Added ' + answer.name + ': it fetches its metadata from peers once started'
        : 'Added ' + answer.name);
      // a magnet link has no files yet: its save path is set by moving it (nothing to move yet)
      if (options.savePath) {
        try { await call('POST', '/location/' + encodeURIComponent(answer.torrent_id), { save_path: options.savePath }); } catch (e) { toast(answer.name + ': save path not set: ' + e.message, 'error'); }
      }
      await library.afterAdd(answer.torrent_id, answer.name, options);
    } catch (e) {
      toast((web ? 'Web address: ' : 'Magnet link: ') + e.message, 'error');
    }
  }

  // settings
  let settingsFor = null;
  function openSettings(id) {
    settingsFor = id;
    const status = torrents.get(id).status;
    $('settings-title').textContent = 'Settings: ' + status.name;
    const current = status.settings || {};
    for (const s of SETTINGS) {
      const el = $('edit-' + s.key);
      if (s.type === 'checkbox') el.checked = !!current[s.key];
      else el.value = current[s.key] != null ? current[s.key] : 0;
    }
    openModal('settings-modal');
  }

  // limits for several torrents at once: only the fields filled in change
  let limitsFor = [];
  function openLimits(ids) {
    limitsFor = ids;
    $('limits-title').textContent = 'Limits for ' + plural(ids.length, 'download', 'downloads');
    $('limits-form').reset();
    openModal('limits-modal');
  }
  async function saveLimits() {
    const body = {};
    for (const key of ['speed_limit', 'upload_limit']) {
      const v = $('limits-' + key).value.trim();
      if (v !== '') body[key] = Number(v);
    }
    if (!Object.keys(body).length) { toast('Fill in a limit, or press Cancel', 'warning'); return; }
    const failures = [];
    for (const id of limitsFor) {
      try { await call('POST', '/settings/' + encodeURIComponent(id), body); } catch (e) { failures.push(nameOf(id) + ': ' + e.message); }
    }
    closeModal($('limits-modal'));
    if (failures.length < limitsFor.length) toast('Limits saved: ' + plural(limitsFor.length - failures.length, 'download', 'downloads'));
    if (failures.length) toast('Limits not saved for ' + failures.join('; '), 'error');
  }

  // files
  let openFilesFor = null;
  let fileRows = new Map();   // path -> {checkbox, bar, text}
  async function openFiles(id) {
    const name = torrents.get(id).status.name;
    let answer;
    try {
      answer = await call('GET', '/files/' + encodeURIComponent(id));
    } catch (e) {
      toast('Could not list the files of ' + name + ': ' + e.message, 'error');
      return;
    }
    openFilesFor = id;
    filesAskedAt = Date.now();
    $('files-title').textContent = 'Files: ' + name;
    buildTree(answer.files);
    openModal('files-modal');
  }
  function buildTree(files) {
    const root = { folders: new Map(), files: [] };
    for (const f of files) {
      const parts = f.path.split('/');
      let node = root;
      for (const folder of parts.slice(0, -1)) {
        if (!node.folders.has(folder)) node.folders.set(folder, { folders: new Map(), files: [] });
        node = node.folders.get(folder);
      }
      node.files.push({ name: parts[parts.length - 1], file: f });
    }
    fileRows = new Map();
    const tree = $('files-tree');
    tree.replaceChildren(renderNode(root));
    updateFolderBoxes();
  }
  function renderNode(node) {
    const list = document.createElement('ul');
    for (const [name, child] of node.folders) {
      const item = document.createElement('li');
      const details = document.createElement('details');
      details.open = true;
      const summary = document.createElement('summary');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.className = 'folder-box';
      box.setAttribute('aria-label', 'all files in ' + name);
      box.addEventListener('change', () => {
        details.querySelectorAll('input.file-box').forEach((c) => { c.checked = box.checked; });
        updateFolderBoxes();
      });
      const label = document.createElement('span');
      label.textContent = ' ' + name + '/ (' + bytes(folderSize(child)) + ')';
      summary.append(box, label);
      details.append(summary, renderNode(child));
      item.append(details);
      list.append(item);
    }
    for (const { name, file } of node.files) {
      const item = document.createElement('li');
      const row = document.createElement('div');
      row.className = 'file-row';
      const id = 'file-' + fileRows.size;
      row.innerHTML = '<input type="checkbox" class="file-box"><label class="file-path"></label>'
        + '<span class="file-size"></span><progress class="progress is-small is-info" max="100"></progress>'
        + '<span class="file-progress-text"></span>';
      const box = row.querySelector('input');
      box.id = id;
      box.checked = file.selected;
      box.dataset.path = file.path;
      box.addEventListener('change', updateFolderBoxes);
      const label = row.querySelector('label');
      label.htmlFor = id;
      label.textContent = name;
      label.title = file.path;
      row.querySelector('.file-size').textContent = bytes(file.size);
      const bar = row.querySelector('progress');
      bar.value = file.progress;
      bar.setAttribute('aria-label', file.path + ' progress');
      row.querySelector('.file-progress-text').textContent = num(file.progress, 1) + '%';
      fileRows.set(file.path, { box, bar, text: row.querySelector('.file-progress-text') });
      item.append(row);
      list.append(item);
    }
    return list;
  }
  function folderSize(node) {
    let total = node.files.reduce((sum, f) => sum + f.file.size, 0);
    for (const child of node.folders.values()) total += folderSize(child);
    return total;
  }
  function updateFolderBoxes() {
    document.querySelectorAll('#files-tree details').forEach((details) => {
      const boxes = Array.from(details.querySelectorAll('input.file-box'));
      const checked = boxes.filter((b) => b.checked).length;
      const folderBox = details.querySelector(':scope > summary input');
      folderBox.checked = checked === boxes.length;
      folderBox.indeterminate = checked > 0 && checked < boxes.length;
    });
    const all = Array.from(document.querySelectorAll('#files-tree input.file-box'));
    $('files-summary').textContent = all.filter((b) => b.checked).length + ' of ' + all.length + ' files selected';
  }
  // per-file progress follows the torrent's status events while the modal is open (no polling)
  // at most every 5 s, however many status events come: the file list is not refetched on each of them
  let refreshing = false;
  let filesAskedAt = 0;
  async function refreshFileProgress() {
    if (refreshing || !openFilesFor || !$('files-modal').classList.contains('is-active')) return;
    if (Date.now() - filesAskedAt < 5000) return;
    filesAskedAt = Date.now();
    refreshing = true;
    try {
      const answer = await call('GET', '/files/' + encodeURIComponent(openFilesFor));
      for (const f of answer.files) {
        const row = fileRows.get(f.path);
        if (row) { row.bar.value = f.progress; row.text.textContent = num(f.progress, 1) + '%'; }
      }
    } catch (e) { /* the next status event tries again */ } finally { refreshing = false; }
  }

  // remove
  let removeFor = null;
  function openRemove(ids) {
    removeFor = ids;
    $('remove-title').textContent = ids.length === 1 ? 'Remove download?' : 'Remove ' + ids.length + ' downloads?';
    $('remove-name').textContent = ids.length === 1 ? nameOf(ids[0]) : plural(ids.length, 'download', 'downloads');
    // keeping the files is the safe choice: unchecked, and the focus on Cancel so Enter never deletes data
    $('remove-delete-files').checked = false;
    openModal('remove-modal', $('remove-cancel'));
  }

  // preferences: the download folder always; global limits when GET /settings exists
  let globalSettings = null;
  async function openPreferences() {
    try {
      const dir = await call('GET', '/get-download-dir');
      $('pref-download-dir').value = dir.directory;
    } catch (e) { toast('Could not read the download folder: ' + e.message, 'error'); }
    globalSettings = null;
    try {
      globalSettings = await call('GET', '/settings');
    } catch (e) { /* 404 until the service has global limits: that part stays hidden */ }
    const fields = $('global-fields');
    fields.replaceChildren();
    if (globalSettings && typeof globalSettings === 'object') {
      for (const [key, value] of Object.entries(globalSettings)) {
        if (typeof value !== 'number' && typeof value !== 'boolean') continue;
        fields.append(globalField(key, value));
      }
      // the peer-finding switches side by side, whatever order the server lists them in
      const dhtField = fields.querySelector('[data-key="dht"]');
      const pexField = fields.querySelector('[data-key="pex"]');
      const lsdField = fields.querySelector('[data-key="lsd"]');
      if (dhtField && pexField) dhtField.after(pexField);
      if (pexField && lsdField) pexField.after(lsdField);
    }
    $('global-settings').hidden = fields.children.length === 0;
    openModal('preferences-modal');
  }
  const GLOBAL_LABELS = {
    max_concurrent_downloads: 'Downloads running at once',
    speed_limit: 'Total download limit', download_limit: 'Total download limit',
    upload_limit: 'Total upload limit', max_peers: 'Peers per download at most',
    max_connections: 'Connections at most', peer_port: 'Port for incoming peers',
    auto_stop: 'Stop downloads when complete (do not seed)', pre_allocate: 'Reserve the full size on disk up front',
    verify_pieces: 'Verify data already on disk before starting',
    dht: 'DHT: find peers without trackers (never for private torrents)',
    pex: 'PEX: exchange peer lists with connected peers (never for private torrents)',
    lsd: 'Local peer discovery: find peers on the local network (never for private torrents)',
    ratio_limit: 'Stop seeding at share ratio', seeding_time_limit: 'Stop seeding after',
    alt_download_limit: 'Alternative download limit', alt_upload_limit: 'Alternative upload limit',
    alt_speed_enabled: 'Use the alternative limits (the status bar switches them too)'
  };
  // share limits: -1 = none (the server's rule), a ratio has decimals
  const SHARE_LIMITS = { ratio_limit: { step: '0.01', unit: '' }, seeding_time_limit: { step: '1', unit: 'minutes' } };
  function unitOf(key) {
    if (SHARE_LIMITS[key]) return SHARE_LIMITS[key].unit;
    if (/limit|speed|rate/.test(key)) return 'KB/s';
    if (/concurrent|downloads|active/.test(key)) return 'downloads';
    if (/peers/.test(key)) return 'peers';
    if (/connections/.test(key)) return 'connections';
    if (/port/.test(key)) return 'port';
    return '';
  }
  function globalField(key, value) {
    const field = document.createElement('div');
    field.className = 'field';
    const label = GLOBAL_LABELS[key] || key.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
    const id = 'global-' + key;
    if (typeof value === 'boolean') {
      field.innerHTML = '<label class="checkbox"><input type="checkbox"> <span></span></label>';
      field.querySelector('input').id = id;
      field.querySelector('input').checked = value;
      field.querySelector('span').textContent = label;
    } else {
      const unit = unitOf(key);
      field.innerHTML = '<label class="label"></label><div class="field has-addons"><div class="control is-expanded">'
        + '<input class="input" type="number" min="0" step="1"></div><div class="control">'
        + '<span class="button is-static"></span></div></div>'
        + (unit === 'KB/s' ? '<p class="help">0 = unlimited</p>' : SHARE_LIMITS[key] ? '<p class="help">-1 = no limit</p>' : '');
      field.querySelector('label').textContent = label + (unit ? ' (' + unit + ')' : '');
      field.querySelector('label').htmlFor = id;
      field.querySelector('input').id = id;
      if (SHARE_LIMITS[key]) {
        field.querySelector('input').min = '-1';
        field.querySelector('input').step = SHARE_LIMITS[key].step;
      }
      field.querySelector('input').value = value;
      field.querySelector('.button').textContent = unit || 'number';
      if (!unit) field.querySelector('.control:last-child').remove();
    }
    field.dataset.key = key;
    field.dataset.original = String(value);
    return field;
  }

  // ---- live updates -----------------------------------------------------------------------------------------
  function connect() {
    const indicator = $('connection');
    // snapshot=true: the whole list comes as one event (1,000 torrents: one message to parse and one render)
    const source = new EventSource('/events?snapshot=true');
    source.onopen = () => {
      indicator.className = 'tag is-success'; indicator.textContent = 'live';
      document.body.classList.remove('is-stale');
      $('torrents').removeAttribute('aria-description');
    };
    source.onerror = () => {
      // what is shown may be old now: say so, and grey the list until the stream is back
      indicator.className = 'tag is-warning'; indicator.textContent = 'not live: reconnecting…';
      document.body.classList.add('is-stale');
      $('torrents').setAttribute('aria-description', 'not live: the figures may be out of date');
      // EventSource hides the status: ask once whether the session is still valid (a 401 leads to sign-in)
      call('GET', '/auth/me').catch(() => {});
      // an answer that is not a stream (a 503 while the service is still restoring its torrents) closes it for
      // good, where a dropped connection is retried by EventSource itself: then open a new one in a while
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
    };
    // `reset` (a new connection, or the service restarted) is followed by one status per torrent: the list is
    // kept as it is (scroll, selection, focus) and only what the snapshot no longer names goes, once it is quiet
    let unconfirmed = null;
    let sweep = null;
    const sweepLater = () => {
      clearTimeout(sweep);
      sweep = setTimeout(() => {
        if (unconfirmed) for (const id of unconfirmed) forget(id);
        unconfirmed = null;
        updateEmpty();
        performance.mark('bt-snapshot-settled'); // for tests and the curious: the list matches the service again
      }, 1500);
    };
    source.addEventListener('reset', () => {
      unconfirmed = new Set(torrents.keys());
      sweepLater();
    });
    // the whole list at once (a new connection, or the service restarted): what it does not name is gone; the rest
    // is updated in place, so scroll, selection and focus stay
    source.addEventListener('snapshot', (e) => {
      clearTimeout(sweep);
      unconfirmed = null;
      const statuses = JSON.parse(e.data).statuses || {};
      for (const id of Array.from(torrents.keys())) if (!(id in statuses)) forget(id);
      for (const id in statuses) render(id, statuses[id]);
      updateEmpty();
      performance.mark('bt-snapshot-settled');
    });
    source.addEventListener('status', (e) => {
      const change = JSON.parse(e.data);
      if (unconfirmed) { unconfirmed.delete(change.torrent_id); sweepLater(); }
      render(change.torrent_id, change.status);
    });
    // only the fields that changed since this connection's last event for the torrent
    source.addEventListener('delta', (e) => {
      const change = JSON.parse(e.data);
      const entry = torrents.get(change.torrent_id);
      if (!entry || !entry.status) return; // cannot happen: a torrent's first event is always a full status
      render(change.torrent_id, Object.assign({}, entry.status, change.changes));
    });
    source.addEventListener('removed', (e) => forget(JSON.parse(e.data).torrent_id));
  }

  // ---- wiring -----------------------------------------------------------------------------------------------
  document.addEventListener('DOMContentLoaded', () => {
    // the stream first: the service builds the snapshot while the page sets itself up (no event is handled before
    // this handler returns, so everything below is ready when the first one is)
    connect();
    document.querySelectorAll('.settings-fields').forEach(buildSettingsFields);
    $('add-button').addEventListener('click', () => openAdd());
    $('search').addEventListener('input', (e) => { view.search = e.target.value.trim(); scheduleView(); });
    document.querySelectorAll('#filters [data-filter]').forEach((b) => b.addEventListener('click', () => {
      view.filter = b.dataset.filter;
      document.querySelectorAll('#filters [data-filter]').forEach((o) => {
        const on = o === b;
        o.classList.toggle('is-selected', on);
        o.classList.toggle('is-link', on);
        o.setAttribute('aria-pressed', String(on));
      });
      scheduleView();
    }));
    grid = createGrid({
      table: $('torrent-table'), scroller: $('table-scroller'),
      onOpen: (id) => { details.show(id); },
      onMenu: (x, y) => openMenu(x, y),
      onSelection: (ids) => { updateBulk(); if (ids.length === 1 && details.shown()) details.show(ids[0]); }
    });
    grid.onSortChange = scheduleView;
    grid.init($('column-list'));
    details = createDetails({ root: $('details'), call, statusOf: (id) => torrents.has(id) ? torrents.get(id).status : null, history });
    setInterval(() => history.sample(torrents), 1000);
    createStatusBar({ root: $('status-bar'), call }).start();
    library = createLibrary({ call, toast, openModal, closeModal, locked, nameOf,
      statusOf: (id) => torrents.has(id) ? torrents.get(id).status : null,
      isBusy: (id) => !torrents.has(id) || torrents.get(id).busy,
      setBusy: (id, busy) => { if (torrents.has(id)) setBusy(torrents.get(id), busy); },
      onCategories: scheduleView, changed: updateBulk });
    library.init({ counts: () => lastCategoryCounts });
    document.querySelectorAll('#bulk-bar [data-bulk]').forEach((b) => b.addEventListener('click', () => actOn(grid.selectedIds(), b.dataset.bulk, b)));
    $('context-menu').querySelectorAll('[data-menu]').forEach((item) => item.addEventListener('click', () => {
      closeMenu(true);
      actOn(grid.selectedIds(), item.dataset.menu, null);
    }));
    $('context-menu').addEventListener('keydown', menuKeys);
    document.addEventListener('pointerdown', (e) => { if (!e.target.closest('#context-menu')) closeMenu(false); });
    window.addEventListener('resize', () => { closeMenu(false); scheduleView(); });
    phone.addEventListener('change', scheduleView);
    $('category-filter').addEventListener('change', (e) => { view.category = e.target.value; scheduleView(); });
    $('tag-filter').addEventListener('change', (e) => { view.tag = e.target.value; scheduleView(); });
    $('more-cards').addEventListener('click', () => { cardLimit += CARD_PAGE; scheduleView(); });
    $('preferences-button').addEventListener('click', openPreferences);
    $('drop-input').addEventListener('change', (e) => {
      const files = acceptTorrents(Array.from(e.target.files));
      if (files.length) openAdd(files);
      e.target.value = '';
    });
    $('add-files').addEventListener('change', (e) => { chosenFiles = Array.from(e.target.files); showChosen(); });

    // drop anywhere on the page: opens the add dialog with the dropped files (or adds them to it)
    let depth = 0;
    document.addEventListener('dragenter', (e) => { e.preventDefault(); depth++; document.body.classList.add('is-dragover'); });
    document.addEventListener('dragleave', () => { if (--depth <= 0) { depth = 0; document.body.classList.remove('is-dragover'); } });
    document.addEventListener('dragover', (e) => e.preventDefault());
    document.addEventListener('drop', (e) => {
      e.preventDefault();
      depth = 0;
      document.body.classList.remove('is-dragover');
      const dropped = Array.from(e.dataTransfer.files || []);
      const addOpen = $('add-modal').classList.contains('is-active');
      const droppedMagnet = dropped.length ? null
        : magnetIn(e.dataTransfer.getData('text/uri-list') || e.dataTransfer.getData('text/plain'));
      if (droppedMagnet) {
        if (addOpen) $('add-magnet').value = droppedMagnet;
        else if (anyModalOpen()) toast('Close the open dialog first, then drop the link again', 'warning');
        else openAdd([], droppedMagnet);
        return;
      }
      if (!dropped.length) return;
      // another dialog is open: do not open Add underneath it
      if (!addOpen && anyModalOpen()) { toast('Close the open dialog first, then drop the files again', 'warning'); return; }
      const files = acceptTorrents(dropped);
      if (!files.length) return;
      if (addOpen) { chosenFiles = chosenFiles.concat(files); showChosen(); }
      else openAdd(files);
    });

    // a magnet link pasted anywhere outside a text field opens the add dialog with it
    document.addEventListener('paste', (e) => {
      const target = e.target;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
      const magnet = magnetIn(e.clipboardData && e.clipboardData.getData('text'));
      if (!magnet || anyModalOpen()) return;
      e.preventDefault();
      openAdd([], magnet);
    });

    $('add-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const magnet = $('add-magnet').value.trim();
      if (!chosenFiles.length && !magnet) { toast('Choose a .torrent file or paste a magnet link or web address', 'warning'); return; }
      let options;
      try { options = await library.addOptions(); } catch (err) { toast('Not added: ' + err.message, 'error'); return; }
      const settings = readSettings('add', true);
      if (options.category) settings.category = options.category;
      const files = chosenFiles;
      closeModal($('add-modal'));
      if (magnet) await addMagnet(magnet, settings, options);
      await uploadAll(files, settings, options);
    });

    $('settings-form').addEventListener('submit', (e) => { e.preventDefault(); locked($('settings-save'), saveSettings); });
    async function saveSettings() {
      const id = settingsFor;
      const name = torrents.has(id) ? torrents.get(id).status.name : id;
      try {
        await call('POST', '/settings/' + encodeURIComponent(id), readSettings('edit', false));
        closeModal($('settings-modal'));
        toast('Settings saved: ' + name);
      } catch (err) {
        toast('Settings not saved: ' + err.message, 'error');
      }
    }

    $('files-all').addEventListener('click', () => { document.querySelectorAll('#files-tree input.file-box').forEach((c) => { c.checked = true; }); updateFolderBoxes(); });
    $('files-none').addEventListener('click', () => { document.querySelectorAll('#files-tree input.file-box').forEach((c) => { c.checked = false; }); updateFolderBoxes(); });
    $('files-form').addEventListener('submit', (e) => { e.preventDefault(); locked($('files-save'), saveFiles); });
    async function saveFiles() {
      const selections = {};
      document.querySelectorAll('#files-tree input.file-box').forEach((c) => { selections[c.dataset.path] = c.checked; });
      const id = openFilesFor;
      try {
        await call('POST', '/files/' + encodeURIComponent(id), { file_selections: selections });
        closeModal($('files-modal'));
        const count = Object.values(selections).filter(Boolean).length;
        toast('File selection saved: ' + count + ' of ' + Object.keys(selections).length + ' files');
      } catch (err) {
        toast('File selection not saved: ' + err.message, 'error');
      }
    }

    $('remove-form').addEventListener('submit', (e) => { e.preventDefault(); locked($('remove-confirm'), removeNow); });
    async function removeNow() {
      const ids = removeFor;
      const deleteFiles = $('remove-delete-files').checked;
      const failures = [];
      let last = null;
      for (const id of ids) {
        try {
          last = await call('POST', '/remove/' + encodeURIComponent(id) + '?delete_files=' + deleteFiles);
        } catch (err) {
          failures.push(nameOf(id) + ': ' + err.message);
        }
      }
      closeModal($('remove-modal'));
      if (last && ids.length === 1) toast(last.message + ': ' + last.name);
      else if (failures.length < ids.length) toast('Removed ' + plural(ids.length - failures.length, 'download', 'downloads') + (deleteFiles ? ' and their files' : ''));
      if (failures.length) toast('Could not remove ' + failures.join('; '), 'error');
    }
    $('limits-form').addEventListener('submit', (e) => { e.preventDefault(); locked($('limits-save'), saveLimits); });

    $('preferences-form').addEventListener('submit', (e) => { e.preventDefault(); locked($('preferences-save'), savePreferences); });
    async function savePreferences() {
      let ok = true;
      try {
        const answer = await call('POST', '/set-download-dir', { directory: $('pref-download-dir').value });
        $('empty-dir').textContent = answer.directory;
        toast('New downloads go to ' + answer.directory);
      } catch (err) {
        ok = false;
        toast('Download folder not changed: ' + err.message, 'error');
      }
      if (globalSettings && !$('global-settings').hidden) {
        const body = {};
        document.querySelectorAll('#global-fields .field[data-key]').forEach((field) => {
          const input = field.querySelector('input');
          const value = input.type === 'checkbox' ? input.checked : Number(input.value || 0);
          if (String(value) !== field.dataset.original) body[field.dataset.key] = value; // only what changed
        });
        if (Object.keys(body).length) try {
          await call('POST', '/settings', body);
          toast('Global settings saved');
        } catch (err) {
          ok = false;
          toast('Global settings not saved: ' + err.message, 'error');
        }
      }
      if (ok) closeModal($('preferences-modal'));
    }

    updateEmpty();
  });
})();
