// The status bar: the figures of GET /metrics (speeds, totals, free space) and the connection of GET /health
// (peer port, DHT nodes when the service reports them). Each number keeps its raw value in data-value.
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
      setInterval(metrics, 2000);
      setInterval(health, 15000);
    },
    refresh() { return Promise.all([metrics(), health()]); }
  };
}
