export * from './public-identities.controller';
export * from './public-identities.service';
export * from './public-identity.dto';
