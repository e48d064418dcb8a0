/**
 * RFC 6733 §5.3 Capabilities Exchange: what a node advertises in CER/CEA and how the common
 * applications are found. "The receiver of the Capabilities-Exchange-Request (CER) MUST determine
 * common applications by computing the intersection of its own set of supported Application Ids
 * against all of the Application-Id AVPs (Auth-Application-Id, Acct-Application-Id, and
 * Vendor-Specific-Application-Id) present in the CER."
 */
import { Avp } from '../codec/avp';
import { DiameterMessage } from '../codec/diameter-message';
import { avp, createAnswer, createRequest } from '../codec/message-builder';

/** RFC 6733 §2.4: "Relay ... 0xffffffff" — a relay agent supports every application. */
export const RELAY_APPLICATION_ID = 0xffffffff;

export interface LocalCapabilities {
  originHost: string;
  originRealm: string;
  hostIpAddresses: string[];
  vendorId: number;
  productName: string;
  originStateId: number;
  firmwareRevision?: number;
  authApplications: { vendorId?: number; applicationId: number }[];
}

/** The AVPs both CER and CEA carry after Origin-Host/Realm. */
function capabilityAvps(local: LocalCapabilities): Avp[] {
  const avps: Avp[] = [
    avp('Origin-Host', local.originHost),
    avp('Origin-Realm', local.originRealm),
    ...local.hostIpAddresses.map((a) => avp('Host-IP-Address', a)),
    avp('Vendor-Id', local.vendorId),
    avp('Product-Name', local.productName),
    avp('Origin-State-Id', local.originStateId),
  ];
  const vendors = new Set(
    local.authApplications.map((a) => a.vendorId ?? 0).filter((v) => v !== 0),
  );
  for (const v of vendors) avps.push(avp('Supported-Vendor-Id', v));
  for (const app of local.authApplications) {
    avps.push(
      app.vendorId
        ? avp('Vendor-Specific-Application-Id', {
            'Vendor-Id': app.vendorId,
            'Auth-Application-Id': app.applicationId,
          })
        : avp('Auth-Application-Id', app.applicationId),
    );
  }
  if (local.firmwareRevision !== undefined)
    avps.push(avp('Firmware-Revision', local.firmwareRevision));
  return avps;
}

/** RFC 6733 §5.3.1 Capabilities-Exchange-Request. */
export function buildCer(local: LocalCapabilities): DiameterMessage {
  return createRequest('Capabilities-Exchange-Request', 'Base', capabilityAvps(local));
}

/** RFC 6733 §5.3.2 Capabilities-Exchange-Answer (Result-Code first after the header). */
export function buildCea(
  cer: DiameterMessage,
  local: LocalCapabilities,
  resultCode: number,
  errorMessage?: string,
): DiameterMessage {
  const avps = [avp('Result-Code', resultCode), ...capabilityAvps(local)];
  if (errorMessage) avps.push(avp('Error-Message', errorMessage));
  const cea = createAnswer(cer, avps);
  cea.flags.error = resultCode >= 3000 && resultCode < 4000;
  return cea;
}

/** Every Application Id a CER/CEA advertises (auth, acct and vendor-specific). */
export function advertisedApplications(msg: DiameterMessage): number[] {
  const ids: number[] = [];
  const push = (v: unknown) => typeof v === 'number' && ids.push(v);
  for (const a of msg.findAll('Auth-Application-Id')) push(a.value);
  for (const a of msg.findAll('Acct-Application-Id')) push(a.value);
  for (const g of msg.findAll('Vendor-Specific-Application-Id')) {
    push(g.get('Auth-Application-Id'));
    push(g.get('Acct-Application-Id'));
  }
  return ids;
}

/** The intersection of ours and the peer's advertised applications. */
export function commonApplications(local: LocalCapabilities, remote: DiameterMessage): number[] {
  const theirs = new Set(advertisedApplications(remote));
  const ours = local.authApplications.map((a) => a.applicationId);
  if (theirs.has(RELAY_APPLICATION_ID)) return ours;
  return ours.filter((id) => theirs.has(id));
}
