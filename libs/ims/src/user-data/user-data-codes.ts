import { DefaultHandling, ProfilePartIndicator, RegistrationType, SessionCase } from '../ifc';
import { IdentityType } from './ims-subscription';

/**
 * The integer codings of the CxDataType enumerations (TS 29.228 Annex E), index = value.
 */
export const SESSION_CASE_CODES: readonly SessionCase[] = [
  'originating',
  'terminating-registered',
  'terminating-unregistered',
  'originating-unregistered',
  'originating-cdiv',
];
export const DEFAULT_HANDLING_CODES: readonly DefaultHandling[] = [
  'session-continued',
  'session-terminated',
];
export const PROFILE_PART_INDICATOR_CODES: readonly ProfilePartIndicator[] = [
  'registered',
  'unregistered',
];
export const REGISTRATION_TYPE_CODES: readonly RegistrationType[] = [
  'initial',
  're-registration',
  'de-registration',
];
export const IDENTITY_TYPE_CODES: readonly IdentityType[] = [
  'public-user-identity',
  'distinct-psi',
  'wildcarded-psi',
];
