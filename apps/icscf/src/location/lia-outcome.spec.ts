import { FailureCause } from '@lib/ims';
import { liaOutcome } from './lia-outcome';

const exp = (resultCode: number, extra = {}) => ({ resultCode, experimental: true, ...extra });
const base = (resultCode: number, extra = {}) => ({ resultCode, experimental: false, ...extra });

describe('LIA -> I-CSCF decision (TS 24.229 §5.3.2.1, TS 29.228 §6.1.4)', () => {
  it('routes a registered user to its S-CSCF, an unregistered one to its S-CSCF or by capabilities', () => {
    expect(liaOutcome(base(2001, { serverName: 'sip:s.test' }))).toEqual({
      kind: 'assigned',
      serverName: 'sip:s.test',
    });
    expect(liaOutcome(exp(2003, { serverName: 'sip:s.test' }))).toMatchObject({ kind: 'assigned' });
    const caps = { mandatory: [], optional: [], serverNames: [] };
    expect(liaOutcome(exp(2003, { serverCapabilities: caps }))).toEqual({
      kind: 'select',
      capabilities: caps,
    });
  });

  it.each([
    [exp(5001), FailureCause.UnknownUser, 404],
    [exp(5003), FailureCause.NotRegistered, 480],
    [base(3002), FailureCause.HssUnreachable, 480],
    [base(5012), FailureCause.HssError, 480],
  ])('%j -> %s %d', (lia, cause, status) => {
    expect(liaOutcome(lia)).toMatchObject({ kind: 'reject', cause, status });
  });
});
