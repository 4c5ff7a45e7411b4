import pixelWidth from 'string-pixel-width';

// The sans-serif fonts a reader's machine may draw the picture in; DejaVu Sans (Linux's default) is within 5% of
// Verdana, the widest of them, which the margin covers.
const SANS_FONTS = ['verdana', 'arial', 'helvetica', 'open sans', 'tahoma', 'trebuchet ms', 'inter'] as const;
const MARGIN = 1.05;

/** The widest a line of text can be drawn in any common sans-serif font, in the SVG's units. */
export function conservativeWidth(text: string, fontSize: number): number {
  return MARGIN * Math.max(...SANS_FONTS.map((font) => pixelWidth(text, { font, size: fontSize })));
}

interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}
interface Label {
  readonly text: string;
  readonly box: Box;
}
type Outline =
  | { readonly kind: 'ellipse'; readonly cx: number; readonly cy: number; readonly rx: number; readonly ry: number }
  | { readonly kind: 'polygon'; readonly points: ReadonlyArray<readonly [number, number]> };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (text: string) =>
  text.replace(/&(#\d+|[a-z]+);/g, (_, name: string) =>
    name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1))) : (ENTITIES[name] ?? `&${name};`),
  );
const numbers = (text: string) => [...text.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
const attribute = (element: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(element)?.[1];

/** Each line of text in one group of Graphviz's SVG, boxed at the conservative width. */
function labelsOf(group: string): Label[] {
  return [...group.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].map(([, attributes = '', raw = '']) => {
    const text = decode(raw);
    const x = Number(attribute(attributes, 'x'));
    const y = Number(attribute(attributes, 'y'));
    const size = Number(attribute(attributes, 'font-size'));
    const width = conservativeWidth(text, size);
    const anchor = attribute(attributes, 'text-anchor') ?? 'start';
    const left = anchor === 'middle' ? x - width / 2 : anchor === 'end' ? x - width : x;
    return { text, box: { left, right: left + width, top: y - 0.8 * size, bottom: y + 0.2 * size } };
  });
}

/** The first shape Graphviz draws in a group: a node's or cluster's outline (a rounded box's path as its corners). */
function outlineOf(group: string): Outline | undefined {
  const shape = /<(polygon|ellipse|path)\b([^>]*)>/.exec(group);
  if (!shape) return undefined;
  const [, element, attributes = ''] = shape;
  if (element === 'ellipse') {
    const [cx, cy, rx, ry] = ['cx', 'cy', 'rx', 'ry'].map((name) => Number(attribute(attributes, name)));
    return { kind: 'ellipse', cx: cx!, cy: cy!, rx: rx!, ry: ry! };
  }
  const values = numbers(attribute(attributes, element === 'polygon' ? 'points' : 'd') ?? '');
  const xs = values.filter((_, i) => i % 2 === 0);
  const ys = values.filter((_, i) => i % 2 === 1);
  if (element === 'path') {
    const [left, right, top, bottom] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    return {
      kind: 'polygon',
      points: [
        [left, top],
        [right, top],
        [right, bottom],
        [left, bottom],
      ],
    };
  }
  return { kind: 'polygon', points: xs.map((x, i) => [x, ys[i]!] as const) };
}

function inside(outline: Outline, [x, y]: readonly [number, number]): boolean {
  if (outline.kind === 'ellipse')
    return ((x - outline.cx) / outline.rx) ** 2 + ((y - outline.cy) / outline.ry) ** 2 <= 1;
  // Ray casting; a point on the border counts as inside.
  let within = false;
  const { points } = outline;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i]!;
    const [xj, yj] = points[j]!;
    if (yi > y !== yj > y && x <= ((xj - xi) * (y - yi)) / (yj - yi) + xi) within = !within;
  }
  return within;
}

const corners = ({ left, right, top, bottom }: Box): Array<readonly [number, number]> => [
  [left, top],
  [right, top],
  [left, bottom],
  [right, bottom],
];
const overlap = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/**
 * Every label of a Graphviz SVG that would not fit if drawn in the widest common sans-serif font: a node's text
 * leaving its shape, a cluster's title leaving its frame, or an edge's label overlapping another label.
 */
export function overflowingLabels(svg: string): string[] {
  const groups = svg.split(/(?=<g id="(?:node|edge|clust)\d+")/).slice(1);
  const problems: string[] = [];
  const edgeLabels: Label[] = [];
  const nodeLabels: Label[] = [];
  for (const group of groups) {
    const kind = /^<g id="(node|edge|clust)/.exec(group)![1];
    const labels = labelsOf(group);
    if (kind === 'edge') {
      edgeLabels.push(...labels);
      continue;
    }
    const outline = outlineOf(group);
    if (!outline) continue;
    for (const label of labels) {
      if (!corners(label.box).every((corner) => inside(outline, corner)))
        problems.push(`${kind === 'clust' ? 'frame title' : 'node label'} "${label.text}" leaves its shape`);
    }
    if (kind === 'node') nodeLabels.push(...labels);
  }
  edgeLabels.forEach((label, i) => {
    const other = [...edgeLabels.slice(i + 1), ...nodeLabels].find((o) => overlap(label.box, o.box));
    if (other) problems.push(`edge label "${label.text}" overlaps "${other.text}"`);
  });
  return problems;
}
