// The details pane of one torrent: General (piece bar, totals, dates), Trackers, Peers, Files and a speed graph.
// Live figures come from the status the stream keeps current; peers, pieces and files are asked for only while
// their tab is shown (peers every 2 s, pieces and files every 5 s), never on each status event.
import { bytes, speed, byteSpeed, duration, num, dateText, plural } from './format.js';

const HISTORY = 300; // seconds of speed kept per torrent (and for all together)

/** Speeds sampled once a second: per torrent and the sum, for the graph. */
export function createHistory() {
  const series = new Map(); // id ('' = all) -> {down: Float32Array, up: Float32Array, at}
  let at = 0;
  function push(id, down, up) {
    let s = series.get(id);
    if (!s) { s = { down: new Float32Array(HISTORY), up: new Float32Array(HISTORY), from: at }; series.set(id, s); }
    s.down[at % HISTORY] = down;
    s.up[at % HISTORY] = up;
  }
  return {
    sample(torrents) {
      let down = 0;
      let up = 0;
      for (const [id, entry] of torrents) {
        const st = entry.status;
        if (!st) continue;
        down += st.download_speed || 0;
        up += st.upload_speed || 0;
        push(id, st.download_speed || 0, st.upload_speed || 0);
      }
      push('', down, up);
      at++;
    },
    /** The last samples of id, oldest first: [[down, up], ...] */
    of(id) {
      const s = series.get(id);
      if (!s) return [];
      const n = Math.min(HISTORY, at - s.from);
      const out = [];
      for (let i = at - n; i < at; i++) out.push([s.down[i % HISTORY], s.up[i % HISTORY]]);
      return out;
    },
    forget(id) { series.delete(id); }
  };
}

