// Numbers in words a person reads: sizes, speeds, durations, dates. Pure functions, shared by every module.

export function bytes(n) {
  if (n == null || isNaN(n) || n < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = Number(n);
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + units[i];
}

/** KB/s as the API gives them. */
export function speed(kbs) {
  if (kbs == null || isNaN(kbs)) return '0 KB/s';
  return kbs >= 1024 ? (kbs / 1024).toFixed(1) + ' MB/s' : Number(kbs).toFixed(kbs < 10 ? 1 : 0) + ' KB/s';
}

/** bytes/s (GET /peers) */
export function byteSpeed(bps) { return speed((bps || 0) / 1024); }

export function duration(seconds) {
  if (seconds == null || seconds < 0 || !isFinite(seconds)) return '∞';
  const s = Math.round(seconds);
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
}

export function eta(seconds, state) {
  if (state !== 'downloading') return '—';
  return duration(seconds);
}

export function num(v, digits) { return v == null || isNaN(v) ? '—' : Number(v).toFixed(digits); }

/** A date the API gives as epoch seconds, epoch milliseconds or an ISO string; null when absent or not set. */
export function toDate(v) {
  if (v == null || v === '' || v === 0 || v === -1) return null;
  if (typeof v === 'number') return new Date(v < 1e12 ? v * 1000 : v);
  const t = Date.parse(v);
  return isNaN(t) ? null : new Date(t);
}

export function dateText(v) {
  const d = toDate(v);
  return d ? d.toLocaleString() : '—';
}

/** Tags may come as a list or as a comma-separated string. */
export function tagsText(v) {
  if (v == null) return '';
  return Array.isArray(v) ? v.join(', ') : String(v);
}

export function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }
