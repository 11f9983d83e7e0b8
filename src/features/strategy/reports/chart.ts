import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { shortMonthNames } from '../../../dates.ts';
import { currentLanguage, translator, type Language } from '../../../i18n/i18n.ts';

/** The axis label of a month in the page's language, “Ebr 2026”: a Vega expression over Intl's short month names. */
function monthLabel(language: Language): string {
  const names = shortMonthNames(language);
  return `${JSON.stringify(names)}[utcmonth(datum.value)] + ' ' + utcyear(datum.value)`;
}

export interface ChartPoint {
  period: string;
  /** null for a figure withheld by disclosure control: the line breaks there (a gap), nothing is drawn. */
  value: number | null;
}

/**
 * A measure over time as SVG, drawn on the server by Vega-Lite so the page needs no script.
 * The target is a dashed line and the baseline a dotted one. The SVG carries no style
 * attributes, so it sits inside a page under the Content-Security-Policy.
 */
export async function measureChartSvg(
  options: { points: ChartPoint[]; target: number; baseline: number | null; unit: string },
  language: Language = currentLanguage(),
): Promise<string> {
  const t = translator(language);
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
          x: {
            field: 'period',
            type: 'temporal',
            title: t('strategy.measures.period'),
            timeUnit: 'yearmonth',
            axis: { labelExpr: monthLabel(language), labelAngle: 0 },
          },
          y: { field: 'value', type: 'quantitative', title: options.unit || t('strategy.measures.value'), scale: { zero: true } },
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
