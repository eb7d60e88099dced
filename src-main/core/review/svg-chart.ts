/**
 * Bar chart geometry for the HTML export: bars scaled to the largest value, a non-zero value always
 * visible. Runs anywhere.
 */
export interface BarLayout {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  value: number;
}

/**
 * Horizontal bars (one row each, for named categories) or vertical columns (for a time series),
 * scaled to the largest value; a non-zero value always gets a visible bar.
 */
export function layoutBars(values: { label: string; value: number }[], options: { width: number; height: number; orientation: 'rows' | 'columns'; gap?: number }): BarLayout[] {
  const max = Math.max(1, ...values.map((bar) => bar.value));
  const gap = options.gap ?? 2;
  const count = Math.max(1, values.length);
  if (options.orientation === 'rows') {
    const band = options.height / count;
    return values.map((bar, index) => {
      const width = bar.value === 0 ? 0 : Math.max(2, (bar.value / max) * options.width);
      return { x: 0, y: index * band + gap / 2, width, height: Math.max(1, band - gap), label: bar.label, value: bar.value };
    });
  }
  const band = options.width / count;
  return values.map((bar, index) => {
    const height = bar.value === 0 ? 0 : Math.max(2, (bar.value / max) * options.height);
    return { x: index * band + gap / 2, y: options.height - height, width: Math.max(1, band - gap), height, label: bar.label, value: bar.value };
  });
}
