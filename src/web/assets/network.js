// The intelligence network, interactive (issue 12 §5): progressive enhancement of the server's page. The
// records and links come from the page's own tables (data-* attributes), so this file fetches nothing and
// the tables stay the accessible account of the network; without JavaScript the server-drawn picture stays.
import cytoscape from './cytoscape.esm.min.mjs';

const container = document.getElementById('network-graph');
const nodeRows = document.querySelectorAll('[data-network-nodes] tbody tr[data-key]');
const linkRows = document.querySelectorAll('[data-network-links] tbody tr[data-source]');

if (container && nodeRows.length > 0) {
  const shapes = { child: 'ellipse', person: 'rectangle', location: 'diamond', object: 'triangle' };
  const colours = { child: '#1d70b8', person: '#d4351c', location: '#00703c', object: '#6f72af' };
  const elements = [
    ...[...nodeRows].map((row) => ({
      data: { id: row.dataset.key, label: row.dataset.label, kind: row.dataset.kind, depth: Number(row.dataset.depth), href: row.dataset.href },
    })),
    ...[...linkRows].map((row, i) => ({
      data: { id: `link-${i}`, source: row.dataset.source, target: row.dataset.target, label: row.dataset.relation, confidence: row.dataset.confidence },
    })),
  ];
  // Cytoscape adds a <style> to the head unless an element with this id is there: the CSP refuses inline
  // styles, and lantern.css already positions the container, so an empty marker stands in for it.
  const marker = '__________cytoscape_stylesheet';
  if (!document.getElementById(marker)) document.head.append(Object.assign(document.createElement('meta'), { id: marker }));
  container.hidden = false;
  const picture = document.getElementById('network-picture');
  if (picture) picture.hidden = true;
  const graph = cytoscape({
    container,
    elements,
    layout: { name: 'concentric', concentric: (node) => 10 - node.data('depth'), levelWidth: () => 1, minNodeSpacing: 40, animate: false },
    wheelSensitivity: 0.3,
    style: [
      {
        selector: 'node',
        style: {
          label: 'data(label)',
          shape: (node) => shapes[node.data('kind')] ?? 'ellipse',
          'background-color': (node) => colours[node.data('kind')] ?? '#505a5f',
          'font-size': 12,
          color: '#0b0c0c',
          'text-valign': 'bottom',
          'text-margin-y': 4,
          width: 22,
          height: 22,
        },
      },
      { selector: 'node[depth = 0]', style: { width: 32, height: 32, 'border-width': 4, 'border-color': '#0b0c0c' } },
      {
        selector: 'edge',
        style: { width: 2, 'line-color': '#505a5f', 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'target-arrow-color': '#505a5f' },
      },
      { selector: 'edge[confidence = "low"]', style: { 'line-style': 'dashed' } },
      { selector: 'edge:selected', style: { label: 'data(label)', 'font-size': 11, 'line-color': '#1d70b8' } },
    ],
  });
  // Opening a record from the picture goes to its network, as the table's links do.
  graph.on('dbltap', 'node', (event) => {
    const [kind, id] = event.target.id().split(':');
    if (event.target.data('depth') > 0) window.location.assign(`/intelligence/network?kind=${encodeURIComponent(kind)}&id=${encodeURIComponent(id)}`);
  });
}