export function createDetails({ root, call, statusOf, history }) {
  const tabs = Array.from(root.querySelectorAll('[role=tab]'));
  const title = root.querySelector('#details-title');
  let id = null;
  let tab = 'general';
  let timer = null;
  let filesFor = null;

  tabs.forEach((t) => {
    t.addEventListener('click', () => choose(t.dataset.tab, true));
    t.addEventListener('keydown', (e) => {
      const i = tabs.indexOf(t);
      let j = null;
      if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
      else if (e.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
      else if (e.key === 'Home') j = 0;
      else if (e.key === 'End') j = tabs.length - 1;
      else if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); choose(t.dataset.tab, true); return; }
      if (j != null) { e.preventDefault(); choose(tabs[j].dataset.tab, true); tabs[j].focus(); }
    });
  });
  root.querySelector('#details-close').addEventListener('click', () => show(null));

  function choose(name, byUser) {
    tab = name;
    for (const t of tabs) {
      const on = t.dataset.tab === name;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      t.parentElement.classList.toggle('is-active', on);
      root.querySelector('#' + t.getAttribute('aria-controls')).hidden = !on;
    }
    if (byUser) refresh(true);
  }

  function show(newId) {
    id = newId;
    root.hidden = !id;
    document.body.classList.toggle('has-details', !!id);
    clearInterval(timer);
    timer = null;
    if (!id) return;
    filesFor = null;
    refresh(true);
    timer = setInterval(() => refresh(false), 1000);
  }

  let ticks = 0;
  /** Redraws what the shown tab needs; asks the API only for what the status does not carry. */
  function refresh(now) {
    if (!id) return;
    const s = statusOf(id);
    if (!s) { show(null); return; }
    title.textContent = s.name || id;
    ticks = now ? 0 : ticks + 1;
    if (tab === 'general') { general(s); if (now || ticks % 5 === 0) pieces(); }
    else if (tab === 'trackers') trackers(s);
    else if (tab === 'peers') { if (now || ticks % 2 === 0) peers(); }
    else if (tab === 'files') { if (now || filesFor !== id || ticks % 5 === 0) files(); }
    else if (tab === 'speed') graph();
  }

  // ---- general ------------------------------------------------------------------------------------------------
  function general(s) {
    const rows = [
      ['Downloaded', bytes(s.downloaded)], ['Uploaded', bytes(s.uploaded)], ['Ratio', num(s.ratio || 0, 2)],
      ['Time active', s.time_active != null ? duration(s.time_active) : '—'],
      ['Save path', s.save_path || '—'], ['Info hash', id],
      ['Pieces', s.total_pieces + ' (' + s.downloaded_pieces + ' verified)'],
      ['Size', bytes(s.total_size) + ' (' + bytes(s.downloaded_size) + ' verified)'],
      ['Comment', s.comment || '—'],
      ['Created by', s.created_by || '—'], ['Created on', s.creation_date != null ? dateText(s.creation_date) : '—'],
      ['Added', dateText(s.added_on)], ['Completed', dateText(s.completion_on)],
      ['State', s.state + (s.state_reason ? ': ' + s.state_reason : '') + (s.error ? ': ' + s.error : '')]
    ];
    const dl = root.querySelector('#details-general-facts');
    if (dl.children.length !== rows.length * 2) {
      dl.replaceChildren(...rows.flatMap(() => [document.createElement('dt'), document.createElement('dd')]));
    }
    rows.forEach(([k, v], i) => {
      if (dl.children[2 * i].textContent !== k) dl.children[2 * i].textContent = k;
      if (dl.children[2 * i + 1].textContent !== v) dl.children[2 * i + 1].textContent = v;
    });
  }
  async function pieces() {
    const forId = id;
    let answer;
    try { answer = await call('GET', '/pieces/' + encodeURIComponent(forId)); } catch (e) { return; }
    if (forId !== id) return;
    const canvas = root.querySelector('#details-pieces');
    const text = root.querySelector('#details-pieces-text');
    text.textContent = answer.verified + ' of ' + plural(answer.pieces, 'piece', 'pieces') + ' verified'
      + (answer.piece_length ? ', ' + bytes(answer.piece_length) + ' each' : '');
    canvas.dataset.verified = answer.verified;
    const bits = Uint8Array.from(atob(answer.bitfield || ''), (c) => c.charCodeAt(0));
    const w = canvas.width = Math.max(100, canvas.clientWidth);
    const h = canvas.height = 16;
    const g = canvas.getContext('2d');
    const css = getComputedStyle(canvas);
    g.fillStyle = css.getPropertyValue('--bar-empty').trim() || '#dbdbdb';
    g.fillRect(0, 0, w, h);
    g.fillStyle = css.getPropertyValue('--bar-done').trim() || '#3e56c4';
    const n = answer.pieces;
    for (let i = 0; i < n; i++) {
      if (bits[i >> 3] & (0x80 >> (i & 7))) g.fillRect(Math.floor(i * w / n), 0, Math.max(1, Math.ceil(w / n)), h);
    }
  }

  // ---- trackers -----------------------------------------------------------------------------------------------
  function trackers(s) {
    const body = root.querySelector('#details-trackers tbody');
    const list = s.trackers || [];
    body.replaceChildren(...list.map((t) => row([
      t.url, t.status, t.peers_received != null ? t.peers_received : '—',
      t.next_announce ? inWords(t.next_announce) : '—', t.last_error || ''
    ], ['tracker-url', 'tracker-status', 'num', '', 'tracker-error'])));
    root.querySelector('#details-trackers-empty').hidden = list.length > 0;
  }
  function inWords(when) {
    const seconds = (Date.parse(when) - Date.now()) / 1000;
    if (isNaN(seconds)) return '—';
    return seconds <= 0 ? 'now' : 'in ' + duration(seconds);
  }

  // ---- peers --------------------------------------------------------------------------------------------------
  async function peers() {
    const forId = id;
    let list;
    try { list = await call('GET', '/peers/' + encodeURIComponent(forId)); } catch (e) { return; }
    if (forId !== id || tab !== 'peers') return;
    const body = root.querySelector('#details-peers tbody');
    body.replaceChildren(...list.map((p) => row([
      p.address, p.client || '—', p.flags || '', num(p.progress, 1) + '%', byteSpeed(p.download_speed),
      byteSpeed(p.upload_speed), bytes(p.downloaded), bytes(p.uploaded)
    ], ['peer-address', 'peer-client', 'peer-flags', 'num', 'num', 'num', 'num', 'num'])));
    root.querySelector('#details-peers-empty').hidden = list.length > 0;
  }

  // ---- files: a sorted tree with a priority per file and per folder (applied to the files under it) ------------
  const LEVELS = [['skip', 'Skip'], ['low', 'Low'], ['normal', 'Normal'], ['high', 'High']];
  let filesShape = '';
  function prioritySelect(label, value, paths) {
    const select = document.createElement('select');
    select.className = 'priority-select';
    select.setAttribute('aria-label', 'Priority of ' + label);
    for (const [v, text] of LEVELS) select.append(new Option(text, v));
    if (value === 'mixed') select.append(new Option('Mixed', 'mixed'));
    select.value = value;
    select.dataset.paths = JSON.stringify(paths);
    select.addEventListener('change', () => setPriority(select));
    return select;
  }
  async function setPriority(select) {
    const level = select.value;
    if (level === 'mixed') return;
    const forId = id;
    const priorities = {};
    for (const p of JSON.parse(select.dataset.paths)) priorities[p] = level;
    select.disabled = true; // one request at a time
    try {
      await call('POST', '/files/' + encodeURIComponent(forId), { file_priorities: priorities });
    } catch (e) { /* the answer's detail is shown by call(); the next refresh shows what holds */ }
    select.disabled = false;
    if (forId === id && tab === 'files') files();
  }
  function folderLevel(list) {
    const levels = new Set(list.map((f) => f.priority));
    return levels.size === 1 ? list[0].priority : 'mixed';
  }
  async function files() {
    const forId = id;
    let answer;
    try { answer = await call('GET', '/files/' + encodeURIComponent(forId)); } catch (e) { return; }
    if (forId !== id || tab !== 'files') return;
    filesFor = forId;
    const body = root.querySelector('#details-files tbody');
    const sorted = answer.files.slice().sort((a, b) => a.path.localeCompare(b.path));
    const byFolder = new Map();
    for (const f of sorted) {
      const dir = f.path.split('/').slice(0, -1).join('/');
      if (!dir) continue;
      const parts = dir.split('/');
      for (let i = 1; i <= parts.length; i++) {
        const d = parts.slice(0, i).join('/');
        if (!byFolder.has(d)) byFolder.set(d, []);
        byFolder.get(d).push(f);
      }
    }
    const shape = forId + '\n' + sorted.map((f) => f.path).join('\n');
    if (shape === filesShape && body.children.length) {
      // same files: update figures and levels in place, so a focused select keeps its focus
      for (const tr of body.children) {
        const select = tr.querySelector('select');
        if (tr.dataset.path != null) {
          const f = sorted.find((x) => x.path === tr.dataset.path);
          tr.children[2].textContent = num(f.progress, 1) + '%';
          if (document.activeElement !== select && !select.disabled) select.value = f.priority;
        } else if (tr.dataset.folder != null && document.activeElement !== select && !select.disabled) {
          const level = folderLevel(byFolder.get(tr.dataset.folder));
          if (level === 'mixed' && !select.querySelector('option[value=mixed]')) select.append(new Option('Mixed', 'mixed'));
          select.value = level;
        }
      }
      return;
    }
    filesShape = shape;
    const rows = [];
    const shown = new Set();
    for (const f of sorted) {
      const parts = f.path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const d = parts.slice(0, i).join('/');
        if (shown.has(d)) continue;
        shown.add(d);
        const list = byFolder.get(d);
        const r = row(['  '.repeat(i - 1) + parts[i - 1] + '/', bytes(list.reduce((n, x) => n + x.size, 0)), '', ''],
          ['file-folder', 'num', 'num', '']);
        r.dataset.folder = d;
        r.children[3].append(prioritySelect('folder ' + d + ' (' + plural(list.length, 'file', 'files') + ')',
          folderLevel(list), list.map((x) => x.path)));
        rows.push(r);
      }
      const r = row(['  '.repeat(parts.length - 1) + parts[parts.length - 1], bytes(f.size),
        num(f.progress, 1) + '%', ''], ['file-name', 'num', 'num', '']);
      r.dataset.path = f.path;
      r.children[3].append(prioritySelect(f.path, f.priority, [f.path]));
      rows.push(r);
    }
    body.replaceChildren(...rows);
  }

  // ---- speed graph: the last minutes of this torrent, drawn on a canvas ---------------------------------------
  function graph() {
    const canvas = root.querySelector('#details-graph');
    const points = history.of(id);
    const w = canvas.width = Math.max(200, canvas.clientWidth);
    const h = canvas.height = 140;
    const g = canvas.getContext('2d');
    const css = getComputedStyle(canvas);
    const down = css.getPropertyValue('--graph-down').trim() || '#3e56c4';
    const up = css.getPropertyValue('--graph-up').trim() || '#1a7f4b';
    const grid = css.getPropertyValue('--graph-grid').trim() || '#b5b5b5';
    g.clearRect(0, 0, w, h);
    const max = Math.max(1, ...points.map(([d, u]) => Math.max(d, u)));
    g.strokeStyle = grid;
    g.lineWidth = 1;
    g.beginPath();
    for (const f of [0.25, 0.5, 0.75]) { g.moveTo(0, Math.round(h * f) + 0.5); g.lineTo(w, Math.round(h * f) + 0.5); }
    g.stroke();
    for (const [k, colour] of [[0, down], [1, up]]) {
      g.strokeStyle = colour;
      g.lineWidth = 2;
      g.beginPath();
      points.forEach((p, i) => {
        const x = w - (points.length - 1 - i) * (w / (HISTORY - 1));
        const y = h - 2 - (p[k] / max) * (h - 4);
        if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
      });
      g.stroke();
    }
    const last = points.length ? points[points.length - 1] : [0, 0];
    root.querySelector('#details-graph-text').textContent = 'Last ' + Math.round(points.length / 60 * 10) / 10
      + ' min; now ↓ ' + speed(last[0]) + ', ↑ ' + speed(last[1]) + '; top of the graph ' + speed(max);
  }

  function row(cells, classes) {
    const tr = document.createElement('tr');
    cells.forEach((c, i) => {
      const td = document.createElement('td');
      if (classes[i]) td.className = classes[i];
      td.textContent = c;
      tr.append(td);
    });
    return tr;
  }

  choose('general', false);
  return {
    show,
    shown() { return id; },
    /** A status event for the shown torrent: the cheap tabs follow at once. */
    changed(changedId) { if (changedId === id && (tab === 'general' || tab === 'trackers')) refresh(false); },
    choose(name) { choose(name, true); }
  };
}
