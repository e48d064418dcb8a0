import { ApplicationServer } from './application-server.entity';
import { InitialFilterCriteria } from './initial-filter-criteria.entity';
import { PrivateIdentity } from './private-identity.entity';
import { PublicIdentity } from './public-identity.entity';
import { ScscfCapability } from './scscf-capability.entity';
import { ServiceProfile } from './service-profile.entity';
import { Subscription } from './subscription.entity';
import { RegistrationAttempt } from '../../cx/registration-attempt.entity';

export * from './application-server.entity';
export * from './initial-filter-criteria.entity';
export * from './private-identity.entity';
export * from './public-identity.entity';
export * from './scscf-capability.entity';
export * from './service-profile.entity';
export * from './subscription.entity';
export { RegistrationAttempt } from '../../cx/registration-attempt.entity';

/** Every entity of the HSS schema (hss-cx appends RegistrationAttempt here). */
export const entities = [
  Subscription,
  PrivateIdentity,
  PublicIdentity,
  ServiceProfile,
  InitialFilterCriteria,
  ApplicationServer,
  ScscfCapability,
  RegistrationAttempt,
];
