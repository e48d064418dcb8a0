/**
 * The one place this folder tree (transport, transaction, proxy, stack) imports the message
 * and URI model from (helper "sip-message" owns libs/sip/src/message, uri, errors). Importing
 * their folders directly, not the package index, avoids an import cycle through index.ts.
 */
export * from '../message';
export * from '../uri';
