import {
  createRequest,
  createResponse,
  type SipRequest,
  type SipResponse,
} from '../transport/message-api';
import type { IncomingContext } from '../transport/transport-layer';
import { DialogTracker, dialogPairKey } from './dialog-tracker';
import { ProxyRequest } from './proxy-request';

const CONTEXT = {
  source: { host: '127.0.0.1', port: 5062, transport: 'UDP' },
} as unknown as IncomingContext;

function request(method: string, opts: { toTag?: string; from?: string; cseq?: number } = {}) {
  return createRequest({
    method,
    uri: 'sip:bob@ims.test',
    headers: [
      ['Via', 'SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-x'],
      ['From', `<sip:${opts.from ?? 'alice'}@ims.test>;tag=${opts.from === 'bob' ? 'b1' : 'a1'}`],
      ['To', `<sip:bob@ims.test>${opts.toTag ? `;tag=${opts.toTag}` : ''}`],
      ['Call-ID', 'call-1'],
      ['CSeq', `${opts.cseq ?? 1} ${method}`],
    ],
  });
}

function through(
  tracker: DialogTracker,
  req: SipRequest,
  status: number,
  toTag = 'b1',
): SipResponse {
  const pr = new ProxyRequest(req.clone(), req, undefined, CONTEXT, true);
  const res = createResponse(req, status, undefined, { toTag: req.to().tag ? undefined : toTag });
  tracker.observe(res, pr);
  return res;
}

describe('DialogTracker: confirmed INVITE dialogs at a record-routing proxy', () => {
  it('a 2xx to an initial INVITE creates the dialog (RFC 3261 §12.1), a 200 to BYE ends it (§15)', () => {
    const t = new DialogTracker(() => ['alice']);
    through(t, request('INVITE'), 180);
    expect(t.count).toBe(0);
    through(t, request('INVITE'), 200);
    expect(t.count).toBe(1);
    expect(t.list()[0].tags).toEqual(['a1', 'b1']);
    expect([...t.list()[0].owners]).toEqual(['alice']);
    // a re-INVITE does not add one
    through(t, request('INVITE', { toTag: 'b1', cseq: 2 }), 200);
    expect(t.count).toBe(1);
    // BYE from the callee: tags the other way round, same dialog
    const bye = createRequest({
      method: 'BYE',
      uri: 'sip:alice@127.0.0.1:5062',
      headers: [
        ['Via', 'SIP/2.0/UDP 127.0.0.1:5064;branch=z9hG4bK-y'],
        ['From', '<sip:bob@ims.test>;tag=b1'],
        ['To', '<sip:alice@ims.test>;tag=a1'],
        ['Call-ID', 'call-1'],
        ['CSeq', '1 BYE'],
      ],
    });
    expect(t.find(bye)?.key).toBe(dialogPairKey('call-1', 'b1', 'a1'));
    through(t, bye, 407);
    expect(t.count).toBe(1);
    through(t, bye, 200);
    expect(t.count).toBe(0);
  });

  it('a 2xx retransmitted after the BYE (its ACK was lost, RFC 3261 §13.3.1.4) does not bring the dialog back', () => {
    const t = new DialogTracker(() => ['alice']);
    const invite = request('INVITE');
    const pr = new ProxyRequest(invite.clone(), invite, undefined, CONTEXT, true);
    const ok = createResponse(invite, 200, undefined, { toTag: 'b1' });
    t.observe(ok, pr);
    t.observe(ok.clone(), pr); // a retransmission while the dialog is up
    expect(t.count).toBe(1);
    through(t, request('BYE', { toTag: 'b1', cseq: 2 }), 200);
    expect(t.count).toBe(0);
    t.observe(ok.clone(), pr); // the UAS still retransmits: no ACK reached it
    expect(t.count).toBe(0);
    // another fork's 2xx to the same INVITE is still a dialog of its own (§13.2.2.4)
    t.observe(createResponse(invite, 200, undefined, { toTag: 'b2' }), pr);
    expect(t.count).toBe(1);
  });

  it.each([486, 487, 603])('a %d to INVITE creates nothing', (status) => {
    const t = new DialogTracker();
    through(t, request('INVITE'), status);
    expect(t.count).toBe(0);
  });

  it('each 2xx of a forked INVITE is its own dialog (§13.2.2.4)', () => {
    const t = new DialogTracker();
    through(t, request('INVITE'), 200, 'b1');
    through(t, request('INVITE'), 200, 'b2');
    expect(t.count).toBe(2);
  });

  it('a spiral through the same element is one dialog with both owners; removeOwner ends them', () => {
    const owners = [['alice'], ['bob']];
    let i = 0;
    const t = new DialogTracker(() => owners[i++ % 2]);
    through(t, request('INVITE'), 200);
    through(t, request('INVITE'), 200);
    expect(t.count).toBe(1);
    expect([...t.list()[0].owners].sort()).toEqual(['alice', 'bob']);
    expect(t.removeOwner('carol')).toBe(0);
    expect(t.removeOwner('bob')).toBe(1);
    expect(t.count).toBe(0);
    expect(t.removeOwner('alice')).toBe(0);
  });

  it('tells listeners of every dialog confirmed and ended, with the count', () => {
    const t = new DialogTracker(() => ['alice']);
    const events: string[] = [];
    t.onChange((event, d, count) => events.push(`${event} ${d.callId} ${count}`));
    through(t, request('INVITE'), 200);
    through(t, request('INVITE'), 200); // the same dialog again (a spiral): no event
    through(t, request('BYE', { toTag: 'b1', cseq: 2 }), 200);
    through(t, request('INVITE'), 200, 'b2');
    t.removeOwner('alice');
    expect(events).toEqual([
      'confirmed call-1 1',
      'ended call-1 0',
      'confirmed call-1 1',
      'ended call-1 0',
    ]);
  });

  it('a 481 to BYE ends the dialog too; MESSAGE and OPTIONS never create one', () => {
    const t = new DialogTracker();
    through(t, request('MESSAGE'), 200);
    through(t, request('OPTIONS'), 200);
    expect(t.count).toBe(0);
    through(t, request('INVITE'), 200);
    through(t, request('BYE', { toTag: 'b1', cseq: 2 }), 481);
    expect(t.count).toBe(0);
  });
});
