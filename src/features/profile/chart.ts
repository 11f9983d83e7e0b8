import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { currentLanguage, translator, type Language } from '../../i18n/i18n.ts';
import { Lru } from './published.ts';

/** Drawn charts by (language, points): the profile's stored figures change every few minutes, and Vega takes ~10 ms a chart. */
const drawn = new Lru<string, string>(256);

/**
 * A headline figure's eight quarters as a bar chart in SVG, drawn on the server by Vega-Lite as the
 * measures page draws its charts (src/features/strategy/reports/chart.ts): no script on the page, no
 * style attributes, hidden from screen readers, who read the table beside it.
 */
export async function trendChartSvg(points: readonly { label: string; value: number }[], language: Language = currentLanguage()): Promise<string> {
  const key = `${language}|${JSON.stringify(points)}`;
  const known = drawn.get(key);
  if (known !== undefined) return known;
  const t = translator(language);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 420,
    height: 180,
    background: 'white',
    data: { values: points },
    mark: { type: 'bar', color: '#1d70b8' },
    encoding: {
      x: { field: 'label', type: 'ordinal', sort: null, title: t('profile.trend.quarter'), axis: { labelAngle: -30 } },
      y: { field: 'value', type: 'quantitative', title: t('profile.trend.count'), scale: { zero: true }, axis: { tickMinStep: 1 } },
    },
    config: { font: 'Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 } },
  } as unknown as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const chart = svg.replace('<svg ', '<svg aria-hidden="true" focusable="false" ');
  drawn.set(key, chart);
  return chart;
}
