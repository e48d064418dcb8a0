export * from './home-domain';
export * from './identity-error';
export * from './impi';
export * from './impu';
export * from './msisdn';
export * from './subscriber-identities';
