export * from './third-party-registrar.service';
