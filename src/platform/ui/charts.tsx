import type { FC } from './jsx.ts';

/**
 * Charts drawn on the server as inline SVG: readable without JavaScript, printable, no library and no
 * request. Each chart carries its figures as text too (`<title>` and `<desc>` for screen readers, and
 * the page shows them in a table), so colour is never the only carrier of meaning.
 */
export interface ChartPoint {
  /** Short label of the x position (e.g. "11/2026"). */
  label: string;
  value: number | null;
}

const W = 320;
const H = 150;
const LEFT = 34;
const RIGHT = 300;
const TOP = 12;
const BOTTOM = 118;

/**
 * A line over time on a 0–`max` scale (percentages by default), with a dashed target line when given.
 * Missing values break nothing: the line joins the points that exist.
 */
export const TrendChart: FC<{
  id: string;
  title: string;
  points: readonly ChartPoint[];
  target?: number | null;
  targetLabel?: string;
  max?: number;
  format?: (v: number) => string;
  /** The figures in words, for screen readers (e.g. "11/2026: 45,0%; 12/2026: 47,2%"). */
  description: string;
}> = ({ id, title, points, target, targetLabel, max = 100, format = (v) => `${Math.round(v)}%`, description }) => {
  const n = points.length;
  const x = (i: number) => (n <= 1 ? (LEFT + RIGHT) / 2 : LEFT + ((RIGHT - LEFT) * i) / (n - 1));
  const y = (v: number) => BOTTOM - ((BOTTOM - TOP) * Math.max(0, Math.min(max, v))) / max;
  const present = points.map((p, i) => ({ ...p, i })).filter((p): p is { label: string; value: number; i: number } => p.value !== null);
  const path = present.map((p) => `${x(p.i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const last = present.at(-1);
  const ticks = [0, max / 2, max];
  const xLabels = n ? [...new Set([0, Math.floor((n - 1) / 2), n - 1])] : [];
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-labelledby={`${id}-t ${id}-d`}>
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{description}</desc>
      {ticks.map((v) => (
        <g>
          <line x1={LEFT} x2={RIGHT} y1={y(v)} y2={y(v)} class="chart-gridline" />
          <text x={LEFT - 4} y={y(v) + 4} text-anchor="end" class="chart-label">
            {format(v)}
          </text>
        </g>
      ))}
      {typeof target === 'number' ? (
        <g>
          <line x1={LEFT} x2={RIGHT} y1={y(target)} y2={y(target)} class="chart-target" />
          <text x={LEFT + 3} y={target > max * 0.9 ? y(target) + 11 : y(target) - 3} class="chart-label chart-target-label">
            {targetLabel ?? format(target)}
          </text>
        </g>
      ) : null}
      {present.length > 1 ? <polyline points={path} class="chart-line" /> : null}
      {present.map((p) => (
        <circle cx={x(p.i)} cy={y(p.value)} r={present.length > 16 ? 1.8 : 2.6} class="chart-point" />
      ))}
      {last ? (
        <text x={Math.min(x(last.i) + 4, W - 2)} y={y(last.value) - 5} text-anchor={x(last.i) > RIGHT - 30 ? 'end' : 'start'} class="chart-value">
          {format(last.value)}
        </text>
      ) : null}
      {xLabels.map((i) => (
        <text x={x(i)} y={H - 14} text-anchor={i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle'} class="chart-label">
          {points[i]!.label}
        </text>
      ))}
    </svg>
  );
};
