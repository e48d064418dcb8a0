import type { Logger } from '@nestjs/common';
import { FAILURE_CAUSES, type FailureCause, type FailureExplainer, type ImsHosts } from '@lib/ims';
import type { DialogTracker, ProxyRequest, SipStack } from '@lib/sip';
import type { PcscfConfig } from '../config';
import type { FlowTable } from '../flows';
import type { RegistrationStore } from '../registration';

/** What the P-CSCF's processors share. */
export interface PcscfContext {
  config: PcscfConfig;
  stack: SipStack;
  hosts: ImsHosts;
  flows: FlowTable;
  registrations: RegistrationStore;
  /** Confirmed INVITE dialogs through this P-CSCF, owned by the UEs' registrations. */
  dialogs: DialogTracker;
  explainer: FailureExplainer;
  logger: Logger;
}

/** Marks of a request's direction, in ProxyRequest.data. */
export const DIRECTION = 'pcscf/direction';
export type Direction = 'terminating' | 'originating';
/** ProxyRequest.data: the registration keys (registrationKey) of the UE this request serves. */
export const DIALOG_OWNERS = 'pcscf/dialog-owners';

/** Answers `pr` with the cause's status (or `status`), its Warning and extra headers. */
export function rejectWith(
  ctx: PcscfContext,
  pr: ProxyRequest,
  cause: FailureCause,
  opts: { status?: number; detail?: string; headers?: [string, string][] } = {},
): void {
  const status = opts.status ?? FAILURE_CAUSES[cause].status;
  const response = pr.createResponse(status);
  for (const [name, value] of opts.headers ?? []) response.append(name, value);
  ctx.explainer.apply(response, cause, { status, detail: opts.detail });
  pr.respondWith(response);
}
