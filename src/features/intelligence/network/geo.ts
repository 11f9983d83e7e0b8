// The hotspots map, drawn on the server as SVG from boundaries shipped with Lantern: no tile server, no
// request leaves the machine. localities.geojson holds the demo partnerships' localities (synthetic
// shapes, not real boundaries), each named by its partnership's code and the locality's name.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Ring = [number, number][];
interface Feature {
  properties: { partnership: string; locality: string };
  geometry: { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] };
}

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'localities.geojson');
let features: Feature[] | undefined;
function boundaries(): Feature[] {
  features ??= (JSON.parse(fs.readFileSync(file, 'utf8')) as { features: Feature[] }).features;
  return features;
}

/** A locality's shape in the picture: its SVG path and where its label goes. */
export interface MapArea {
  locality: string;
  d: string;
  labelX: number;
  labelY: number;
}

/**
 * The partnership's localities projected into a width × height picture: equirectangular, the longitude
 * scaled by the cosine of the middle latitude (true enough at a town's scale), fitted with a margin.
 * None when the partnership has no bundled boundaries.
 */
export function localityMap(partnership: string, width: number, height: number, margin = 12): MapArea[] {
  const mine = boundaries().filter((f) => f.properties.partnership === partnership);
  const polygons = (f: Feature): Ring[][] => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates);
  const points = mine.flatMap((f) => polygons(f).flat(2));
  if (points.length === 0) return [];
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  const [minLon, maxLon, minLat, maxLat] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const scale = Math.min((width - 2 * margin) / ((maxLon - minLon) * k || 1), (height - 2 * margin) / (maxLat - minLat || 1));
  const offsetX = (width - (maxLon - minLon) * k * scale) / 2;
  const offsetY = (height - (maxLat - minLat) * scale) / 2;
  const project = ([lon, lat]: [number, number]): [number, number] => [
    Math.round((offsetX + (lon - minLon) * k * scale) * 10) / 10,
    Math.round((height - offsetY - (lat - minLat) * scale) * 10) / 10,
  ];
  return mine.map((f) => {
    const rings = polygons(f).flat();
    const d = rings.map((ring) => `M${ring.map((p) => project(p).join(',')).join('L')}Z`).join('');
    const outer = polygons(f)[0]![0]!.slice(0, -1).map(project);
    const labelX = Math.round(outer.reduce((s, p) => s + p[0], 0) / outer.length);
    const labelY = Math.round(outer.reduce((s, p) => s + p[1], 0) / outer.length);
    return { locality: f.properties.locality, d, labelX, labelY };
  });
}
