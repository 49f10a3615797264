// The desktop table: choosable and resizable columns (remembered in localStorage), sorting by any column,
// virtual rendering (only the rows in view are in the DOM), selection by mouse and keyboard.
// It owns no data: app.js hands it the sorted, filtered entries ({id, status}) on each view change.
import { bytes, speed, eta, num, dateText, tagsText } from './format.js';

export const STATE_COLOURS = {
  queued: 'is-light', checking: 'is-warning', downloading: 'is-info', seeding: 'is-success',
  paused: 'is-warning is-light', stopped: 'is-dark', completed: 'is-success is-light', error: 'is-danger',
  stalled: 'is-warning', metadata: 'is-info is-light', moving: 'is-link is-light'
};

// a state in words where its name alone says too little
export function stateWords(s) {
  if (s.state === 'metadata') {
    const n = s.metadata_peers || 0;
    return 'fetching metadata (' + n + (n === 1 ? ' peer' : ' peers') + ' asked)';
  }
  return s.state;
}

// key: column id; sort: the status field it sorts by; field: shown only when the API gives that field
export const COLUMNS = [
  { key: 'name', label: 'Name', sort: 'name', width: 280, fixed: true },
  { key: 'size', label: 'Size', sort: 'total_size', num: true, width: 90 },
  { key: 'progress', label: 'Progress', sort: 'progress', width: 140 },
  { key: 'state', label: 'State', sort: 'state', width: 120 },
  { key: 'down', label: 'Down', sort: 'download_speed', num: true, width: 90 },
  { key: 'up', label: 'Up', sort: 'upload_speed', num: true, width: 90 },
  { key: 'eta', label: 'ETA', sort: 'eta', num: true, width: 90 },
  { key: 'peers', label: 'Seeds/peers', sort: 'peers', num: true, width: 100 },
  { key: 'ratio', label: 'Ratio', sort: 'ratio', num: true, width: 70 },
  { key: 'added', label: 'Added', sort: 'added_on', field: 'added_on', width: 160 },
  { key: 'completed_on', label: 'Completed', sort: 'completion_on', field: 'completion_on', width: 160, off: true },
  { key: 'category', label: 'Category', sort: 'category', field: 'category', width: 110 },
  { key: 'tags', label: 'Tags', sort: 'tags', field: 'tags', width: 120, off: true },
  { key: 'save_path', label: 'Save path', sort: 'save_path', field: 'save_path', width: 200, off: true },
  { key: 'queue', label: 'Queue', sort: 'queue_position', field: 'queue_position', num: true, width: 70, off: true }
];

const STORE = 'bt.columns.v1';
const OVERSCAN = 8;

/** The state shown: the engine's, or "stalled" when it says so; with its reason when there is one. */
export function stateLabel(s) { return s.state ? stateWords(s) : 'unknown'; }
export function stateReason(s) { return s.state_reason || s.error || ''; }

