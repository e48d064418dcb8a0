import { Injectable } from '@nestjs/common';
import { AuthVectorIssuer } from './auth-vector-issuer';
import { CxStore } from './cx-store';

/** The AuthVectorIssuer of the HSS, on the subscriber database (SQN_HE in private_identities). */
@Injectable()
export class AuthVectorService extends AuthVectorIssuer {
  constructor(store: CxStore) {
    super(store);
  }
}
