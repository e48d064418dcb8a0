import { Dialog } from '../dialog/dialog';
import type { SipRequest, SipResponse } from '../transport/message-api';

/**
 * The ACK a UAC core sends for a 2xx to its INVITE, RFC 3261 §13.2.2.4: "The header fields
 * of the ACK are constructed in the same way as for any request sent within a dialog (see
 * Section 12) with the exception of the CSeq and the header fields related to
 * authentication." The dialog is the one the 2xx establishes (§12.1.2: route set = the 2xx's
 * Record-Route reversed, remote target = its Contact); see `Dialog.createAck`. A UA that
 * keeps the dialog calls `createAck` on it instead.
 */
export function buildAckFor2xx(invite: SipRequest, response: SipResponse): SipRequest {
  return Dialog.createAsUac(invite, response).createAck(invite);
}
