// The status bar: the figures of GET /metrics (speeds, totals, free space) and the connection of GET /health
// (peer port, DHT nodes when the service reports them). Each number keeps its raw value in data-value.
// The turtle button switches the alternative speed limits (POST /settings alt_speed_enabled) and says which apply.
import { bytes, speed } from './format.js';

export function createStatusBar({ root, call }) {
  function put(key, value, text) {
    const el = root.querySelector('[data-key="' + key + '"]');
    if (!el) return;
    el.dataset.value = value == null ? '' : String(value);
    el.textContent = text;
    el.closest('.status-item').hidden = value == null;
  }
  async function metrics() {
    let m;
    try { m = await call('GET', '/metrics'); } catch (e) { return; }
    const t = m.totals || {};
    put('download_speed', t.download_speed, speed(t.download_speed));
    put('upload_speed', t.upload_speed, speed(t.upload_speed));
    put('downloaded_bytes', t.downloaded_bytes, bytes(t.downloaded_bytes));
    put('uploaded_bytes', t.uploaded_bytes, bytes(t.uploaded_bytes));
    const free = m.system ? m.system.download_dir_free_bytes : null;
    put('download_dir_free_bytes', free, free != null && free >= 0 ? bytes(free) : 'unknown');
    const d = m.downloads || {};
    put('active', d.active, d.active + ' of ' + d.total + ' active');
    root.dataset.updated = String(Date.now());
  }
  const toggle = root.querySelector('#alt-speed-toggle');
  function limitText(kb) { return kb ? kb + ' KB/s' : 'unlimited'; }
  function showLimits(g) {
    if (!toggle || !g || typeof g.alt_speed_enabled !== 'boolean') return;
    const on = g.alt_speed_enabled;
    const down = on ? g.alt_download_limit : g.download_limit;
    const up = on ? g.alt_upload_limit : g.upload_limit;
    toggle.hidden = false;
    toggle.setAttribute('aria-pressed', String(on));
    toggle.classList.toggle('is-warning', on);
    // short on purpose (the bar must stay two lines on a phone): pressed = the alternative limits apply, and then
    // the button says them; the title says which apply in full either way
    toggle.querySelector('[data-role=alt-speed-text]').textContent = on
      ? 'Alt limits ↓ ' + limitText(down) + ' ↑ ' + limitText(up) : 'Alt limits';
    toggle.title = on ? 'Alternative speed limits apply; press to go back to the normal limits'
      : 'Normal speed limits apply; press for the alternative limits ('
        + '↓ ' + limitText(g.alt_download_limit) + ', ↑ ' + limitText(g.alt_upload_limit) + ')';
  }
  async function limits() {
    try { showLimits(await call('GET', '/settings')); } catch (e) { /* the next tick tries again */ }
  }
  if (toggle) {
    toggle.addEventListener('click', async () => {
      if (toggle.disabled) return;
      toggle.disabled = true; // one switch at a time
      try {
        showLimits(await call('POST', '/settings', { alt_speed_enabled: toggle.getAttribute('aria-pressed') !== 'true' }));
      } catch (e) { toggle.title = 'The limits could not be switched: ' + e.message; }
      toggle.disabled = false;
    });
  }
  async function health() {
    let h;
    try { h = await call('GET', '/health'); } catch (e) { return; }
    put('peer_port', h.peer_port, h.peer_listen_error ? 'port ' + h.peer_port + ' closed: ' + h.peer_listen_error
      : 'port ' + h.peer_port + ' open');
    root.querySelector('[data-key="peer_port"]').classList.toggle('has-text-danger', !!h.peer_listen_error);
    const dht = h.dht_nodes != null ? h.dht_nodes : (h.dht && h.dht.nodes != null ? h.dht.nodes : null);
    put('dht_nodes', dht, dht + ' DHT nodes');
  }
  return {
    start() {
      metrics();
      health();
      limits();
      setInterval(metrics, 2000);
      setInterval(limits, 10000);
      setInterval(health, 15000);
    },
    refresh() { return Promise.all([metrics(), health(), limits()]); }
  };
}
