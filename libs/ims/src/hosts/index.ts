export * from './ims-hosts';