export function createGrid({ table, scroller, onOpen, onMenu, onSelection }) {
  const head = table.querySelector('thead tr');
  const body = table.querySelector('tbody');
  const colgroup = table.querySelector('colgroup');
  const saved = load();
  const prefs = {
    shown: saved.shown || Object.fromEntries(COLUMNS.map((c) => [c.key, !c.off])),
    widths: saved.widths || {}
  };
  const view = { sortKey: saved.sortKey || 'name', sortDir: saved.sortDir || 1 };
  let entries = [];           // sorted, filtered: [{id, status, row, filled}]
  let index = new Map();      // id -> position in entries
  let fields = new Set();     // status fields the API gives (optional columns need theirs)
  let columns = [];
  let rowHeight = 0;
  const selected = new Set();
  let anchor = null;
  let focus = null;
  let chooser = null;
  const top = spacer();
  const bottom = spacer();

  function load() { try { return JSON.parse(localStorage.getItem(STORE)) || {}; } catch (e) { return {}; } }
  function save() {
    try { localStorage.setItem(STORE, JSON.stringify({ ...prefs, sortKey: view.sortKey, sortDir: view.sortDir })); } catch (e) { /* private mode */ }
  }
  function spacer() {
    const tr = document.createElement('tr');
    tr.className = 'spacer';
    tr.setAttribute('aria-hidden', 'true');
    tr.append(document.createElement('td'));
    return tr;
  }

  // ---- columns ------------------------------------------------------------------------------------------------
  function available(c) { return !c.field || fields.has(c.field); }
  function buildHead() {
    columns = COLUMNS.filter((c) => available(c) && prefs.shown[c.key] !== false);
    head.replaceChildren();
    colgroup.replaceChildren();
    for (const c of columns) {
      const col = document.createElement('col');
      col.style.width = (prefs.widths[c.key] || c.width) + 'px';
      colgroup.append(col);
      const th = document.createElement('th');
      th.scope = 'col';
      th.dataset.sort = c.sort;
      th.dataset.col = c.key;
      if (c.num) th.className = 'num';
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'sort';
      b.textContent = c.label;
      b.addEventListener('click', () => sortBy(c.sort));
      const grip = document.createElement('span');
      grip.className = 'col-resize';
      grip.setAttribute('aria-hidden', 'true');
      grip.title = 'Drag to resize';
      grip.addEventListener('pointerdown', (e) => resize(e, col, c));
      th.append(b, grip);
      head.append(th);
    }
    markSort();
    top.firstChild.colSpan = bottom.firstChild.colSpan = columns.length;
    rowCache.clear(); // rows are rebuilt with the new columns as they come into view
    render(true);
  }
  function resize(e, col, c) {
    e.preventDefault();
    const startX = e.clientX;
    const start = col.getBoundingClientRect().width;
    const move = (m) => { col.style.width = Math.max(40, Math.round(start + m.clientX - startX)) + 'px'; };
    const up = () => {
      document.removeEventListener('pointermove', move);
      document.removeEventListener('pointerup', up);
      prefs.widths[c.key] = parseInt(col.style.width, 10);
      save();
    };
    document.addEventListener('pointermove', move);
    document.addEventListener('pointerup', up);
  }
  function markSort() {
    head.querySelectorAll('th').forEach((th) => {
      if (th.dataset.sort === view.sortKey) th.setAttribute('aria-sort', view.sortDir === 1 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
  }
  let onSortChange = () => {};
  function sortBy(key) {
    view.sortDir = view.sortKey === key ? -view.sortDir : 1;
    view.sortKey = key;
    markSort();
    save();
    onSortChange();
  }
  /** The column chooser: one checkbox per column the API can fill. */
  function fillChooser(list) {
    list.replaceChildren();
    for (const c of COLUMNS) {
      if (!available(c)) continue;
      const label = document.createElement('label');
      label.className = 'checkbox column-choice';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.dataset.col = c.key;
      box.checked = prefs.shown[c.key] !== false;
      box.disabled = !!c.fixed;
      box.addEventListener('change', () => { prefs.shown[c.key] = box.checked; save(); buildHead(); });
      label.append(box, document.createTextNode(' ' + c.label));
      list.append(label);
    }
    const reset = document.createElement('button');
    reset.type = 'button';
    reset.className = 'button is-small mt-2';
    reset.textContent = 'Reset widths';
    reset.addEventListener('click', () => { prefs.widths = {}; save(); buildHead(); });
    list.append(reset);
  }

  // ---- rows ---------------------------------------------------------------------------------------------------
  const rowCache = new Map(); // id -> tr (one element per torrent, created when first in view)
  function rowFor(e) {
    let tr = rowCache.get(e.id);
    if (!tr) {
      tr = document.createElement('tr');
      tr.className = 'torrent-row';
      tr.id = 'row-' + e.id;
      tr.dataset.id = e.id;
      for (const c of columns) {
        const td = document.createElement('td');
        td.className = 'col-' + c.key + (c.num ? ' num' : '');
        if (c.key === 'name') td.innerHTML = '<span class="torrent-name"></span>';
        else if (c.key === 'progress') td.innerHTML = '<progress class="progress is-small" max="100" value="0"></progress><span class="progress-text"></span>';
        else if (c.key === 'state') td.innerHTML = '<span class="tag state-tag"></span><span class="state-reason"></span>';
        tr.append(td);
      }
      rowCache.set(e.id, tr);
      tr.filled = null;
    }
    return tr;
  }
  function fillRow(tr, s, id) {
    if (tr.filled === s) return;
    tr.filled = s;
    let i = 0;
    for (const c of columns) {
      const td = tr.children[i++];
      switch (c.key) {
        case 'name': {
          const n = td.firstChild;
          n.textContent = s.name || id;
          td.title = s.name || id;
          break;
        }
        // what is downloaded: the chosen files (qBittorrent's "Size"); the whole torrent in the tooltip
        case 'size': {
          const chosen = s.selected_size > 0 ? s.selected_size : s.total_size;
          td.textContent = bytes(chosen);
          td.title = chosen !== s.total_size ? 'of ' + bytes(s.total_size) + ' in the torrent' : '';
          break;
        }
        case 'progress': {
          const bar = td.firstChild;
          bar.value = s.progress || 0;
          bar.className = 'progress is-small ' + (s.state === 'error' ? 'is-danger' : (s.progress >= 100 ? 'is-success' : 'is-info'));
          bar.setAttribute('aria-label', (s.name || id) + ' progress');
          td.lastChild.textContent = num(s.progress, 1) + '%';
          break;
        }
        case 'state': {
          const tag = td.firstChild;
          tag.className = 'tag state-tag ' + (STATE_COLOURS[s.state] || 'is-light');
          tag.textContent = stateLabel(s);
          const why = stateReason(s);
          td.lastChild.textContent = why ? ' ' + why : '';
          td.title = why;
          break;
        }
        case 'down': td.textContent = speed(s.download_speed); break;
        case 'up': td.textContent = speed(s.upload_speed); break;
        case 'eta': td.textContent = eta(s.smoothEta !== undefined ? s.smoothEta : s.eta, s.state); break;
        case 'peers': td.textContent = (s.seeds || 0) + ' / ' + (s.peers || 0); break;
        case 'ratio': td.textContent = num(s.ratio || 0, 2); break;
        case 'added': td.textContent = dateText(s.added_on); break;
        case 'completed_on': td.textContent = dateText(s.completion_on); break;
        case 'category': td.textContent = s.category || ''; break;
        case 'tags': td.textContent = tagsText(s.tags); break;
        case 'save_path': td.textContent = s.save_path || ''; td.title = s.save_path || ''; break;
        case 'queue': td.textContent = s.queue_position != null && s.queue_position >= 0 ? s.queue_position : ''; break;
        default: break;
      }
    }
  }

  /** Renders the rows in view; `all` refills them even when their status did not change. */
  function render(all) {
    const n = entries.length;
    const h = rowHeight || 36;
    const first = Math.max(0, Math.floor(scroller.scrollTop / h) - OVERSCAN);
    const last = Math.min(n, Math.ceil((scroller.scrollTop + (scroller.clientHeight || 600)) / h) + OVERSCAN);
    top.firstChild.style.height = (first * h) + 'px';
    bottom.firstChild.style.height = ((n - last) * h) + 'px';
    const rows = [top];
    for (let i = first; i < last; i++) {
      const e = entries[i];
      const tr = rowFor(e);
      if (all) tr.filled = null;
      fillRow(tr, e.status, e.id);
      const on = selected.has(e.id);
      if (tr.getAttribute('aria-selected') !== String(on)) tr.setAttribute('aria-selected', String(on));
      tr.classList.toggle('is-focused', e.id === focus);
      rows.push(tr);
    }
    rows.push(bottom);
    // the DOM changes only when the rows in view did
    const current = body.children;
    let same = current.length === rows.length;
    for (let i = 0; same && i < rows.length; i++) same = current[i] === rows[i];
    if (!same) body.replaceChildren(...rows);
    top.hidden = first === 0;
    bottom.hidden = last === n;
    if (!rowHeight && last > first) {
      const measured = rows[1].getBoundingClientRect().height;
      if (measured > 0) { rowHeight = measured; if (Math.abs(measured - h) > 1) render(false); }
    }
    if (focus && index.has(focus)) table.setAttribute('aria-activedescendant', 'row-' + focus);
    else table.removeAttribute('aria-activedescendant');
  }
  let scrollScheduled = false;
  scroller.addEventListener('scroll', () => {
    if (scrollScheduled) return;
    scrollScheduled = true;
    requestAnimationFrame(() => { scrollScheduled = false; render(false); });
  });

  // ---- selection ----------------------------------------------------------------------------------------------
  function changed() { render(false); onSelection(selectedIds()); }
  function selectedIds() { return entries.filter((e) => selected.has(e.id)).map((e) => e.id); }
  function selectOnly(id) { selected.clear(); if (id) selected.add(id); anchor = focus = id; }
  function selectRange(id) {
    const a = index.has(anchor) ? index.get(anchor) : index.get(id);
    const b = index.get(id);
    selected.clear();
    for (let i = Math.min(a, b); i <= Math.max(a, b); i++) selected.add(entries[i].id);
    focus = id;
  }
  function clickRow(e) {
    const tr = e.target.closest('tr.torrent-row');
    if (!tr) return;
    const id = tr.dataset.id;
    if (e.shiftKey) selectRange(id);
    else if (e.ctrlKey || e.metaKey) { if (selected.has(id)) selected.delete(id); else selected.add(id); anchor = focus = id; }
    else selectOnly(id);
    if (document.activeElement !== table) table.focus({ preventScroll: true });
    changed();
  }
  body.addEventListener('click', clickRow);
  body.addEventListener('dblclick', (e) => { const tr = e.target.closest('tr.torrent-row'); if (tr) onOpen(tr.dataset.id); });
  body.addEventListener('contextmenu', (e) => {
    const tr = e.target.closest('tr.torrent-row');
    if (!tr) return;
    e.preventDefault();
    if (!selected.has(tr.dataset.id)) selectOnly(tr.dataset.id);
    focus = tr.dataset.id;
    changed();
    onMenu(e.clientX, e.clientY);
  });
  function scrollIntoView(id) {
    const i = index.get(id);
    if (i == null) return;
    const h = rowHeight || 36;
    const headH = table.tHead ? table.tHead.getBoundingClientRect().height : 0;
    const y = i * h;
    if (y < scroller.scrollTop) scroller.scrollTop = y;
    else if (y + h + headH > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = y + h + headH - scroller.clientHeight;
  }
  table.addEventListener('keydown', (e) => {
    if (e.target !== table) return;
    const n = entries.length;
    if (!n) return;
    const at = index.has(focus) ? index.get(focus) : -1;
    const page = Math.max(1, Math.floor(scroller.clientHeight / (rowHeight || 36)) - 1);
    let to = null;
    if (e.key === 'ArrowDown') to = Math.min(n - 1, at + 1);
    else if (e.key === 'ArrowUp') to = Math.max(0, at < 0 ? 0 : at - 1);
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = n - 1;
    else if (e.key === 'PageDown') to = Math.min(n - 1, at + page);
    else if (e.key === 'PageUp') to = Math.max(0, at - page);
    if (to != null) {
      e.preventDefault();
      const id = entries[to].id;
      if (e.shiftKey) selectRange(id);
      else if (e.ctrlKey || e.metaKey) focus = id;
      else selectOnly(id);
      scrollIntoView(id);
      changed();
      return;
    }
    if (e.key === ' ' && focus) {
      e.preventDefault();
      if (e.shiftKey) selectRange(focus);
      else if (selected.has(focus)) selected.delete(focus); else selected.add(focus);
      anchor = focus;
      changed();
    } else if ((e.key === 'a' || e.key === 'A') && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      selectAll();
    } else if (e.key === 'Enter' && focus) {
      e.preventDefault();
      onOpen(focus);
    } else if (e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey)) {
      e.preventDefault();
      if (focus && !selected.has(focus)) selectOnly(focus);
      changed();
      const tr = focus && rowCache.get(focus);
      const box = tr && tr.isConnected ? tr.getBoundingClientRect() : table.getBoundingClientRect();
      onMenu(box.left + 40, box.bottom, true);
    } else if (e.key === 'Escape' && selected.size) {
      selected.clear();
      changed();
    }
  });
  table.addEventListener('focus', () => {
    if (!focus && entries.length) { focus = entries[0].id; render(false); }
  });
  function selectAll() {
    for (const e of entries) selected.add(e.id);
    changed();
  }

  return {
    view,
    set onSortChange(f) { onSortChange = f; },
    /** The new order of what is shown; keeps the selection of what is still shown. */
    setEntries(list, knownFields) {
      let newFields = false;
      for (const f of knownFields) if (!fields.has(f)) { fields.add(f); newFields = true; }
      entries = list;
      index = new Map(list.map((e, i) => [e.id, i]));
      let dropped = false;
      for (const id of Array.from(selected)) if (!index.has(id)) { selected.delete(id); dropped = true; }
      if (newFields) { buildHead(); if (chooser) fillChooser(chooser); } else render(false);
      if (dropped) onSelection(selectedIds());
    },
    forget(id) { rowCache.delete(id); },
    selectedIds,
    focused() { return focus; },
    select(ids) { selected.clear(); for (const id of ids) selected.add(id); focus = anchor = ids[0] || null; if (focus) scrollIntoView(focus); changed(); },
    selectAll,
    clear() { selected.clear(); changed(); },
    rowOf(id) { return rowCache.get(id); },
    init(chooserList) { chooser = chooserList; buildHead(); fillChooser(chooser); }
  };
}
