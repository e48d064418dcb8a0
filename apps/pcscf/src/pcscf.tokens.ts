/** Injection tokens of the P-CSCF module. */
export const PCSCF_CONFIG = Symbol('PCSCF_CONFIG');
export const PCSCF_RUNTIME = Symbol('PCSCF_RUNTIME');
