import { FactoryProvider } from '@nestjs/common';
import { FailureExplainer } from '@lib/ims';
import { SipUri, parseUri } from '@lib/sip';
import { SCSCF_CONFIG, ScscfConfig } from '../config';

export const FAILURES = Symbol('FAILURES');

/** The host of SCSCF_NAME (`scscf.<domain>`): warn-agent of our Warning headers, Service-Route host. */
export function scscfHost(config: ScscfConfig): string {
  const uri = parseUri(config.name);
  return uri instanceof SipUri ? uri.host : `scscf.${config.domain}`;
}

/** "Failures explain themselves" (IMS_EXPLAIN_FAILURES): Warning 399 on what we originate. */
export const failureExplainerProvider: FactoryProvider<FailureExplainer> = {
  provide: FAILURES,
  inject: [SCSCF_CONFIG],
  useFactory: (config: ScscfConfig) =>
    new FailureExplainer(scscfHost(config), config.explainFailures),
};
