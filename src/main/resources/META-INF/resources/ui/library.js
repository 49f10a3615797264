// The library actions on the selection (toolbar and context menu): force start, queue order, category, tags,
// location, share limits; the categories dialog; the add dialog's category, tags, save path and "start at once".
// Each torrent has one request in flight at most (its busy flag), a dialog's button is locked while it saves, and
// a refusal is a toast with the server's own words (its JSON detail).
import { plural } from './format.js';

const ACTIONS = ['force-start', 'queue-top', 'queue-up', 'queue-down', 'queue-bottom', 'category', 'tags', 'location',
  'share-limits'];
const NEW = '\u0000new';

export function createLibrary({ call, toast, openModal, closeModal, locked, statusOf, nameOf, setBusy, isBusy, onCategories, changed }) {
  const $ = (id) => document.getElementById(id);
  let categories = [];     // [{name, save_path}], as GET /categories answers
  let knownTags = [];
  let downloadDir = '';

  // ---- categories: fetched once, again after each change or when a torrent names one not known yet ----------
  async function loadCategories() {
    try {
      categories = (await call('GET', '/categories')) || [];
      categories.sort((a, b) => a.name.localeCompare(b.name));
    } catch (e) { /* the filters keep what they had */ }
    document.querySelectorAll('select[data-category-choice]').forEach((select) => fillCategorySelect(select));
    if (onCategories) onCategories();
    return categories;
  }
  function categoryNames() { return categories.map((c) => c.name); }
  function noticeCategory(name) {
    if (name && !categories.some((c) => c.name === name) && !noticeCategory.asked) {
      noticeCategory.asked = true;
      loadCategories().finally(() => { noticeCategory.asked = false; });
    }
  }
  function pathWords(c) {
    const p = c && c.save_path ? c.save_path : '';
    if (!p) return 'the download folder' + (downloadDir ? ' (' + downloadDir + ')' : '');
    return p.startsWith('/') ? p : (downloadDir ? downloadDir.replace(/\/$/, '') + '/' + p : p + ' (inside the download folder)');
  }
  function fillCategorySelect(select) {
    const keep = select.value;
    const options = [['', 'No category']].concat(categories.map((c) => [c.name, c.name]), [[NEW, 'New category…']]);
    select.replaceChildren(...options.map(([value, text]) => Object.assign(document.createElement('option'), { value, textContent: text })));
    select.value = options.some(([v]) => v === keep) ? keep : '';
    describeChoice(select);
  }
  /** The chosen category's save path under the select; the new-category fields when "New category…" is chosen. */
  function describeChoice(select) {
    const help = $(select.id + '-path');
    const fresh = $(select.id + '-new');
    if (fresh) fresh.hidden = select.value !== NEW;
    if (!help) return;
    if (select.value === NEW) help.textContent = 'A new category, saved in the folder given below.';
    else if (select.value === '') help.textContent = 'Saved in ' + pathWords(null) + '.';
    else help.textContent = 'Saved in ' + pathWords(categories.find((c) => c.name === select.value)) + '.';
  }
  /** The category chosen in {@code select}, creating a new one first when asked; null = none, throws when refused. */
  async function chosenCategory(select) {
    if (select.value !== NEW) return select.value;
    const name = $(select.id + '-name').value.trim();
    if (!name) throw new Error('Give the new category a name');
    const path = $(select.id + '-save-path').value.trim();
    await call('POST', '/categories', { name, save_path: path });
    await loadCategories();
    return name;
  }

  // ---- one request per torrent, at most 6 at once (or one after another when the order matters) -------------
  async function runEach(ids, button, request, done, failed, sequential) {
    const run = ids.filter((id) => statusOf(id) && !isBusy(id));
    if (!run.length) { toast('Nothing to do: the selection is busy', 'warning'); return 0; }
    if (button) { button.disabled = true; button.classList.add('is-loading'); }
    run.forEach((id) => setBusy(id, true));
    changed();
    const failures = [];
    let next = 0;
    const worker = async () => {
      while (next < run.length) {
        const id = run[next++];
        try { await request(id); } catch (e) { failures.push(nameOf(id) + ': ' + e.message); } finally { setBusy(id, false); }
      }
    };
    await Promise.all(Array.from({ length: sequential ? 1 : Math.min(6, run.length) }, worker));
    if (button) { button.disabled = false; button.classList.remove('is-loading'); }
    changed();
    const ok = run.length - failures.length;
    if (ok) toast(done + ': ' + (run.length === 1 ? nameOf(run[0]) : plural(ok, 'download', 'downloads')));
    if (failures.length) toast(failed + ' ' + failures.join('; '), 'error');
    return ok;
  }
  const post = (path, id, body) => call('POST', '/' + path + '/' + encodeURIComponent(id), body);

  function forcedAll(ids) { return ids.length > 0 && ids.every((id) => statusOf(id) && statusOf(id).force_start); }

  async function act(ids, action, button) {
    if (action === 'force-start') {
      const on = !forcedAll(ids);
      return runEach(ids, button, (id) => post('force-start', id, { force: on }),
        on ? 'Force-started' : 'Force start off', 'Could not change force start of');
    }
    if (action.startsWith('queue-')) {
      const move = action.slice('queue-'.length);
      // one after another, in an order that keeps the selection's own order: the first in the queue moves
      // first for up and bottom, the last one first for top and down
      const pos = (id) => (statusOf(id) && statusOf(id).queue_position) || 0;
      const ordered = ids.slice().sort((a, b) => pos(a) - pos(b));
      if (move === 'top' || move === 'down') ordered.reverse();
      return runEach(ordered, button, (id) => post('queue', id, { move }),
        { top: 'Moved to the top of the queue', bottom: 'Moved to the bottom of the queue', up: 'Moved up in the queue',
          down: 'Moved down in the queue' }[move], 'Could not move', true);
    }
    if (action === 'category') return openCategory(ids);
    if (action === 'tags') return openTags(ids);
    if (action === 'location') return openLocation(ids);
    if (action === 'share-limits') return openShare(ids);
    return undefined;
  }

  /** The toolbar and menu say whether the selection is force-started (a toggle). */
  function selectionChanged(ids) {
    const on = forcedAll(ids);
    document.querySelectorAll('[data-bulk="force-start"]').forEach((b) => b.setAttribute('aria-pressed', String(on)));
    document.querySelectorAll('[data-menu="force-start"]').forEach((b) => b.setAttribute('aria-checked', String(on)));
  }

  // ---- category ------------------------------------------------------------------------------------------------
  let dialogIds = [];
  function titleFor(what, ids) { return what + ': ' + (ids.length === 1 ? nameOf(ids[0]) : plural(ids.length, 'download', 'downloads')); }
  function openCategory(ids) {
    dialogIds = ids;
    $('category-title').textContent = titleFor('Category', ids);
    $('category-form').reset();
    const current = statusOf(ids[0]) ? statusOf(ids[0]).category || '' : '';
    fillCategorySelect($('category-choice'));
    $('category-choice').value = ids.every((id) => (statusOf(id).category || '') === current) ? current : '';
    describeChoice($('category-choice'));
    openModal('category-modal');
    loadCategories();
  }
  async function saveCategory() {
    let category;
    try { category = await chosenCategory($('category-choice')); } catch (e) { toast('Category not set: ' + e.message, 'error'); return; }
    closeModal($('category-modal'));
    await runEach(dialogIds, null, (id) => post('settings', id, { category }),
      category ? 'Category ' + category + ' set' : 'Category removed', 'Could not set the category of');
  }

  // ---- tags: a checkbox per known tag (indeterminate: some of the selection have it, and keep it) -----------
  const splitTags = (text) => text.split(',').map((t) => t.trim()).filter(Boolean);
  const tagsOf = (s) => Array.isArray(s.tags) ? s.tags : (s.tags ? splitTags(String(s.tags)) : []);
  async function openTags(ids) {
    dialogIds = ids;
    $('tags-title').textContent = titleFor('Tags', ids);
    $('tags-form').reset();
    try { knownTags = (await call('GET', '/tags')) || []; } catch (e) { knownTags = []; }
    const all = new Set(knownTags);
    ids.forEach((id) => tagsOf(statusOf(id)).forEach((t) => all.add(t)));
    const box = $('tags-known');
    box.replaceChildren(...Array.from(all).sort().map((tag, i) => {
      const having = ids.filter((id) => tagsOf(statusOf(id)).includes(tag)).length;
      const label = document.createElement('label');
      label.className = 'checkbox tag-choice';
      const input = Object.assign(document.createElement('input'), { type: 'checkbox', id: 'tags-known-' + i });
      input.dataset.tag = tag;
      input.checked = having === ids.length;
      input.indeterminate = having > 0 && having < ids.length;
      input.dataset.mixed = String(input.indeterminate);
      label.append(input, ' ' + tag);
      return label;
    }));
    $('tags-none').hidden = all.size > 0;
    openModal('tags-modal', $('tags-new'));
  }
  async function saveTags() {
    const add = new Set(splitTags($('tags-new').value));
    const remove = new Set();
    $('tags-known').querySelectorAll('input[data-tag]').forEach((input) => {
      if (input.indeterminate) return; // left as it was: each keeps its own
      (input.checked ? add : remove).add(input.dataset.tag);
    });
    closeModal($('tags-modal'));
    await runEach(dialogIds, null, (id) => {
      const next = tagsOf(statusOf(id)).filter((t) => !remove.has(t));
      add.forEach((t) => { if (!next.includes(t)) next.push(t); });
      return post('tags', id, { tags: next });
    }, 'Tags saved', 'Could not tag');
  }

  // ---- location: the files move (state moving), one torrent after another ----------------------------------
  function openLocation(ids) {
    dialogIds = ids;
    $('location-title').textContent = titleFor('Set location', ids);
    $('location-path').value = (statusOf(ids[0]) && statusOf(ids[0]).save_path) || downloadDir;
    openModal('location-modal', $('location-path'));
    $('location-path').select();
  }
  async function saveLocation() {
    const path = $('location-path').value.trim();
    if (!path) { toast('Give the folder to move the files to', 'warning'); return; }
    closeModal($('location-modal'));
    await runEach(dialogIds, null, (id) => post('location', id, { save_path: path }), 'Files moved to ' + path,
      'Could not move', true);
  }

  // ---- share limits: -2 the global one, -1 none, else the value (the API's rule) ------------------------------
  function setShareChoice(name, input, value) {
    const choice = value === -2 || value == null ? 'global' : value === -1 ? 'none' : 'set';
    document.querySelectorAll('input[name="' + name + '"]').forEach((r) => { r.checked = r.value === choice; });
    input.value = choice === 'set' ? value : '';
    input.disabled = choice !== 'set';
    input.required = choice === 'set';
  }
  function openShare(ids) {
    dialogIds = ids;
    $('share-title').textContent = titleFor('Share limits', ids);
    const s = statusOf(ids[0]) || {};
    setShareChoice('share-ratio', $('share-ratio'), s.ratio_limit);
    setShareChoice('share-time', $('share-time'), s.seeding_time_limit);
    $('share-action').value = ['stop', 'remove'].includes(s.share_limit_action) ? s.share_limit_action : 'global';
    openModal('share-modal', document.querySelector('input[name="share-ratio"]:checked'));
  }
  function shareValue(name, input) {
    const choice = document.querySelector('input[name="' + name + '"]:checked').value;
    return choice === 'global' ? -2 : choice === 'none' ? -1 : Number(input.value);
  }
  async function saveShare() {
    const body = { ratio_limit: shareValue('share-ratio', $('share-ratio')),
      seeding_time_limit: shareValue('share-time', $('share-time')), share_limit_action: $('share-action').value };
    closeModal($('share-modal'));
    await runEach(dialogIds, null, (id) => post('settings', id, body), 'Share limits saved', 'Could not set the share limits of');
  }

  // ---- categories dialog: the list with counts, create (or change the save path), remove ---------------------
  let countsOf = () => new Map();
  async function openCategories() {
    $('categories-form').reset();
    await loadCategories();
    fillCategoriesTable();
    openModal('categories-modal', $('categories-name'));
  }
  function fillCategoriesTable() {
    const counts = countsOf();
    $('categories-empty').hidden = categories.length > 0;
    $('categories-table').hidden = categories.length === 0;
    $('categories-table').querySelector('tbody').replaceChildren(...categories.map((c) => {
      const tr = document.createElement('tr');
      tr.dataset.category = c.name;
      const cells = [c.name, pathWords(c), String(counts.get(c.name) || 0)].map((text, i) => {
        const td = document.createElement(i === 0 ? 'th' : 'td');
        if (i === 0) td.scope = 'row';
        if (i === 2) td.className = 'num';
        td.textContent = text;
        return td;
      });
      const remove = Object.assign(document.createElement('button'), { type: 'button', className: 'button is-small is-danger is-outlined', textContent: 'Remove' });
      remove.setAttribute('aria-label', 'Remove the category ' + c.name);
      remove.addEventListener('click', () => locked(remove, async () => {
        try {
          await call('DELETE', '/categories/' + encodeURIComponent(c.name));
          toast('Category removed: ' + c.name + ' (its downloads keep their files)');
        } catch (e) { toast('Category not removed: ' + e.message, 'error'); }
        await loadCategories();
        fillCategoriesTable();
        $('categories-name').focus();
      }));
      const td = document.createElement('td');
      td.append(remove);
      tr.append(...cells, td);
      return tr;
    }));
  }
  async function saveCategoryDefinition() {
    const name = $('categories-name').value.trim();
    if (!name) { toast('Give the category a name', 'warning'); return; }
    try {
      await call('POST', '/categories', { name, save_path: $('categories-save-path').value.trim() });
      toast('Category saved: ' + name);
      $('categories-form').reset();
    } catch (e) { toast('Category not saved: ' + e.message, 'error'); }
    await loadCategories();
    fillCategoriesTable();
  }

  // ---- the add dialog's library fields --------------------------------------------------------------------------
  function resetAdd() {
    fillCategorySelect($('add-category'));
    $('add-category').value = '';
    describeChoice($('add-category'));
    loadCategories();
  }
  /** What the add dialog asks for beyond the settings; creates a new category first (throws when refused). */
  async function addOptions() {
    return { category: await chosenCategory($('add-category')), savePath: $('add-save-path').value.trim(),
      tags: splitTags($('add-tags').value), start: $('add-start').checked };
  }
  /** After a torrent was added: its tags, then start it if asked; each refusal a toast. */
  async function afterAdd(id, name, options) {
    if (options.tags.length) {
      try { await post('tags', id, { tags: options.tags }); } catch (e) { toast(name + ': tags not set: ' + e.message, 'error'); }
    }
    if (options.start) {
      try { await post('start', id); } catch (e) { toast(name + ': not started: ' + e.message, 'error'); }
    }
  }

  function init({ counts }) {
    countsOf = counts;
    document.querySelectorAll('select[data-category-choice]').forEach((select) => select.addEventListener('change', () => {
      describeChoice(select);
      if (select.value === NEW) $(select.id + '-name').focus();
    }));
    $('category-form').addEventListener('submit', (e) => { e.preventDefault(); locked($('category-save'), saveCategory); });
    $('tags-form').addEventListener('submit', (e) => { e.preventDefault(); locked($('tags-save'), saveTags); });
    $('location-form').addEventListener('submit', (e) => { e.preventDefault(); locked($('location-save'), saveLocation); });
    $('share-form').addEventListener('submit', (e) => { e.preventDefault(); locked($('share-save'), saveShare); });
    $('share-form').addEventListener('change', (e) => {
      if (e.target.name === 'share-ratio' || e.target.name === 'share-time') {
        const input = $(e.target.name);
        input.disabled = e.target.value !== 'set';
        input.required = e.target.value === 'set';
        if (!input.disabled) input.focus();
      }
    });
    $('categories-form').addEventListener('submit', (e) => { e.preventDefault(); locked($('categories-save'), saveCategoryDefinition); });
    $('categories-button').addEventListener('click', openCategories);
    call('GET', '/get-download-dir').then((d) => { downloadDir = d.directory; }).catch(() => {}).finally(loadCategories);
  }

  return { handles: (action) => ACTIONS.includes(action), act, selectionChanged, categoryNames, noticeCategory,
    resetAdd, addOptions, afterAdd, init, loadCategories };
}
