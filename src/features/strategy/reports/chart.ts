import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface ChartPoint {
  period: string;
  value: number;
}

/**
 * A measure over time as SVG, drawn on the server by Vega-Lite so the page needs no script.
 * The target is a dashed line and the baseline a dotted one. The SVG carries no style
 * attributes, so it sits inside a page under the Content-Security-Policy.
 */
export async function measureChartSvg(options: { points: ChartPoint[]; target: number; baseline: number | null; unit: string }): Promise<string> {
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 520,
    height: 220,
    background: 'white',
    data: { values: options.points },
    layer: [
      {
        mark: { type: 'line', point: { filled: true, size: 60 }, color: '#1d70b8', strokeWidth: 3 },
        encoding: {
          x: { field: 'period', type: 'temporal', title: 'Period', timeUnit: 'yearmonth', axis: { format: '%b %Y', labelAngle: 0 } },
          y: { field: 'value', type: 'quantitative', title: options.unit || 'Value', scale: { zero: true } },
        },
      },
      { mark: { type: 'rule', strokeDash: [6, 4], color: '#00703c', strokeWidth: 2 }, encoding: { y: { datum: options.target } } },
      ...(options.baseline === null ? [] : [{ mark: { type: 'rule', strokeDash: [2, 3], color: '#505a5f' }, encoding: { y: { datum: options.baseline } } }]),
    ],
    config: { font: 'Arial, sans-serif', axis: { labelFontSize: 12, titleFontSize: 13 } },
  } as unknown as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  // Screen readers get the data table beside the chart instead.
  return svg.replace('<svg ', '<svg aria-hidden="true" focusable="false" ');
}
