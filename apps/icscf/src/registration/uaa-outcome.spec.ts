import { FailureCause } from '@lib/ims';
import { uaaOutcome } from './uaa-outcome';

const exp = (resultCode: number, extra = {}) => ({ resultCode, experimental: true, ...extra });
const base = (resultCode: number, extra = {}) => ({ resultCode, experimental: false, ...extra });
const caps = { mandatory: [1], optional: [2], serverNames: [] };

describe('UAA -> I-CSCF decision (TS 24.229 §5.3.1.2, TS 29.228 §6.1.1)', () => {
  it('2001 FIRST_REGISTRATION -> select by capabilities', () => {
    expect(uaaOutcome(exp(2001, { serverCapabilities: caps }))).toEqual({
      kind: 'select',
      capabilities: caps,
    });
  });

  it('2002 SUBSEQUENT_REGISTRATION -> the assigned S-CSCF', () => {
    expect(uaaOutcome(exp(2002, { serverName: 'sip:s.test' }))).toEqual({
      kind: 'assigned',
      serverName: 'sip:s.test',
    });
  });

  it('DIAMETER_SUCCESS (de-registration) with Server-Name -> that S-CSCF', () => {
    expect(uaaOutcome(base(2001, { serverName: 'sip:s.test' }))).toEqual({
      kind: 'assigned',
      serverName: 'sip:s.test',
    });
  });

  it.each([
    [exp(5001), FailureCause.UnknownUser, 403],
    [exp(5002), FailureCause.ImpuNotAssociated, 403],
    [base(5003), FailureCause.ImpuBarred, 403],
    [exp(5004), FailureCause.RoamingNotAllowed, 403],
    [exp(5003), FailureCause.NotRegistered, 403],
    [base(3004), FailureCause.HssUnreachable, 480],
    [base(5012), FailureCause.HssError, 403],
  ])('%j -> %s %d', (uaa, cause, status) => {
    expect(uaaOutcome(uaa)).toMatchObject({ kind: 'reject', cause, status });
  });

  it('does not confuse base Result-Code 5001 (AVP_UNSUPPORTED) with user unknown', () => {
    expect(uaaOutcome(base(5001))).toMatchObject({ cause: FailureCause.HssError });
  });
});
