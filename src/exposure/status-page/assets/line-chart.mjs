// A small time-series line chart on <canvas>: the last few minutes of a few series, y from 0,
// a legend with the latest values. Series of one group (a model) share a colour; a dashed
// series is its secondary line (p50 beside p99). data-points on the canvas counts points drawn.

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#59a14f',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#9c755f',
];
/** At most this many series are drawn (the busiest); a chart of 100 lines says nothing. */
const MAX_SERIES = PALETTE.length;

const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

export class LineChart {
  /**
   * @param {HTMLElement} parent where the chart's <figure> goes
   * @param {string} title
   * @param {(v: number) => string} format how values are written on the axis and in the legend
   * @param {number} spanSeconds how far back the chart reaches
   */
  constructor(parent, title, format, spanSeconds) {
    this.format = format;
    this.spanMs = spanSeconds * 1000;
    this.series = new Map();
    this.colors = new Map();
    const figure = el('figure', 'chart');
    figure.append(el('figcaption', '', title));
    this.canvas = el('canvas');
    this.canvas.dataset.points = '0';
    this.legend = el('ul', 'legend');
    figure.append(this.canvas, this.legend);
    parent.append(figure);
  }

  /**
   * Adds one reading per series at time t (ms); NaN leaves a gap.
   * @param {Array<{ key: string, label: string, value: number, group?: string, dashed?: boolean }>} readings
   */
  push(t, readings) {
    for (const { key, label, value, group = key, dashed = false } of readings) {
      let series = this.series.get(key);
      if (!series) {
        series = { label, group, dashed, points: [] };
        this.series.set(key, series);
      }
      series.label = label;
      series.points.push([t, Number.isFinite(value) ? value : null]);
    }
    for (const [key, series] of this.series) {
      while (series.points.length && series.points[0][0] < t - this.spanMs) series.points.shift();
      if (!series.points.some(([, v]) => v !== null)) this.series.delete(key);
    }
  }

  /** The busiest series (by their highest value in the span), in label order. */
  shown() {
    const peak = (s) => Math.max(0, ...s.points.map(([, v]) => v ?? 0));
    return [...this.series.values()]
      .sort((a, b) => peak(b) - peak(a))
      .slice(0, MAX_SERIES)
      .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  }

  /** A group keeps its colour for the life of the page. */
  colorOf(group) {
    if (!this.colors.has(group)) this.colors.set(group, PALETTE[this.colors.size % PALETTE.length]);
    return this.colors.get(group);
  }

  draw(now) {
    const { canvas } = this;
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const style = getComputedStyle(canvas);
    const ink = style.getPropertyValue('--chart-ink').trim() || '#666';
    const grid = style.getPropertyValue('--chart-grid').trim() || '#ddd';
    const area = { left: 56, top: 8, width: width - 64, height: height - 28 };
    const series = this.shown();
    const values = series.flatMap((s) => s.points.map(([, v]) => v)).filter((v) => v !== null);
    const top = niceCeiling(Math.max(0, ...values));
    const x = (t) => area.left + ((t - (now - this.spanMs)) / this.spanMs) * area.width;
    const y = (v) => area.top + area.height * (1 - v / top);

    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    ctx.strokeStyle = grid;
    ctx.fillStyle = ink;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of [0, top / 2, top]) {
      ctx.beginPath();
      ctx.moveTo(area.left, Math.round(y(v)) + 0.5);
      ctx.lineTo(area.left + area.width, Math.round(y(v)) + 0.5);
      ctx.stroke();
      ctx.fillText(this.format(v), area.left - 6, y(v));
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const minutes = Math.round(this.spanMs / 60000);
    for (let m = minutes; m >= 0; m--) {
      ctx.fillText(m === 0 ? 'now' : `-${m}m`, x(now - m * 60000), area.top + area.height + 6);
    }

    let points = 0;
    ctx.lineWidth = 2;
    ctx.lineJoin = 'round';
    for (const s of series) {
      ctx.strokeStyle = this.colorOf(s.group);
      ctx.fillStyle = this.colorOf(s.group);
      ctx.setLineDash(s.dashed ? [4, 3] : []);
      ctx.beginPath();
      let drawing = false;
      for (const [t, v] of s.points) {
        if (v === null) {
          drawing = false;
          continue;
        }
        points++;
        if (drawing) ctx.lineTo(x(t), y(v));
        else ctx.moveTo(x(t), y(v));
        drawing = true;
      }
      ctx.stroke();
      // The latest reading as a dot, so a lone point (or a flat line on the axis) still shows.
      const last = s.points[s.points.length - 1];
      if (last && last[1] !== null) {
        ctx.beginPath();
        ctx.arc(x(last[0]), y(last[1]), 2.5, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    canvas.dataset.points = String(points);
    this.drawLegend(series);
  }

  drawLegend(series) {
    this.legend.replaceChildren(
      ...series.map((s) => {
        const item = el('li');
        const swatch = el('span', 'swatch');
        // A CSSOM property, not a style attribute: allowed by the page's style-src 'self'.
        swatch.style.backgroundColor = this.colorOf(s.group);
        if (s.dashed) swatch.classList.add('dashed');
        const last = [...s.points].reverse().find(([, v]) => v !== null);
        item.append(
          swatch,
          el('span', 'label', s.label),
          el('span', 'value', this.format(last[1])),
        );
        return item;
      }),
    );
  }
}

/** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least v (1 for v = 0). */
export function niceCeiling(v) {
  if (!(v > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((c) => c >= v * 0.999999) ?? 10 * power;
}
