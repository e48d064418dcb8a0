export * from './auth-scheme';
export * from './nonce-store';
export * from './digest-verifier';
export * from './authenticator.service';
