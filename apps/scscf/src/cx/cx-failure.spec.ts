import { CxExperimentalResult, ResultCode } from '@lib/diameter';
import { FailureCause } from '@lib/ims';
import { cxFailureCause } from './cx-failure';

describe('cxFailureCause (MAA/SAA outcome -> SIP failure)', () => {
  it.each([
    [ResultCode.SUCCESS, false, undefined],
    [ResultCode.TOO_BUSY, false, FailureCause.HssUnreachable], // RFC 6733 §7.1.3, shedding HSS
    [3002, false, FailureCause.HssUnreachable], // UNABLE_TO_DELIVER
    [4001, false, FailureCause.HssUnreachable], // transient failure
    [ResultCode.AUTHORIZATION_REJECTED, false, FailureCause.ImpuBarred],
    [5012, false, FailureCause.HssError],
    [CxExperimentalResult.ERROR_USER_UNKNOWN, true, FailureCause.UnknownUser],
  ])('Result-Code %d (experimental %s) -> %s', (resultCode, experimental, cause) => {
    expect(cxFailureCause({ resultCode, experimental })).toBe(cause);
  });
});
