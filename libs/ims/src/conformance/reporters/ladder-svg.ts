/**
 * A SIP ladder diagram as inline SVG: one vertical line per actor (UE, P-CSCF, other UE), one
 * arrow per message in time order, labelled with the request method or the status and the
 * CSeq method, coloured by kind. Each arrow carries `data-msg` (its index) so the report's
 * script can show the whole message when it is clicked.
 */
import { Ladder, LadderMessage } from '../conformance-types';
import { escapeHtml } from './escape';

const COLUMN = 300;
const MARGIN_LEFT = 150;
const HEAD = 78;
const ROW = 30;

const COLOURS: Record<LadderMessage['kind'], string> = {
  request: '#1f5fbf',
  provisional: '#6b7280',
  challenge: '#b45309',
  success: '#1a7f37',
  redirect: '#9a6700',
  failure: '#c62828',
};

/** `id` makes the arrow-head marker unique within the page. */
export function renderLadderSvg(ladder: Ladder, id: string): string {
  const n = Math.max(ladder.actors.length, 2);
  const x = (i: number) => MARGIN_LEFT + 60 + COLUMN * i;
  const width = x(n - 1) + 150;
  const height = HEAD + ROW * (ladder.messages.length + 1);
  const marker = `arrow-${id}`;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="ladder" id="ladder-${escapeHtml(id)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="SIP ladder diagram">`,
    `<defs>${Object.entries(COLOURS)
      .map(
        ([kind, colour]) =>
          `<marker id="${marker}-${kind}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${colour}"/></marker>`,
      )
      .join('')}</defs>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
  );
  ladder.actors.forEach((a, i) => {
    parts.push(
      `<rect x="${x(i) - 135}" y="6" width="270" height="54" rx="5" fill="#eef2f7" stroke="#94a3b8"/>`,
      `<text x="${x(i)}" y="22" text-anchor="middle" class="actor">${escapeHtml(a.name)}</text>`,
      `<text x="${x(i)}" y="37" text-anchor="middle" class="addr">${escapeHtml(shorten(a.identity ?? '', 44))}</text>`,
      `<text x="${x(i)}" y="52" text-anchor="middle" class="addr">${escapeHtml(shorten(a.address, 44))}</text>`,
      `<line x1="${x(i)}" y1="60" x2="${x(i)}" y2="${height - 6}" stroke="#94a3b8" stroke-dasharray="4 3"/>`,
    );
  });
  ladder.messages.forEach((m, i) => {
    const y = HEAD + ROW * (i + 0.6);
    const x1 = x(m.from);
    const x2 = x(m.to);
    const colour = COLOURS[m.kind];
    const mid = (x1 + x2) / 2;
    parts.push(
      `<g class="msg" data-msg="${i}" tabindex="0">`,
      `<title>${escapeHtml(m.text.split(/\r?\n/)[0])}</title>`,
      `<text x="8" y="${y + 4}" class="time">+${(m.at / 1000).toFixed(3)}s</text>`,
      `<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="${colour}" stroke-width="1.6" marker-end="url(#${marker}-${m.kind})"/>`,
      `<rect x="${Math.min(x1, x2)}" y="${y - 16}" width="${Math.abs(x2 - x1)}" height="22" fill="transparent"/>`,
      `<text x="${mid}" y="${y - 5}" text-anchor="middle" class="label" fill="${colour}">${escapeHtml(shorten(m.label, 40))}</text>`,
      `</g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The same ladder as text lines (JUnit system-out, console). */
export function renderLadderText(ladder: Ladder): string {
  return ladder.messages
    .map((m) => {
      const from = ladder.actors[m.from]?.name ?? '?';
      const arrow = m.from < m.to ? '->' : '<-';
      const to = ladder.actors[m.to]?.name ?? '?';
      const [left, right] = m.from < m.to ? [from, to] : [to, from];
      return `+${(m.at / 1000).toFixed(3)}s ${left} ${arrow} ${right}: ${m.label}`;
    })
    .join('\n');
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
