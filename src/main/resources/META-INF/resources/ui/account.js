// bittorrent-me dashboard, Preferences > Sign-in: the permanent password and the API keys (GET/POST /auth/...).
// Apart from app.js so the two stay short; same plain-JS style, an ES module, no build step.
import { renewingSession, unauthorized } from './session.js';

(() => {
  const $ = (id) => document.getElementById(id);

  async function call(method, url, body) {
    const options = { method, headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    if (response.status === 401) {
      unauthorized();
    }
    let data = null;
    try { data = await response.json(); } catch (e) { /* 204 or not JSON */ }
    if (!response.ok) throw new Error(data && data.detail ? data.detail : response.status + ' ' + response.statusText);
    return data;
  }

  function say(message, isError) {
    const line = $('account-message');
    line.textContent = message;
    line.classList.toggle('is-danger', !!isError);
    line.classList.toggle('is-success', !isError);
  }

  const SOURCES = {
    environment: 'The password is set by BT_PASSWORD in the service\'s environment; change it there.',
    saved: 'A permanent password is set. Setting a new one signs out every other session.',
    generated: 'The password is temporary (written to the log at each start). Set a permanent one:',
  };

  async function load() {
    let me;
    try { me = await call('GET', '/auth/me'); } catch (e) { return; }
    $('account').hidden = false;
    if (!me.auth_enabled) {
      $('account-source').textContent = 'Sign-in is off (BT_AUTH=off): anyone who reaches this port can use it.';
      $('password-fields').hidden = true;
      return;
    }
    $('account-source').textContent = 'Signed in as ' + me.username + '. ' + (SOURCES[me.password_source] || '');
    $('password-fields').hidden = me.password_source === 'environment';
    await loadKeys();
  }

  async function loadKeys() {
    const list = $('api-keys');
    const keys = await call('GET', '/auth/keys');
    list.replaceChildren();
    for (const key of keys) {
      const item = document.createElement('li');
      item.className = 'api-key is-flex is-align-items-center is-justify-content-space-between mb-1';
      item.dataset.id = key.id;
      const label = document.createElement('span');
      label.textContent = key.name + ' (' + key.id + ', created ' + new Date(key.created_at).toLocaleDateString() + ')';
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'button is-small is-danger is-light api-key-revoke';
      revoke.textContent = 'Revoke';
      revoke.addEventListener('click', async () => {
        try {
          await call('DELETE', '/auth/keys/' + encodeURIComponent(key.id));
          say('API key "' + key.name + '" revoked.');
          await loadKeys();
        } catch (e) { say('Could not revoke the key: ' + e.message, true); }
      });
      item.append(label, revoke);
      list.append(item);
    }
    if (!keys.length) {
      const none = document.createElement('li');
      none.className = 'help';
      none.textContent = 'No API keys.';
      list.append(none);
    }
  }

  async function setPassword() {
    const input = $('account-password');
    try {
      // the answer carries this page's new session cookie; polls that crossed it wait for it (session.js)
      await renewingSession(() => call('POST', '/auth/password', { password: input.value }));
      input.value = '';
      say('Password saved. Other sessions are signed out.');
      await load();
    } catch (e) { say('Password not saved: ' + e.message, true); }
  }

  async function createKey() {
    const name = $('api-key-name');
    try {
      const created = await call('POST', '/auth/keys', { name: name.value });
      name.value = '';
      $('api-key-value').textContent = created.key;
      $('api-key-created').hidden = false;
      $('api-key-created').scrollIntoView({ block: 'nearest' });
      say('API key "' + created.name + '" created.');
      await loadKeys();
    } catch (e) { say('No key created: ' + e.message, true); }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('preferences-button').addEventListener('click', () => {
      $('api-key-created').hidden = true;
      $('account-message').textContent = '';
      load();
    });
    $('account-password-save').addEventListener('click', setPassword);
    $('api-key-create').addEventListener('click', createKey);
    // Enter in these fields acts on them, not on the surrounding Preferences form
    const onEnter = (action) => (e) => { if (e.key === 'Enter') { e.preventDefault(); action(); } };
    $('account-password').addEventListener('keydown', onEnter(setPassword));
    $('api-key-name').addEventListener('keydown', onEnter(createKey));
  });
})();
