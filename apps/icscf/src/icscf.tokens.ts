/** Injection tokens of the I-CSCF module. */
export const ICSCF_CONFIG = Symbol('ICSCF_CONFIG');
export const ICSCF_RUNTIME = Symbol('ICSCF_RUNTIME');
