// ECharts, with only what the dashboard draws (bars, lines, a heatmap; a grid, tooltips, a
// legend, the colour scale, target lines), drawn on a canvas. Colours come from the theme's
// CSS variables so charts follow light and dark.
import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  LineChart,
  HeatmapChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export { echarts };

/** The theme's colours for charts (read from the page's CSS variables). */
export function chartColors(el: Element) {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1f2328'),
    muted: v('--text-muted', '#6b7280'),
    border: v('--border', '#e5e7eb'),
    accent: v('--accent', '#5b5bd6'),
    good: v('--success', '#1a7f37'),
    warn: v('--warning', '#b7791f'),
    bad: v('--danger', '#cf222e'),
    font: css.fontFamily,
  };
}
