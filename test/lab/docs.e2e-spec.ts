/**
 * The lab's guides say what the code does: the SIPp command of docs/getting-started.md is
 * the one `npm start` prints for the default settings, and docs/troubleshooting.md explains
 * every 403 a CSCF can answer with its exact Warning text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FAILURE_CAUSES } from '@lib/ims';
import {
  DEMO_MD5_SUBSCRIBER,
  demoSippOptions,
  labSettings,
  sippCommandLine,
} from '../../scripts/lab';
import { ROOT } from '../support/lab';

const read = (name: string) => fs.readFileSync(path.join(ROOT, 'docs', name), 'utf8');

describe('docs/getting-started.md', () => {
  const doc = read('getting-started.md');

  it('shows the SIPp command npm start prints with the default settings', () => {
    const settings = labSettings({}, ROOT);
    expect(doc).toContain(sippCommandLine(demoSippOptions(settings, ROOT), ROOT));
    expect(fs.existsSync(demoSippOptions(settings, ROOT).scenario)).toBe(true);
  });

  it('gives the softphone user the MD5 demo subscriber of the banner', () => {
    const m = DEMO_MD5_SUBSCRIBER;
    expect(doc).toContain(`"imsi":"${m.imsi}"`);
    expect(doc).toContain(`auth_pass=${m.password}`);
  });
});

/** A Markdown table cell holding `text` as code, columns padded. */
function cell(text: string): RegExp {
  return new RegExp(`\\| \`${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\` +\\|`);
}

describe('docs/troubleshooting.md', () => {
  const doc = read('troubleshooting.md');

  it('explains every 403 cause with its Warning text', () => {
    const forbidden = Object.values(FAILURE_CAUSES).filter((c) => c.status === 403);
    expect(forbidden.length).toBeGreaterThan(0);
    for (const c of forbidden) expect(doc).toMatch(cell(c.text));
  });

  it('lists every other refusal with its status and Warning text', () => {
    for (const c of Object.values(FAILURE_CAUSES).filter((x) => x.status !== 403)) {
      expect(doc).toMatch(new RegExp(`\\| ${c.status} +${cell(c.text).source}`));
    }
  });
});
