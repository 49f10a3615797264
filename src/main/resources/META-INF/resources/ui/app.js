// bittorrent-me dashboard. Plain JS, no build step. Live by GET /events only (EventSource reconnects by itself and
// sends Last-Event-ID, so a reconnect replays what was missed); every state-changing call is a same-origin POST.
'use strict';

(function () {
  const torrents = new Map();   // torrent_id -> {status, card, multi}
  const $ = (id) => document.getElementById(id);

  // ---- formatting -------------------------------------------------------------------------------------------
  function bytes(n) {
    if (n == null || isNaN(n)) return '—';
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let i = 0;
    let v = Number(n);
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + units[i];
  }
  function speed(kbs) {
    if (kbs == null || isNaN(kbs)) return '0 KB/s';
    return kbs >= 1024 ? (kbs / 1024).toFixed(1) + ' MB/s' : Number(kbs).toFixed(kbs < 10 ? 1 : 0) + ' KB/s';
  }
  function eta(seconds, state) {
    if (state !== 'downloading') return '—';
    if (seconds == null || seconds < 0 || !isFinite(seconds)) return '∞';
    const s = Math.round(seconds);
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
    return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
  }
  function num(v, digits) { return v == null || isNaN(v) ? '—' : Number(v).toFixed(digits); }

  const STATE_COLOURS = {
    queued: 'is-light', checking: 'is-warning', downloading: 'is-info', seeding: 'is-success',
    paused: 'is-warning is-light', stopped: 'is-dark', completed: 'is-success is-light', error: 'is-danger'
  };
  // which actions each state allows
  const ACTIONS = {
    queued: ['pause', 'stop'], checking: ['pause', 'stop'], downloading: ['pause', 'stop'],
    seeding: ['pause', 'stop'], paused: ['resume', 'stop'], stopped: ['start'], completed: ['start'], error: ['start']
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
      window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname));
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
  function cardFor(id) {
    let entry = torrents.get(id);
    if (entry) return entry;
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
      <p class="help is-danger error-text" hidden></p>
      <div class="buttons are-small">
        <button type="button" class="button is-success" data-action="start">Start</button>
        <button type="button" class="button is-warning" data-action="pause">Pause</button>
        <button type="button" class="button is-info" data-action="resume">Resume</button>
        <button type="button" class="button" data-action="stop">Stop</button>
        <button type="button" class="button is-light" data-action="settings">Settings</button>
        <button type="button" class="button is-light" data-action="files" hidden>Files</button>
        <button type="button" class="button is-danger is-outlined" data-action="remove">Remove</button>
      </div>`;
    const row = document.createElement('tr');
    row.className = 'torrent-row';
    row.dataset.id = id;
    row.innerHTML = `
      <td><span class="torrent-name"></span><p class="help is-danger error-text" hidden></p></td>
      <td class="num size"></td>
      <td><progress class="progress is-small" max="100" value="0"></progress><span class="progress-text"></span></td>
      <td><span class="tag state-tag"></span></td>
      <td class="num down"></td>
      <td class="num up"></td>
      <td class="num eta"></td>
      <td class="num peers"></td>
      <td class="num ratio"></td>
      <td>${card.querySelector('.buttons').outerHTML}</td>`;
    entry = { status: null, card, row, multi: false, visible: true };
    torrents.set(id, entry);
    $('torrents').append(card);
    $('torrent-rows').append(row);
    for (const el of [card, row]) {
      el.querySelectorAll('[data-action]').forEach((b) => b.addEventListener('click', () => act(id, b.dataset.action)));
    }
    // one look at the files tells whether the file-selection modal applies (not polling: once per torrent)
    call('GET', '/files/' + encodeURIComponent(id)).then((answer) => {
      entry.multi = answer && answer.files && answer.files.length > 1; // one file: nothing to choose
      for (const el of [card, row]) el.querySelector('[data-action=files]').hidden = !entry.multi;
    }).catch(() => {});
    return entry;
  }

  function render(id, status) {
    const entry = cardFor(id);
    entry.status = status;
    const etaValue = smoothEta(entry, status);
    fill(entry.card, status, id, etaValue, true);
    fill(entry.row, status, id, etaValue, false);
    entry.row.querySelector('.size').textContent = bytes(status.total_size);
    if (openFilesFor === id) refreshFileProgress();
    updateEmpty();
    scheduleView();
  }

  // a card (phone) and a table row (desktop) share their class names, so one function fills both
  function fill(card, status, id, etaValue, long) {
    const name = status.name || id;
    card.querySelector('.torrent-name').textContent = name;
    const tag = card.querySelector('.state-tag');
    tag.className = 'tag state-tag ' + (STATE_COLOURS[status.state] || 'is-light');
    tag.textContent = status.state;
    const bar = card.querySelector('progress');
    bar.value = status.progress || 0;
    bar.textContent = (status.progress || 0) + '%';
    bar.className = 'progress is-small ' + (status.state === 'error' ? 'is-danger' : (status.progress >= 100 ? 'is-success' : 'is-info'));
    bar.setAttribute('aria-label', name + ' progress');
    card.querySelector('.progress-text').textContent = num(status.progress, 1) + '%' + (long ? ' of ' + bytes(status.total_size) : '');
    card.querySelector('.down').textContent = speed(status.download_speed);
    card.querySelector('.up').textContent = speed(status.upload_speed);
    const seeds = status.seeds != null ? ' (' + status.seeds + (status.seeds === 1 ? ' seed)' : ' seeds)') : '';
    card.querySelector('.peers').textContent = long ? (status.peers != null ? status.peers : 0) + seeds
      : (status.seeds != null ? status.seeds : 0) + ' / ' + (status.peers != null ? status.peers : 0);
    card.querySelector('.eta').textContent = eta(etaValue, status.state);
    card.querySelector('.ratio').textContent = num(status.ratio != null ? status.ratio : 0, 2);
    const error = card.querySelector('.error-text');
    error.hidden = !status.error;
    error.textContent = status.error || '';
    const allowed = ACTIONS[status.state] || ['start'];
    card.querySelectorAll('[data-action]').forEach((b) => {
      const action = b.dataset.action;
      if (['start', 'pause', 'resume', 'stop'].includes(action)) b.hidden = !allowed.includes(action);
      b.setAttribute('aria-label', b.textContent + ' ' + name);
    });
  }

  // ---- search, state filters with counts, sorting: applied once per animation frame, whatever the event rate ----
  const view = { filter: 'all', search: '', sortKey: 'name', sortDir: 1 };
  let viewScheduled = false;
  let rowOrder = [];
  function scheduleView() {
    if (viewScheduled) return;
    viewScheduled = true;
    requestAnimationFrame(() => { viewScheduled = false; applyView(); });
  }
  const FILTERS = {
    all: () => true,
    downloading: (s) => s.state === 'downloading',
    seeding: (s) => s.state === 'seeding',
    completed: (s) => (s.progress || 0) >= 100,
    paused: (s) => s.state === 'paused',
    stalled: (s) => s.state === 'downloading' && !(s.download_speed > 0),
    errored: (s) => s.state === 'error',
    checking: (s) => s.state === 'checking'
  };
  function sortValue(s, key) {
    if (key === 'name') return (s.name || '').toLowerCase();
    if (key === 'state') return s.state || '';
    if (key === 'eta') return s.state === 'downloading' && s.eta >= 0 && isFinite(s.eta) ? s.eta : Infinity;
    const v = Number(s[key]);
    return isNaN(v) ? -1 : v;
  }
  function applyView() {
    const counts = Object.fromEntries(Object.keys(FILTERS).map((k) => [k, 0]));
    const search = view.search.toLowerCase();
    const shown = [];
    for (const entry of torrents.values()) {
      const s = entry.status;
      if (!s) continue;
      for (const k in FILTERS) if (FILTERS[k](s)) counts[k]++;
      const visible = FILTERS[view.filter](s) && (!search || (s.name || '').toLowerCase().includes(search));
      if (visible !== entry.visible) { entry.visible = visible; entry.row.hidden = !visible; entry.card.hidden = !visible; }
      shown.push(entry);
    }
    document.querySelectorAll('#filters [data-filter]').forEach((b) => {
      b.querySelector('.count').textContent = counts[b.dataset.filter];
    });
    // rows move only when the order changed
    const key = view.sortKey;
    const dir = view.sortDir;
    shown.sort((a, b) => {
      const x = sortValue(a.status, key);
      const y = sortValue(b.status, key);
      return (x < y ? -1 : x > y ? 1 : 0) * dir || (a.row.dataset.id < b.row.dataset.id ? -1 : 1);
    });
    const order = shown.map((e) => e.row);
    if (order.length !== rowOrder.length || order.some((r, i) => r !== rowOrder[i])) {
      $('torrent-rows').append(...order);
      rowOrder = order;
    }
    $('list-tools').hidden = torrents.size === 0;
    $('torrent-table').hidden = torrents.size === 0;
  }

  // the engine's ETA follows the instant speed and jumps with it; an exponential moving average keeps it readable
  function smoothEta(entry, status) {
    const raw = status.eta;
    if (status.state !== 'downloading' || raw == null || raw < 0 || !isFinite(raw)) { entry.eta = null; return raw; }
    entry.eta = entry.eta == null ? raw : entry.eta + 0.2 * (raw - entry.eta);
    return entry.eta;
  }

  function forget(id) {
    const entry = torrents.get(id);
    if (entry) { entry.card.remove(); entry.row.remove(); }
    scheduleView();
    torrents.delete(id);
    updateEmpty();
  }
  function updateEmpty() { $('empty').hidden = torrents.size > 0; }

  // ---- actions ----------------------------------------------------------------------------------------------
  const DONE = { start: 'Started', pause: 'Paused', resume: 'Resumed', stop: 'Stopped' };
  async function act(id, action) {
    const entry = torrents.get(id);
    const name = entry && entry.status ? entry.status.name : id;
    if (action === 'settings') return openSettings(id);
    if (action === 'files') return openFiles(id);
    if (action === 'remove') return openRemove(id);
    // one request at a time per torrent: its action buttons are locked until the answer comes
    if (!entry || entry.busy) return;
    setBusy(entry, true);
    try {
      await call('POST', '/' + action + '/' + encodeURIComponent(id));
      toast(DONE[action] + ': ' + name);
    } catch (e) {
      toast('Could not ' + action + ' ' + name + ': ' + e.message, 'error');
    } finally {
      setBusy(entry, false);
    }
  }
  function setBusy(entry, busy) {
    entry.busy = busy;
    for (const el of [entry.card, entry.row]) {
      el.setAttribute('aria-busy', String(busy));
      el.querySelectorAll('[data-action]').forEach((b) => {
        if (['start', 'pause', 'resume', 'stop'].includes(b.dataset.action)) b.disabled = busy;
      });
    }
  }
  // a form's submit button is locked while its request is in flight (no double requests, no double toasts)
  async function locked(button, work) {
    if (button.disabled) return;
    button.disabled = true;
    button.classList.add('is-loading');
    try { await work(); } finally { button.disabled = false; button.classList.remove('is-loading'); }
  }

  // upload
  let chosenFiles = [];
  function openAdd(files) {
    chosenFiles = files ? Array.from(files) : [];
    $('add-form').reset();   // every add starts from the defaults, never the previous add's settings
    $('add-modal').querySelector('details').open = false;
    showChosen();
    openModal('add-modal');
    call('GET', '/categories').then((list) => {
      $('add-categories').replaceChildren(...list.map((c) => Object.assign(document.createElement('option'), { value: c.name })));
    }).catch(() => {});
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
  async function uploadAll(files, settings) {
    const category = $('add-category').value.trim();
    const savePath = $('add-save-path').value.trim();
    if (category) {
      try { await call('GET', '/categories').then((list) => list.some((c) => c.name === category)
        || call('POST', '/categories', { name: category, save_path: '' })); } catch (e) { toast(e.message, 'error'); return; }
      settings = Object.assign({}, settings, { category });
    }
    for (const file of files) {
      const form = new FormData();
      form.append('file', file, file.name);
      if (Object.keys(settings).length) form.append('settings', JSON.stringify(settings));
      if (savePath) form.append('save_path', savePath);
      try {
        const answer = await call('POST', '/upload', form);
        toast('Added ' + answer.name);
      } catch (e) {
        toast(file.name + ': ' + e.message, 'error');
      }
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
  let refreshing = false;
  async function refreshFileProgress() {
    if (refreshing || !openFilesFor || !$('files-modal').classList.contains('is-active')) return;
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
  function openRemove(id) {
    removeFor = id;
    $('remove-name').textContent = torrents.get(id).status.name;
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
    verify_pieces: 'Verify data already on disk before starting'
  };
  function unitOf(key) {
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
        + (unit === 'KB/s' ? '<p class="help">0 = unlimited</p>' : '');
      field.querySelector('label').textContent = label + (unit ? ' (' + unit + ')' : '');
      field.querySelector('label').htmlFor = id;
      field.querySelector('input').id = id;
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
    const source = new EventSource('/events');
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
    };
    source.addEventListener('reset', () => {
      for (const id of Array.from(torrents.keys())) forget(id);
      updateEmpty();
    });
    source.addEventListener('status', (e) => {
      const change = JSON.parse(e.data);
      render(change.torrent_id, change.status);
    });
    source.addEventListener('removed', (e) => forget(JSON.parse(e.data).torrent_id));
  }

  // ---- wiring -----------------------------------------------------------------------------------------------
  document.addEventListener('DOMContentLoaded', () => {
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
    document.querySelectorAll('#torrent-table th[data-sort] .sort').forEach((b) => b.addEventListener('click', () => {
      const th = b.closest('th');
      view.sortDir = view.sortKey === th.dataset.sort ? -view.sortDir : 1;
      view.sortKey = th.dataset.sort;
      document.querySelectorAll('#torrent-table th[data-sort]').forEach((o) => {
        if (o === th) o.setAttribute('aria-sort', view.sortDir === 1 ? 'ascending' : 'descending');
        else o.removeAttribute('aria-sort');
      });
      scheduleView();
    }));
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
      if (!dropped.length) return;
      const addOpen = $('add-modal').classList.contains('is-active');
      // another dialog is open: do not open Add underneath it
      if (!addOpen && anyModalOpen()) { toast('Close the open dialog first, then drop the files again', 'warning'); return; }
      const files = acceptTorrents(dropped);
      if (!files.length) return;
      if (addOpen) { chosenFiles = chosenFiles.concat(files); showChosen(); }
      else openAdd(files);
    });

    $('add-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!chosenFiles.length) { toast('Choose at least one .torrent file', 'warning'); return; }
      const settings = readSettings('add', true);
      const files = chosenFiles;
      closeModal($('add-modal'));
      await uploadAll(files, settings);
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
      const id = removeFor;
      const deleteFiles = $('remove-delete-files').checked;
      try {
        const answer = await call('POST', '/remove/' + encodeURIComponent(id) + '?delete_files=' + deleteFiles);
        closeModal($('remove-modal'));
        toast(answer.message + ': ' + answer.name);
      } catch (err) {
        toast('Could not remove: ' + err.message, 'error');
      }
    }

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
    connect();
  });
})();
