export * from './1763900100000-registration-attempt';
