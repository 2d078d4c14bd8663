// How numbers are written on the page. NaN (no data in the window) is a dash.

const DASH = '–';

export const count = (v) =>
  !Number.isFinite(v) ? DASH : Number.isInteger(v) ? String(v) : v.toFixed(2);

export const rate = (v) =>
  !Number.isFinite(v)
    ? DASH
    : v === 0
      ? '0'
      : v < 10
        ? v.toFixed(2)
        : v < 100
          ? v.toFixed(1)
          : v.toFixed(0);

export function seconds(v) {
  if (!Number.isFinite(v)) return DASH;
  if (v === 0) return '0';
  if (v < 0.001) return `${(v * 1e6).toPrecision(3)} µs`;
  if (v < 1) return `${(v * 1e3).toPrecision(3)} ms`;
  return `${v.toPrecision(3)} s`;
}

export function duration(v) {
  if (!Number.isFinite(v)) return DASH;
  const s = Math.floor(v);
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  const pad = (n) => String(n).padStart(2, '0');
  return h ? `${h}h ${pad(m)}m ${pad(s % 60)}s` : m ? `${m}m ${pad(s % 60)}s` : `${s % 60}s`;
}

export const time = (ms) => new Date(ms).toLocaleTimeString();
